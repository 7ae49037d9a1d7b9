// Unit tests of the incremental HTTP request scanner: pipelining, every split
// point, bodies, and garbage.
#include "workloads/http_parser.hpp"
#include "workloads/http_session.hpp"

#include <gtest/gtest.h>
#include <string>

using iobench::http_request_scanner;

namespace {

// Feeds `text` in pieces of `step` bytes; returns requests, -1 on error.
long scan(const std::string& text, size_t step = 0) {
    http_request_scanner s;
    long n = 0;
    if (step == 0) step = text.size() ? text.size() : 1;
    for (size_t i = 0; i < text.size(); i += step) {
        const auto r = s.feed(text.data() + i, std::min(step, text.size() - i));
        n += static_cast<long>(r.requests);
        if (!r.ok) return -1;
    }
    return n;
}

const std::string wrk_req = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";

}  // namespace

TEST(http_parser, single_requests) {
    EXPECT_EQ(scan(std::string(iobench::http_request)), 1);
    EXPECT_EQ(scan(wrk_req), 1);
    EXPECT_EQ(scan("GET / HTTP/1.1\r\n\r\n"), 1);  // no headers
    EXPECT_EQ(scan("GET / HTTP/1.0\n\n"), 1);      // bare LF
    EXPECT_EQ(scan("GET / HTTP/1.1\r\nHost: x\r\n"), 0);  // not finished
}

TEST(http_parser, pipelined_requests_in_one_segment) {
    std::string ten;
    for (int i = 0; i < 10; ++i) ten += i % 2 ? wrk_req : std::string(iobench::http_request);
    EXPECT_EQ(scan(ten), 10);
}

TEST(http_parser, every_split_point_and_every_chunk_size) {
    const std::string three =
        wrk_req + "GET /a?b=c HTTP/1.1\r\nAccept: */*\r\nX-Long: " + std::string(3000, 'v') + "\r\n\r\n" + wrk_req;
    for (size_t step = 1; step <= 64; ++step) EXPECT_EQ(scan(three, step), 3) << step;
    for (size_t cut = 1; cut < three.size(); ++cut) {
        http_request_scanner s;
        const auto a = s.feed(three.data(), cut);
        const auto b = s.feed(three.data() + cut, three.size() - cut);
        ASSERT_TRUE(a.ok && b.ok) << cut;
        EXPECT_EQ(a.requests + b.requests, 3u) << cut;
    }
}

TEST(http_parser, content_length_body_is_skipped) {
    // The body looks like a request.
    const std::string post = "POST /x HTTP/1.1\r\nContent-Length: 14\r\n\r\nGET / HTTP/1.1";
    EXPECT_EQ(scan(post + wrk_req), 2);
    EXPECT_EQ(scan(post + wrk_req, 1), 2);
    EXPECT_EQ(scan("POST / HTTP/1.1\r\ncontent-LENGTH:  0 \r\n\r\n" + wrk_req), 2);
    EXPECT_EQ(scan("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab"), 0);  // body incomplete
}

TEST(http_parser, garbage_is_an_error) {
    EXPECT_EQ(scan("hello world\r\n\r\n"), -1);
    EXPECT_EQ(scan("GET / FTP/1.1\r\n\r\n"), -1);
    EXPECT_EQ(scan("GET / HTTP/1.1\r\nNoColon\r\n\r\n"), -1);
    EXPECT_EQ(scan("GET / HTTP/1.1\r\nContent-Length: 12x\r\n\r\n"), -1);
    EXPECT_EQ(scan("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"), -1);
    EXPECT_EQ(scan("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), -1);
    EXPECT_EQ(scan("GET /" + std::string(10000, 'a') + " HTTP/1.1\r\n\r\n"), -1);
    EXPECT_EQ(scan("GET / HTTP/1.1\r\nX: " + std::string(10000, 'a') + "\r\n\r\n", 7), -1);
    EXPECT_EQ(scan(std::string("GET / HTTP/1.1\r\n\r\n\0", 19)), -1);  // NUL where a method starts
    EXPECT_EQ(scan("GET / HTTP/1.1\rX"), -1);
    // Good requests before the garbage still count.
    http_request_scanner s;
    const std::string mixed = wrk_req + wrk_req + "\x16\x03\x01 tls";
    const auto r = s.feed(mixed.data(), mixed.size());
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.requests, 2u);
    EXPECT_TRUE(s.failed());
    EXPECT_STRNE(s.error(), "");
}

TEST(http_parser, too_many_headers) {
    std::string req = "GET / HTTP/1.1\r\n";
    for (unsigned i = 0; i <= http_request_scanner::max_headers; ++i) req += "X: y\r\n";
    EXPECT_EQ(scan(req + "\r\n"), -1);
}
