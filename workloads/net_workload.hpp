// Network workloads: what a connection carries.
//  echo   - the client sends msg_size bytes, the server sends them back; one
//           round trip is one request; the client checks every echoed byte.
//  stream - the client pushes msg_size chunks one way; the server sinks them.
//  http   - HTTP/1.1 keep-alive: the client sends GET requests (pipelined when
//           asked), the server answers each with the fixed 200 plaintext reply.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace iobench {

enum class net_workload : uint8_t { echo, stream, http };

std::optional<net_workload> parse_net_workload(std::string_view name);
std::string_view to_string(net_workload w);

// The server's fixed HTTP reply (TechEmpower plaintext style) and the request
// iobench's load generator sends.
inline constexpr std::string_view http_body = "Hello, World!";
inline constexpr std::string_view http_response =
    "HTTP/1.1 200 OK\r\nServer: iobench\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";
inline constexpr std::string_view http_request = "GET /plaintext HTTP/1.1\r\nHost: iobench\r\n\r\n";

}  // namespace iobench
