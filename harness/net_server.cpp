// PLACEHOLDER while being written; must not land.
#include "harness/net_server.hpp"
#include <stdexcept>
namespace iobench {
struct net_server::impl {};
net_server::net_server(const server_options&) { throw std::logic_error("net_server: not written yet"); }
net_server::~net_server() = default;
net_address net_server::address() const { return {}; }
void net_server::start() {}
void net_server::stop() {}
server_stats net_server::stats() const { return {}; }
}  // namespace iobench
