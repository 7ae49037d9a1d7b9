// The opening handshake (see ws_handshake.hpp). Runs once per connection,
// so plain string_view scanning is enough; still no allocation.
#include "workloads/ws_handshake.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>

namespace iobench {

namespace {

constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";  // RFC 6455 §1.3

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// Does a comma-separated header value list `token` (case-insensitively)?
bool has_token(std::string_view list, std::string_view token) {
    while (!list.empty()) {
        const size_t c = list.find(',');
        if (iequal(trim(list.substr(0, c)), token)) return true;
        if (c == std::string_view::npos) break;
        list.remove_prefix(c + 1);
    }
    return false;
}

// Splits the head into its first line and calls f(name, value) for each header; false on a line without ':'.
template <typename F>
bool scan_head(std::string_view head, std::string_view& first, F&& f) {
    bool at_first = true;
    while (!head.empty()) {
        const size_t e = head.find('\n');
        std::string_view line = head.substr(0, e);
        head.remove_prefix(e == std::string_view::npos ? head.size() : e + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (at_first) {
            first = line;
            at_first = false;
            continue;
        }
        if (line.empty()) break;  // the end of the headers
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) return false;
        f(line.substr(0, colon), trim(line.substr(colon + 1)));
    }
    return true;
}

bool is_base64(std::string_view s) {
    for (const char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
              c == '='))
            return false;
    return true;
}

uint32_t append(char* out, uint32_t at, std::string_view s) {
    std::memcpy(out + at, s.data(), s.size());
    return at + static_cast<uint32_t>(s.size());
}

}  // namespace

void ws_accept_for(std::string_view key, char out[ws_accept_len]) {
    char in[128];
    const size_t klen = std::min(key.size(), sizeof in - guid.size());
    std::memcpy(in, key.data(), klen);
    std::memcpy(in + klen, guid.data(), guid.size());
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(in), klen + guid.size(), digest);
    unsigned char b64[ws_accept_len + 1];  // EVP_EncodeBlock adds a NUL
    EVP_EncodeBlock(b64, digest, SHA_DIGEST_LENGTH);
    std::memcpy(out, b64, ws_accept_len);
}

size_t ws_header_end(const char* p, size_t n) {
    for (size_t i = 0; i + 1 < n; ++i) {
        if (p[i] != '\n') continue;
        if (p[i + 1] == '\n') return i + 2;  // a bare LF line ending, as the http scanner allows
        if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n') return i + 3;
    }
    return 0;
}

ws_request_check ws_check_request(std::string_view head) {
    ws_request_check r;
    std::string_view first;
    bool upgrade = false, connection = false, version = false;
    const bool lines_ok = scan_head(head, first, [&](std::string_view name, std::string_view value) {
        if (iequal(name, "upgrade")) upgrade = iequal(value, "websocket");
        else if (iequal(name, "connection")) connection = has_token(value, "upgrade");
        else if (iequal(name, "sec-websocket-version")) version = value == "13";
        else if (iequal(name, "sec-websocket-key")) r.key = value;
    });
    if (!lines_ok) return r.why = "a header line without ':'", r;
    const size_t sp1 = first.find(' '), sp2 = first.rfind(' ');
    if (first.substr(0, sp1) != "GET") return r.why = "not a GET request", r;
    if (sp2 == sp1 || first.substr(sp2 + 1) != "HTTP/1.1") return r.why = "not HTTP/1.1", r;
    if (!upgrade) return r.why = "no 'Upgrade: websocket'", r;
    if (!connection) return r.why = "no 'Connection: Upgrade'", r;
    if (!version) return r.why = "no 'Sec-WebSocket-Version: 13'", r;
    if (r.key.size() != ws_key_len || !is_base64(r.key) || r.key.substr(22) != "==")
        return r.why = "Sec-WebSocket-Key is not the base64 of 16 bytes", r;
    r.ok = true;
    return r;
}

uint32_t ws_write_response(char* out, std::string_view key) {
    char accept[ws_accept_len];
    ws_accept_for(key, accept);
    uint32_t at = append(out, 0, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                 "Sec-WebSocket-Accept: ");
    at = append(out, at, {accept, ws_accept_len});
    return append(out, at, "\r\n\r\n");
}

uint32_t ws_write_request(char* out, std::string_view host, std::string_view key, std::string_view protocol) {
    if (host.size() > 64) host = host.substr(0, 64);
    uint32_t at = append(out, 0, "GET / HTTP/1.1\r\nHost: ");
    at = append(out, at, host);
    at = append(out, at, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ");
    at = append(out, at, key);
    if (!protocol.empty()) {
        at = append(out, at, "\r\nSec-WebSocket-Protocol: ");
        at = append(out, at, protocol.substr(0, ws_max_protocol));
    }
    return append(out, at, "\r\n\r\n");
}

const char* ws_check_response(std::string_view head, const char expected_accept[ws_accept_len],
                              std::string_view protocol) {
    std::string_view first, accept, agreed;
    bool upgrade = false, connection = false, has_protocol = false;
    const bool lines_ok = scan_head(head, first, [&](std::string_view name, std::string_view value) {
        if (iequal(name, "upgrade")) upgrade = iequal(value, "websocket");
        else if (iequal(name, "connection")) connection = has_token(value, "upgrade");
        else if (iequal(name, "sec-websocket-accept")) accept = value;
        else if (iequal(name, "sec-websocket-protocol")) agreed = value, has_protocol = true;
    });
    if (!lines_ok) return "handshake reply: a header line without ':'";
    if (first.substr(0, 13) != "HTTP/1.1 101 " && first != "HTTP/1.1 101") return "handshake reply is not 101";
    if (!upgrade) return "handshake reply: no 'Upgrade: websocket'";
    if (!connection) return "handshake reply: no 'Connection: Upgrade'";
    if (accept != std::string_view(expected_accept, ws_accept_len)) return "handshake reply: wrong Sec-WebSocket-Accept";
    if (protocol.empty() && has_protocol) return "handshake reply: a Sec-WebSocket-Protocol no one asked for";
    if (!protocol.empty() && !has_protocol)
        return "handshake reply: no Sec-WebSocket-Protocol (the server did not agree to the subprotocol asked for)";
    if (!protocol.empty() && agreed != protocol) return "handshake reply: Sec-WebSocket-Protocol names another subprotocol";
    return "";
}

}  // namespace iobench
