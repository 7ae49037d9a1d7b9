// The RFC 6455 opening handshake (§4): the server checks a client's HTTP
// Upgrade request and answers 101 with Sec-WebSocket-Accept (SHA-1 + base64
// from OpenSSL's libcrypto); the client builds the request and checks the 101.
// They work on a complete header block (up to the empty line): the sessions
// gather it in a fixed buffer first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace iobench {

inline constexpr uint32_t ws_accept_len = 28;       // base64 of a 20-byte SHA-1
inline constexpr uint32_t ws_max_handshake = 4096;  // a longer request or response is refused
inline constexpr uint32_t ws_key_len = 24;          // base64 of 16 bytes

// Sec-WebSocket-Accept for `key`: base64(SHA-1(key + the RFC's GUID)), 28 characters into out.
void ws_accept_for(std::string_view key, char out[ws_accept_len]);

// Where the header block in [p, p + n) ends (just past the empty line), or 0 if it has not yet.
size_t ws_header_end(const char* p, size_t n);

struct ws_request_check {
    bool ok = false;
    const char* why = "";
    std::string_view key;  // Sec-WebSocket-Key, pointing into the request
};

// A server's view of a complete request header block: GET, HTTP/1.1, Upgrade:
// websocket, Connection: ...upgrade..., Sec-WebSocket-Version: 13 and a
// 24-character Sec-WebSocket-Key.
ws_request_check ws_check_request(std::string_view head);

// The 101 reply for an accepted key into out (at least ws_max_response bytes); its length.
inline constexpr uint32_t ws_max_response = 160;
uint32_t ws_write_response(char* out, std::string_view key);
// The 400 reply for a refused request.
inline constexpr std::string_view ws_bad_request =
    "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\nSec-WebSocket-Version: 13\r\n\r\n";

// A client's request for `key` into out (at least ws_max_request bytes); its
// length. A non-empty `protocol` (at most ws_max_protocol) is asked for with
// Sec-WebSocket-Protocol.
inline constexpr uint32_t ws_max_protocol = 64;
inline constexpr uint32_t ws_max_request = 384;
uint32_t ws_write_request(char* out, std::string_view host, std::string_view key, std::string_view protocol = {});

// A client's view of the server's reply header block: "" when it is a 101
// with the right Upgrade, Connection and Sec-WebSocket-Accept, and with
// Sec-WebSocket-Protocol naming `protocol` when one was asked for (none when
// none was: RFC 6455 §4.1), else why not.
const char* ws_check_response(std::string_view head, const char expected_accept[ws_accept_len],
                              std::string_view protocol = {});

}  // namespace iobench
