// The stream workload: the client pushes msg_size chunks one way and the
// server sinks them; a chunk sent is a request (nothing comes back).
#pragma once

#include "workloads/net_session.hpp"

#include <memory>

namespace iobench {

std::unique_ptr<server_session> make_stream_server(const server_session_config&);
std::unique_ptr<client_session> make_stream_client(const client_session_config&);

}  // namespace iobench
