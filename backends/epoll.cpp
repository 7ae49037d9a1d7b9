// PLACEHOLDER while the real backend is written; must not land.
#include "backends/epoll.hpp"
#include <stdexcept>
namespace iobench {
probe_result probe_epoll(const probe_context&) { return probe_result::no("epoll: not written yet"); }
std::unique_ptr<backend> make_epoll(const backend_options&) { throw std::logic_error("epoll: not written yet"); }
}  // namespace iobench
