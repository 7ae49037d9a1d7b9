// The http workload: HTTP/1.1 keep-alive. The client sends GET requests
// (pipelined when asked), the server answers each with one fixed 200
// plaintext reply; the client reconnects when a server says Connection: close.
#pragma once

#include "workloads/net_session.hpp"

#include <memory>
#include <string_view>

namespace iobench {

// The server's fixed reply (TechEmpower plaintext style) and the request
// iobench's load generator sends.
inline constexpr std::string_view http_body = "Hello, World!";
inline constexpr std::string_view http_response =
    "HTTP/1.1 200 OK\r\nServer: iobench\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";
inline constexpr std::string_view http_request = "GET /plaintext HTTP/1.1\r\nHost: iobench\r\n\r\n";

inline constexpr uint32_t http_reply_window = 16 * 1024;  // the client's receive buffer

std::unique_ptr<server_session> make_http_server(const server_session_config&);
std::unique_ptr<client_session> make_http_client(const client_session_config&);

}  // namespace iobench
