// Hostile input to the HTTP and WebSocket servers, on each backend: every
// malformed or oversized request is answered with its status and the
// connection closed; a request split byte by byte is one request; and a
// connection that behaves, open the whole time, is served throughout.
#include "tests/net_server_client.hpp"

#include <chrono>
#include <string>
#include <thread>

namespace iobench::test {
namespace {

using namespace std::chrono_literals;

// One good request on `fd`, its one response back.
void expect_served(int fd) {
    const std::string req(http_request);
    ASSERT_TRUE(write_all(fd, req.data(), req.size()));
    std::string got(http_response.size(), '\0');
    ASSERT_TRUE(read_exact(fd, got.data(), got.size()));
    EXPECT_EQ(got, http_response);
}

struct hostile_case {
    const char* name;
    std::string bytes;
    const char* status;  // the status line's start the server must answer with
};

std::vector<hostile_case> http_cases() {
    static const char junk[] = "\x16\x03\x01\x00\xff not http\r\n\r\n";  // a TLS hello's start, a NUL in it
    const std::string mib(1 << 20, 'a');
    std::string many_headers = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 101; ++i) many_headers += "X-" + std::to_string(i) + ": v\r\n";
    return {
        {"malformed request line", "GARBAGE\r\n\r\n", "HTTP/1.1 400 "},
        {"binary junk", std::string(junk, sizeof junk - 1), "HTTP/1.1 400 "},
        {"bad version", "GET / HTTP/9\r\n\r\n", "HTTP/1.1 400 "},
        {"header without colon", "GET / HTTP/1.1\r\nHost example\r\n\r\n", "HTTP/1.1 400 "},
        {"1 MiB request line", "GET /" + mib + " HTTP/1.1\r\n\r\n", "HTTP/1.1 414 "},
        {"1 MiB header", "GET / HTTP/1.1\r\nX-Big: " + mib + "\r\n\r\n", "HTTP/1.1 431 "},
        {"101 headers", many_headers + "\r\n", "HTTP/1.1 431 "},
        {"chunked body", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.1 501 "},
        {"2 TiB body", "POST / HTTP/1.1\r\nContent-Length: 2199023255552\r\n\r\n", "HTTP/1.1 413 "},
        {"conflicting lengths", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "HTTP/1.1 400 "},
    };
}

TEST(net_server_hostile, http_bad_requests_get_their_status_and_the_good_connection_goes_on) {
    net_server s(options("http"));
    s.start();
    const int good = dial(s);
    expect_served(good);
    for (const hostile_case& c : http_cases()) {
        const int fd = dial(s);
        // The server may refuse (and stop reading) before all of a 1 MiB request is in: a short write is fine.
        std::thread w([&] { write_all(fd, c.bytes.data(), c.bytes.size()); });
        const std::string head = read_head(fd);
        EXPECT_EQ(head.rfind(c.status, 0), 0u) << c.name << ": " << head;
        EXPECT_NE(head.find("Connection: close"), std::string::npos) << c.name << ": " << head;
        char rest;
        EXPECT_FALSE(read_exact(fd, &rest, 1)) << c.name << ": not closed after the refusal";
        ::shutdown(fd, SHUT_RDWR);  // frees the writer if the server stopped reading
        w.join();
        ::close(fd);
        expect_served(good);
    }
    ::close(good);
    s.stop();
}

TEST(net_server_hostile, http_a_request_split_byte_by_byte_and_a_mib_body_are_each_one_request) {
    net_server s(options("http"));
    s.start();
    const int fd = dial(s);
    const std::string req = "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n" +
                            std::string(1 << 20, 'b') + std::string(http_request);
    for (size_t i = 0; i < 64; ++i) ASSERT_TRUE(write_all(fd, req.data() + i, 1));  // the head, one byte a write
    ASSERT_TRUE(write_all(fd, req.data() + 64, req.size() - 64));
    std::string got(2 * http_response.size(), '\0');
    ASSERT_TRUE(read_exact(fd, got.data(), got.size()));
    EXPECT_EQ(got, std::string(http_response) + std::string(http_response));
    EXPECT_TRUE(quiet(fd, 100)) << "more than two responses";
    ::close(fd);
    s.stop();
}

TEST(net_server_hostile, ws_oversized_and_malformed_upgrades_are_refused_with_400) {
    net_server s(options("ws_echo"));
    s.start();
    const std::string mib(1 << 20, 'c');
    for (const std::string& bytes : {"GET / HTTP/1.1\r\nX-Big: " + mib + "\r\n\r\n", std::string("\x00\x01\x02\r\n\r\n", 7),
                                     std::string("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n")}) {
        const int fd = dial(s);
        std::thread w([&] { write_all(fd, bytes.data(), bytes.size()); });
        const std::string head = read_head(fd);
        EXPECT_EQ(head.rfind("HTTP/1.1 400 ", 0), 0u) << head.substr(0, 80);
        char rest;
        EXPECT_FALSE(read_exact(fd, &rest, 1)) << "not closed after the 400";
        ::shutdown(fd, SHUT_RDWR);
        w.join();
        ::close(fd);
    }
    // And the server still upgrades a well-formed request.
    const int fd = dial(s);
    const std::string ok = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    ASSERT_TRUE(write_all(fd, ok.data(), ok.size()));
    EXPECT_EQ(read_head(fd).rfind("HTTP/1.1 101 ", 0), 0u);
    ::close(fd);
    s.stop();
}

}  // namespace
}  // namespace iobench::test
