// The ws_echo workload: RFC 6455 WebSocket echo. The client opens with the
// HTTP Upgrade handshake, then sends masked binary messages of msg_size; the
// server echoes each data frame back (unmasked, same opcode and FIN, so
// fragmentation is kept), answers pings and closes, and closes a connection
// that breaks the protocol with the RFC's code. One echoed message is one request.
#pragma once

#include "workloads/net_session.hpp"

#include <cstdint>
#include <memory>

namespace iobench {

inline constexpr uint64_t ws_max_message = 16u << 20;  // longer -> close 1009 (= the --msg-size limit)
inline constexpr uint32_t ws_out_buffer = 32 * 1024;   // per-connection server output, sent as it fills

std::unique_ptr<server_session> make_ws_echo_server(const server_session_config&);
std::unique_ptr<client_session> make_ws_echo_client(const client_session_config&);

}  // namespace iobench
