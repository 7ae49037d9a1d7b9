// net_server tests, continued: http (pipelined, split, garbage), stream,
// and the io_uring paths (buffer ring running dry, send_zc, single-shot recv).
#include "tests/net_server_client.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sys/ioctl.h>
#include <thread>

namespace iobench::test {
namespace {

using namespace std::chrono_literals;

TEST(net_server, http_pipelined_and_split_requests) {
    net_server s(options("http"));
    s.start();
    const std::string req(http_request);
    const int fd = dial(s);
    std::string ten;
    for (int i = 0; i < 10; ++i) ten += req;
    ASSERT_TRUE(write_all(fd, ten.data(), ten.size()));
    std::string got(10 * http_response.size(), '\0');
    ASSERT_TRUE(read_exact(fd, got.data(), got.size()));
    for (int i = 0; i < 10; ++i) EXPECT_EQ(got.substr(i * http_response.size(), http_response.size()), http_response);
    EXPECT_TRUE(quiet(fd, 200)) << "more than 10 responses";
    // One request in three writes: exactly one response, after the last piece.
    ASSERT_TRUE(write_all(fd, req.data(), 5));
    std::this_thread::sleep_for(20ms);
    ASSERT_TRUE(write_all(fd, req.data() + 5, 15));
    EXPECT_TRUE(quiet(fd, 100)) << "answered an incomplete request";
    ASSERT_TRUE(write_all(fd, req.data() + 20, req.size() - 20));
    std::string one(http_response.size(), '\0');
    ASSERT_TRUE(read_exact(fd, one.data(), one.size()));
    EXPECT_EQ(one, http_response);
    EXPECT_TRUE(quiet(fd, 200));
    const auto st = settle(s, [](const server_stats& x) { return x.requests == 11; });
    EXPECT_EQ(st.requests, 11u);
    EXPECT_EQ(st.bytes_out, 11 * http_response.size());
    // Garbage: a 400, the connection closed (EOF here), and the server goes on serving.
    const char junk[] = "\x16\x03\x01 not http\r\n\r\n";
    ASSERT_TRUE(write_all(fd, junk, sizeof junk - 1));
    EXPECT_EQ(read_head(fd).rfind("HTTP/1.1 400 ", 0), 0u);
    EXPECT_EQ(recv1(fd), 0);
    ::close(fd);
    const int fd2 = dial(s);
    ASSERT_TRUE(write_all(fd2, req.data(), req.size()));
    ASSERT_TRUE(read_exact(fd2, one.data(), one.size()));
    EXPECT_EQ(one, http_response);
    ::close(fd2);
    EXPECT_GE(settle(s, [](const server_stats& x) { return x.errors >= 1; }).errors, 1u);
    s.stop();
}

TEST(net_server, stream_sinks_everything) {
    net_server s(options("stream"));
    s.start();
    const int fd = dial(s);
    const auto out = pattern(1 << 20, 5);
    ASSERT_TRUE(write_all(fd, out.data(), out.size()));
    ::close(fd);
    const auto st = settle(s, [](const server_stats& x) { return x.bytes_in == 1u << 20 && x.live_connections == 0; });
    EXPECT_EQ(st.bytes_in, 1u << 20);
    EXPECT_EQ(st.bytes_out, 0u);
    s.stop();
}

TEST(net_server, provided_buffer_ring_runs_dry_and_recovers) {
    if (!(find_backend(g_backend)->caps & cap_provided_buffers))
        GTEST_SKIP() << g_backend << " has no provided buffers";
    server_options o = options();
    o.buf_count = 2;  // what one connection may hold of the ring (the per-connection cap's floor)
    o.buf_size = 4096;
    net_server s(o);
    s.start();
    echo_bulk(s, 1 << 20);
    const auto st = settle(s, [](const server_stats& x) { return x.live_connections == 0; });
    EXPECT_NE(st.setup.find("multishot recv"), std::string::npos) << st.setup;
    EXPECT_NE(st.setup.find("multishot accept"), std::string::npos) << st.setup;
    EXPECT_GT(st.counters.enobufs_rearms, 0u);
    std::printf("enobufs re-arms: %llu\n", static_cast<unsigned long long>(st.counters.enobufs_rearms));
    s.stop();
}

// A client that sends and never reads holds its echoes in ring buffers the
// server cannot send; past its cap the server stops receiving from it, so
// the shared ring still serves the others.
TEST(net_server, a_client_that_stops_reading_does_not_starve_the_others) {
    if (!(find_backend(g_backend)->caps & cap_provided_buffers))
        GTEST_SKIP() << g_backend << " has no provided buffers";
    server_options o = options();
    // Small buffers: one burst of the hoarder's can pin the whole ring before
    // the pause lands, so the hoard scan must close it for the others to go on.
    o.buf_count = 16;
    o.buf_size = 4096;
    net_server s(o);
    s.start();
    const int stalled = dial(s);
    const int nonblock = 1;
    ::ioctl(stalled, FIONBIO, &nonblock);
    const auto junk = pattern(1 << 16, 9);
    size_t pushed = 0;  // until both directions' socket buffers are full
    for (int idle = 0; idle < 50;) {
        const ssize_t n = ::send(stalled, junk.data(), junk.size(), MSG_NOSIGNAL);
        if (n > 0) pushed += static_cast<size_t>(n), idle = 0;
        else ++idle, std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    EXPECT_GT(pushed, size_t{1} << 16);
    const int fd = dial(s);
    const timeval limit{10, 0};  // a starved ring would hang this read: fail instead
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    const auto out = pattern(1 << 20, 3);
    std::thread w([&] { EXPECT_TRUE(write_all(fd, out.data(), out.size())); });
    std::vector<char> in(out.size());
    const bool got = read_exact(fd, in.data(), in.size());
    ::shutdown(fd, SHUT_RDWR);  // frees the writer if the read gave up
    w.join();
    ASSERT_TRUE(got) << "the echo stalled behind a client that stopped reading";
    EXPECT_TRUE(std::equal(out.begin(), out.end(), in.begin()));
    const auto st = s.stats();
    std::printf("hoarders closed: %llu\n", static_cast<unsigned long long>(st.hoarders_closed));
    ::close(fd);
    ::close(stalled);
    s.stop();
}

TEST(net_server, zero_copy_send_echo) {
    if (!(find_backend(g_backend)->caps & cap_zerocopy_send)) GTEST_SKIP() << g_backend << " has no zero-copy send";
    server_options o = options();
    o.zerocopy = true;
    net_server s(o);
    s.start();
    echo_bulk(s, 1 << 20);
    const auto st = settle(s, [](const server_stats& x) { return x.live_connections == 0; });
    EXPECT_NE(st.setup.find("send_zc"), std::string::npos) << st.setup;
    EXPECT_GT(st.counters.zc_sends + st.counters.zc_copied, 0u);
    s.stop();
    o.multishot = false;  // the connection's own buffer stays busy until each notification
    net_server plain(o);
    plain.start();
    echo_bulk(plain, 1 << 20);
    plain.stop();
    EXPECT_GT(plain.stats().counters.zc_copied + plain.stats().counters.zc_sends, 0u);
}

TEST(net_server, single_shot_mode_without_multishot) {
    server_options o = options();
    o.multishot = false;
    net_server s(o);
    s.start();
    echo_bulk(s, 256 * 1024);
    const auto st = settle(s, [](const server_stats& x) { return x.live_connections == 0; });
    EXPECT_EQ(st.setup.find("multishot recv"), std::string::npos) << st.setup;
    EXPECT_EQ(st.bytes_out, 256u * 1024);
    s.stop();
}

}  // namespace
}  // namespace iobench::test
