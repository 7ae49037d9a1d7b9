// The HTTP request scanner: a byte-at-a-time state machine (header values of
// no interest are skipped with memchr), so a request may be split anywhere.
#include "workloads/http_parser.hpp"

#include <algorithm>
#include <cstring>

namespace iobench {

namespace {

constexpr char content_length[] = "content-length";        // 14 letters
constexpr char transfer_encoding[] = "transfer-encoding";  // 17 letters
constexpr char http_slash[] = "HTTP/";
constexpr uint64_t max_body = uint64_t{1} << 40;

// RFC 9110 tchar.
bool is_token(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool http_request_scanner::fail(const char* why, uint16_t status) {
    state_ = st::error;
    error_ = why;
    status_ = status;
    return false;
}

// The blank line after the headers: the request is complete unless a body follows.
bool http_request_scanner::end_of_headers() {
    if (have_length_ && length_ > 0) {
        body_left_ = length_;
        state_ = st::body;
    } else {
        completed_ = true;
    }
    return true;
}

// Per-request state back to its start (error_ is only set with st::error).
void http_request_scanner::next_request() { *this = http_request_scanner{}; }

bool http_request_scanner::header_value_byte(char c) {
    if (c == ' ' || c == '\t') {
        if (digits_seen_) digits_done_ = true;
        return true;
    }
    if (value_kind_ != 1) return true;  // other values are not inspected
    if (c < '0' || c > '9' || digits_done_) return fail("bad Content-Length value");
    cur_num_ = cur_num_ * 10 + static_cast<uint64_t>(c - '0');
    if (cur_num_ > max_body) return fail("Content-Length too large", 413);
    digits_seen_ = true;
    return true;
}

bool http_request_scanner::finish_header() {
    if (++headers_ > max_headers) return fail("too many header lines", 431);
    if (value_kind_ == 2) return fail("Transfer-Encoding is not supported", 501);
    if (value_kind_ == 1) {
        if (!digits_seen_) return fail("empty Content-Length");
        if (have_length_ && cur_num_ != length_) return fail("conflicting Content-Length headers");
        have_length_ = true;
        length_ = cur_num_;
    }
    state_ = st::line_start;
    line_len_ = 0;
    return true;
}

http_request_scanner::result http_request_scanner::feed(const char* data, size_t len) {
    result res;
    const char* p = data;
    const char* const end = data + len;
    while (p < end && state_ != st::error) {
        if (state_ == st::body) {  // skipped in bulk
            const uint64_t n = std::min(body_left_, static_cast<uint64_t>(end - p));
            p += n;
            body_left_ -= n;
            if (body_left_ == 0) {
                ++res.requests;
                next_request();
            }
            continue;
        }
        if (state_ == st::header_value && value_kind_ == 0) {
            // An uninteresting value: jump to its line end.
            const auto* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
            const size_t skip = static_cast<size_t>((nl ? nl : end) - p);
            if (line_len_ + skip > max_line) {
                fail("header line too long", 431);
                break;
            }
            line_len_ += static_cast<uint32_t>(skip);
            p += skip;
            if (!nl) continue;
            // A CR just before the LF was counted as value; that is fine.
        }
        const char c = *p++;
        if (++line_len_ > max_line) {
            const bool request_line = state_ == st::method || state_ == st::target || state_ == st::version;
            fail("request line or header line too long", request_line ? 414 : 431);
            continue;
        }
        switch (state_) {
        case st::method:
            if (c == ' ' && pos_ > 0) {
                state_ = st::target;
                pos_ = 0;
            } else if (c >= 'A' && c <= 'Z' && pos_ < 16) {
                ++pos_;
            } else if ((c == '\r' || c == '\n') && line_len_ == 1) {
                line_len_ = 0;  // tolerate a stray CRLF between requests (RFC 9112 2.2)
            } else {
                fail("bad request method");
            }
            break;
        case st::target:
            if (c == ' ' && pos_ > 0) {
                state_ = st::version;
                pos_ = 0;
            } else if (static_cast<unsigned char>(c) > 0x20 && c != 0x7f) {
                ++pos_;
            } else {
                fail("bad request target");
            }
            break;
        case st::version:
            if (pos_ < 5 ? c == http_slash[pos_] : pos_ == 6 ? c == '.' : pos_ < 8 && c >= '0' && c <= '9') {
                ++pos_;
            } else if (pos_ == 8 && (c == '\r' || c == '\n')) {
                state_ = c == '\r' ? st::version_cr : st::line_start;
                line_len_ = 0;
            } else {
                fail("bad HTTP version");
            }
            break;
        case st::version_cr:
        case st::header_cr:
            if (c != '\n') {
                fail("CR without LF");
            } else if (state_ == st::version_cr) {
                state_ = st::line_start;
                line_len_ = 0;
            } else {
                finish_header();
            }
            break;
        case st::line_start:
            if (c == '\r') {
                state_ = st::end_cr;
            } else if (c == '\n') {
                end_of_headers();
            } else if (is_token(c)) {
                state_ = st::header_name;
                pos_ = 0;
                name_match_ = 3;
                --p;  // the name's first byte
                --line_len_;
            } else {
                fail("bad header line");
            }
            break;
        case st::header_name:
            if (c == ':' && pos_ > 0) {
                value_kind_ = (name_match_ & 1) && pos_ == 14 ? 1 : (name_match_ & 2) && pos_ == 17 ? 2 : 0;
                cur_num_ = 0;
                digits_seen_ = digits_done_ = false;
                state_ = st::header_value;
            } else if (is_token(c)) {
                if (pos_ >= 14 || lower(c) != content_length[pos_]) name_match_ &= ~1u;
                if (pos_ >= 17 || lower(c) != transfer_encoding[pos_]) name_match_ &= ~2u;
                ++pos_;
            } else {
                fail("bad header name");
            }
            break;
        case st::header_value:
            if (c == '\r') state_ = st::header_cr;
            else if (c == '\n') finish_header();
            else header_value_byte(c);
            break;
        case st::end_cr:
            if (c != '\n') fail("CR without LF");
            else end_of_headers();
            break;
        case st::body:
        case st::error: break;
        }
        if (completed_) {
            ++res.requests;
            next_request();
        }
    }
    res.ok = state_ != st::error;
    return res;
}

}  // namespace iobench
