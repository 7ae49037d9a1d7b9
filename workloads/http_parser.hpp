// Incremental HTTP/1.x request scanner for the http workload's server: counts
// complete requests in the bytes a connection receives, however they are split.
#pragma once

#include <cstddef>
#include <cstdint>

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
    void reset() { *this = http_request_scanner{}; }

private:
    enum class st : uint8_t {
        method, target, version, version_cr, line_start, header_name, header_value, header_cr, end_cr, body, error
    };

    bool fail(const char* why);
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
};

}  // namespace iobench
