// Incremental HTTP/1.x scanners for the http workload: the server's request
// scanner counts complete requests in the bytes a connection receives; the
// client's response scanner finds each response's end and status. Both take
// bytes however they are split and keep none of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace iobench {

/**
 * Feed it every byte received on one connection, in order, in any split
 * (pipelined requests, one byte at a time...). It does not keep the bytes:
 * it only tracks where it is in the current request.
 *  - A request is: METHOD SP target SP HTTP/d.d CRLF, header lines
 *    "name: value" CRLF, an empty line, then Content-Length bytes of body
 *    (skipped). A bare LF is accepted where CRLF is expected.
 *  - Anything else is an error (the connection should be closed): a bad
 *    method or version, a header without ':', a bad Content-Length,
 *    Transfer-Encoding (chunked bodies are not supported), a line over
 *    8 KiB or more than 100 headers.
 * No allocation, no exceptions: safe on the hot path.
 */
class http_request_scanner {
public:
    struct result {
        uint64_t requests = 0;  // requests completed by these bytes
        bool ok = true;         // false: malformed input, see error()
    };

    static constexpr uint32_t max_line = 8192;
    static constexpr uint32_t max_headers = 100;

    // Header values other than Content-Length are skipped, not validated.
    result feed(const char* data, size_t len);
    bool failed() const { return state_ == st::error; }
    const char* error() const { return error_; }  // why it failed, or ""
    // The status the server answers a failed request with: 400, 413 (body
    // too large), 414 (request line too long), 431 (header fields too large),
    // 501 (Transfer-Encoding); 0 while it has not failed.
    uint16_t error_status() const { return status_; }
    void reset() { *this = http_request_scanner{}; }

private:
    enum class st : uint8_t {
        method, target, version, version_cr, line_start, header_name, header_value, header_cr, end_cr, body, error
    };

    bool fail(const char* why, uint16_t status = 400);
    bool end_of_headers();  // false on error
    void next_request();
    bool header_value_byte(char c);
    bool finish_header();

    st state_ = st::method;
    uint32_t line_len_ = 0;     // bytes of the current line so far
    uint32_t pos_ = 0;          // bytes into the current field (method, target, version, name)
    uint32_t headers_ = 0;      // header lines in this request
    uint8_t name_match_ = 0;    // bit 0: still "content-length", bit 1: still "transfer-encoding"
    uint8_t value_kind_ = 0;    // 1: Content-Length value, 2: Transfer-Encoding value
    bool digits_seen_ = false;  // Content-Length value: some digit read
    bool digits_done_ = false;  // ...and whitespace after them
    bool have_length_ = false;
    bool completed_ = false;    // the byte just scanned ended a request
    uint64_t cur_num_ = 0;      // Content-Length digits so far
    uint64_t length_ = 0;       // the request's Content-Length
    uint64_t body_left_ = 0;
    const char* error_ = "";
    uint16_t status_ = 0;
};

// Incremental HTTP/1.1 response scanner for the load generator: status line,
// headers (Content-Length), body, fed whatever each recv returned. Generic, so
// the client also works against servers other than iobench's (nginx, ...).
class http_response_scanner {
public:
    enum class status : uint8_t { ok, bad_response, chunked };

    // Scans data[0..n); calls on_response(status_code, close) for each
    // complete response, close = the server said "Connection: close" (it will
    // hang up after this one, e.g. nginx's keepalive_requests). Stops at the
    // first malformed byte and says so.
    template <typename F>
    status feed(const uint8_t* data, size_t n, F&& on_response) {
        size_t i = 0;
        while (i < n) {
            if (phase_ == phase::body) {
                const size_t take = body_left_ < n - i ? static_cast<size_t>(body_left_) : n - i;
                body_left_ -= take;
                i += take;
                if (body_left_ == 0) finish(on_response);
                continue;
            }
            const char c = static_cast<char>(data[i++]);
            if (c == '\n') {
                if (phase_ == phase::status_line) {
                    if (code_ < 100) return status::bad_response;
                    phase_ = phase::headers;
                } else if (line_len_ == 0) {  // the empty line ends the headers
                    if (chunked_) return status::chunked;
                    body_left_ = content_length_;
                    phase_ = phase::body;
                    if (body_left_ == 0) finish(on_response);
                }
                start_line();
                continue;
            }
            if (c == '\r') continue;
            if (phase_ == phase::status_line) {
                // "HTTP/1.x NNN reason": the prefix is checked, digits 9..11 are the code.
                if (line_len_ < 5 && c != "HTTP/"[line_len_]) return status::bad_response;
                if (line_len_ >= 9 && line_len_ < 12) {
                    if (c < '0' || c > '9') return status::bad_response;
                    code_ = code_ * 10 + (c - '0');
                }
            } else {
                match(c, cl_, "content-length:");
                match(c, te_, "transfer-encoding:");
                match(c, conn_, "connection:");
                // "close" is the one value that matters: its 'c' after optional spaces.
                if (conn_ == in_value && c != ' ' && c != ':' && !conn_seen_value_) {
                    conn_seen_value_ = true;
                    if (c == 'c' || c == 'C') close_ = true;
                }
                if (cl_ == in_value && c >= '0' && c <= '9')
                    content_length_ = content_length_ * 10 + static_cast<uint64_t>(c - '0');
                // Any coding but identity (chunked, gzip, ...) frames the body differently.
                if (te_ == in_value && c != ' ' && c != 'i' && c != 'I') chunked_ = true;
            }
            ++line_len_;
        }
        return status::ok;
    }

private:
    enum class phase : uint8_t { status_line, headers, body };
    static constexpr uint8_t no_match = 0xfe, in_value = 0xff;

    // Case-insensitive match of a header name at the start of the line.
    void match(char c, uint8_t& state, std::string_view name) const {
        if (state == no_match || state == in_value) return;
        if (state != line_len_) { state = no_match; return; }
        const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        if (lower != name[state]) { state = no_match; return; }
        state = state + 1u == name.size() ? in_value : static_cast<uint8_t>(state + 1);
    }
    void start_line() {
        line_len_ = 0;
        cl_ = te_ = conn_ = 0;
        conn_seen_value_ = false;
    }
    template <typename F>
    void finish(F& on_response) {
        on_response(code_, close_);
        phase_ = phase::status_line;
        code_ = 0;
        close_ = false;
        content_length_ = 0;
        chunked_ = false;
        start_line();
    }

    phase phase_ = phase::status_line;
    uint8_t cl_ = 0, te_ = 0, conn_ = 0;  // bytes of each header name matched so far
    bool chunked_ = false, close_ = false, conn_seen_value_ = false;
    uint32_t line_len_ = 0;     // bytes of the current line (without CR)
    int code_ = 0;
    uint64_t content_length_ = 0, body_left_ = 0;
};

}  // namespace iobench
