// net_server on one backend: `net_server_test --backend=NAME [gtest flags]`.
// Echo (round trips, bulk, half-close, 64 connections), resets, the
// connection limit and stop(); http, stream and the io_uring paths are in
// net_server_http_test.cpp. A backend whose socket probe says no prints
// "SKIP: <reason>" and exits 77.
#include "tests/net_server_client.hpp"

#include "harness/cli/errors.hpp"

#include <cstdio>

namespace iobench::test {
namespace {

using namespace std::chrono_literals;

TEST(net_server, echo_round_trips_on_8_connections) {
    net_server s(options());
    s.start();
    std::vector<int> fds;
    for (int i = 0; i < 8; ++i) fds.push_back(dial(s));
    for (int round = 0; round < 100; ++round) {
        for (size_t c = 0; c < fds.size(); ++c) {
            const auto msg = pattern(64, static_cast<unsigned>(round * 8 + c));
            ASSERT_TRUE(write_all(fds[c], msg.data(), msg.size()));
            char back[64];
            ASSERT_TRUE(read_exact(fds[c], back, sizeof back)) << "round " << round << ": " << std::strerror(errno);
            ASSERT_EQ(std::memcmp(back, msg.data(), 64), 0) << "round " << round << " conn " << c;
        }
    }
    for (const int fd : fds) ::close(fd);
    const uint64_t bytes = 8 * 100 * 64;
    const auto st = settle(s, [&](const server_stats& x) { return x.live_connections == 0 && x.bytes_out == bytes; });
    EXPECT_EQ(st.accepted, 8u);
    EXPECT_EQ(st.live_connections, 0u);
    EXPECT_EQ(st.bytes_in, bytes);
    EXPECT_EQ(st.bytes_out, bytes);
    EXPECT_EQ(st.requests, 800u);  // one recv per 64-byte ping
    EXPECT_EQ(st.errors, 0u);
    EXPECT_FALSE(st.setup.empty());
    EXPECT_TRUE(st.error.empty()) << st.error;
    std::printf("setup: %s\n", st.setup.c_str());
    s.stop();
}

TEST(net_server, echo_one_mib_byte_exact) {
    net_server s(options());
    s.start();
    echo_bulk(s, 1 << 20);
    const auto st = settle(s, [](const server_stats& x) { return x.live_connections == 0; });
    EXPECT_EQ(st.bytes_in, 1u << 20);
    EXPECT_EQ(st.bytes_out, 1u << 20);
    s.stop();
}

TEST(net_server, echo_64_concurrent_connections) {
    net_server s(options());
    s.start();
    std::vector<int> fds;
    for (int i = 0; i < 64; ++i) fds.push_back(dial(s));
    for (int round = 0; round < 20; ++round) {
        for (size_t c = 0; c < fds.size(); ++c) {  // all 64 in flight at once
            const auto msg = pattern(64, static_cast<unsigned>(round * 64 + c));
            ASSERT_TRUE(write_all(fds[c], msg.data(), msg.size()));
        }
        for (size_t c = 0; c < fds.size(); ++c) {
            const auto msg = pattern(64, static_cast<unsigned>(round * 64 + c));
            char back[64];
            ASSERT_TRUE(read_exact(fds[c], back, sizeof back)) << "round " << round << " conn " << c;
            ASSERT_EQ(std::memcmp(back, msg.data(), 64), 0);
        }
    }
    EXPECT_EQ(s.stats().live_connections, 64u);
    for (const int fd : fds) ::close(fd);
    const auto st = settle(s, [](const server_stats& x) { return x.live_connections == 0; });
    EXPECT_EQ(st.accepted, 64u);
    EXPECT_EQ(st.bytes_out, 64u * 20 * 64);
    s.stop();
}

TEST(net_server, peer_reset_does_not_stop_the_server) {
    net_server s(options());
    s.start();
    for (int i = 0; i < 5; ++i) {
        const int fd = dial(s);
        const auto msg = pattern(64, 9);
        ASSERT_TRUE(write_all(fd, msg.data(), msg.size()));
        if (i % 2) {  // leave the echo unread: the reset hits data in flight
            char back[64];
            ASSERT_TRUE(read_exact(fd, back, sizeof back));
        }
        const linger lg{1, 0};  // close() sends RST
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        ::close(fd);
    }
    echo_bulk(s, 4096);
    const auto st = settle(s, [](const server_stats& x) { return x.live_connections == 0; });
    EXPECT_EQ(st.live_connections, 0u);
    EXPECT_EQ(st.accepted, 6u);
    EXPECT_TRUE(st.error.empty()) << st.error;
    std::printf("errors after 5 resets: %llu\n", static_cast<unsigned long long>(st.errors));
    s.stop();
}

TEST(net_server, half_close_still_gets_every_echoed_byte) {
    net_server s(options());
    s.start();
    const int fd = dial(s);
    const auto out = pattern(100000, 11);
    ASSERT_TRUE(write_all(fd, out.data(), out.size()));
    ::shutdown(fd, SHUT_WR);  // EOF for the server while its echo is still going out
    std::vector<char> in(out.size());
    ASSERT_TRUE(read_exact(fd, in.data(), in.size()));
    EXPECT_EQ(in, out);
    EXPECT_EQ(recv1(fd), 0);  // then the server closes
    ::close(fd);
    s.stop();
}

TEST(net_server, connections_over_the_limit_are_refused) {
    server_options o = options();
    o.max_connections = 2;
    net_server s(o);
    s.start();
    const int a = dial(s), b = dial(s);
    settle(s, [](const server_stats& x) { return x.live_connections == 2; });
    const int c = dial(s);  // accepted by the kernel, closed by the server
    EXPECT_LE(recv1(c), 0);
    ::close(c);
    for (const int fd : {a, b}) {
        const char msg[] = "still served";
        ASSERT_TRUE(write_all(fd, msg, sizeof msg));
        char back[sizeof msg];
        ASSERT_TRUE(read_exact(fd, back, sizeof back));
        ::close(fd);
    }
    settle(s, [](const server_stats& x) { return x.live_connections == 0; });
    ::close(dial(s));  // a slot is free again once those closed
    const auto st = settle(s, [](const server_stats& x) { return x.live_connections == 0 && x.accepted == 3; });
    EXPECT_EQ(st.accepted, 3u);
    EXPECT_GE(st.errors, 1u);
    s.stop();
}

TEST(net_server, stop_returns_with_connections_open) {
    net_server s(options("http"));
    s.start();
    std::vector<int> fds;
    for (int i = 0; i < 16; ++i) fds.push_back(dial(s));
    const std::string half(http_request.substr(0, 10));
    ASSERT_TRUE(write_all(fds[0], half.data(), half.size()));  // one mid-request
    settle(s, [](const server_stats& x) { return x.live_connections == 16; });
    const auto t0 = std::chrono::steady_clock::now();
    s.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
    const auto st = s.stats();
    EXPECT_EQ(st.live_connections, 0u);
    EXPECT_TRUE(st.error.empty()) << st.error;
    for (const int fd : fds) {
        EXPECT_LE(recv1(fd), 0);  // the server closed it
        ::close(fd);
    }
}

TEST(net_server, setup_errors_say_why) {
    net_server s(options());
    server_options o = options();
    o.listen = s.address();  // already bound (and listening)
    EXPECT_THROW(net_server{o}, usage_error);
    o = options();
    o.backend = "io_uring_iopoll";  // no sockets: the probe's reason
    try {
        net_server bad(o);
        ADD_FAILURE() << "io_uring_iopoll served sockets";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("io_uring_iopoll"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace iobench::test

int main(int argc, char** argv) {
    std::vector<char*> rest{argv[0]};
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--backend=", 10) == 0) iobench::test::g_backend = argv[i] + 10;
        else rest.push_back(argv[i]);
    }
    const iobench::backend_entry* e = iobench::find_backend(iobench::test::g_backend);
    if (!e) {
        std::fprintf(stderr, "usage: net_server_test --backend=NAME [gtest flags] (unknown backend '%s')\n",
                     iobench::test::g_backend.c_str());
        return 2;
    }
    iobench::probe_context pc;
    pc.target = iobench::io_target::socket;
    const auto pr = e->probe(pc);
    if (!pr.ok) {
        std::printf("SKIP: %s\n", pr.reason.c_str());
        return 77;
    }
    int n = static_cast<int>(rest.size());
    rest.push_back(nullptr);  // argv[argc] is null: gtest shifts it down when it removes a flag
    testing::InitGoogleTest(&n, rest.data());
    return RUN_ALL_TESTS();
}
