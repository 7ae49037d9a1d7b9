// Client-side helpers for the net_server tests: plain blocking sockets on
// 127.0.0.1 with timeouts, byte patterns, and waiting for stats to settle.
#pragma once

#include "backends/registry.hpp"
#include "harness/net/net_server.hpp"
#include "workloads/http_session.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace iobench::test {

inline std::string g_backend;  // --backend=NAME

inline server_options options(const char* w = "echo") {
    server_options o;
    o.backend = g_backend;
    o.workload = w;
    o.max_connections = 128;
    o.buf_size = 16384;
    o.buf_count = 64;
    return o;
}

// A blocking client socket with 5 s timeouts, so a broken server fails a test instead of hanging it.
inline int dial(const net_server& s) {
    const net_address a = s.address();
    const int fd = ::socket(a.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int r = ::connect(fd, reinterpret_cast<const sockaddr*>(&a.addr), a.len);
    if (r != 0 && errno == EINTR) {
        // A signal (the server's own threads) interrupted a blocking connect:
        // POSIX says it goes on asynchronously; wait for it and read its result.
        pollfd p{fd, POLLOUT, 0};
        int err = ETIMEDOUT;
        socklen_t len = sizeof err;
        while ((r = ::poll(&p, 1, 5000)) < 0 && errno == EINTR) {}
        if (r == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) r = 0;
        else errno = r == 1 ? err : ETIMEDOUT, r = -1;
    }
    EXPECT_EQ(r, 0) << std::strerror(errno);
    return fd;
}

inline bool write_all(int fd, const void* p, size_t n) {
    const char* c = static_cast<const char*>(p);
    while (n > 0) {
        const ssize_t r = ::send(fd, c, n, MSG_NOSIGNAL);
        if (r < 0 && errno == EINTR) continue;  // once after a thread closed an io_uring ring (the probe)
        if (r <= 0) return false;
        c += r;
        n -= static_cast<size_t>(r);
    }
    return true;
}

inline bool read_exact(int fd, void* p, size_t n) {
    char* c = static_cast<char*>(p);
    while (n > 0) {
        const ssize_t r = ::recv(fd, c, n, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        c += r;
        n -= static_cast<size_t>(r);
    }
    return true;
}

// True if nothing (more) arrives within `ms`.
inline bool quiet(int fd, int ms) {
    pollfd p{fd, POLLIN, 0};
    int r;
    while ((r = ::poll(&p, 1, ms)) < 0 && errno == EINTR) {}
    return r == 0;
}

// One recv of up to one byte: 0 at EOF, -1 on error.
inline ssize_t recv1(int fd) {
    char c;
    ssize_t r;
    while ((r = ::recv(fd, &c, 1, 0)) < 0 && errno == EINTR) {}
    return r;
}

// Stats are published once per loop turn: wait until `ok` holds (or 3 s pass).
template <class F>
server_stats settle(const net_server& s, F ok) {
    server_stats st = s.stats();
    for (int i = 0; i < 300 && !ok(st); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        st = s.stats();
    }
    return st;
}

// A response's status line and headers, up to the blank line (at most 4 KiB).
inline std::string read_head(int fd) {
    std::string h;
    char c;
    while (h.size() < 4096 && !(h.size() >= 4 && h.compare(h.size() - 4, 4, "\r\n\r\n") == 0)) {
        if (!read_exact(fd, &c, 1)) break;
        h += c;
    }
    return h;
}

inline std::vector<char> pattern(size_t n, unsigned seed) {
    std::vector<char> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<char>((i * 131 + seed * 7 + (i >> 9)) & 0xff);
    return v;
}

// One connection echoes `n` bytes: a writer thread pushes, this thread reads and compares.
inline void echo_bulk(const net_server& s, size_t n) {
    const int fd = dial(s);
    const auto out = pattern(n, 3);
    std::thread w([&] { EXPECT_TRUE(write_all(fd, out.data(), out.size())); });
    std::vector<char> in(n);
    EXPECT_TRUE(read_exact(fd, in.data(), n));
    w.join();
    size_t bad = 0;
    while (bad < n && in[bad] == out[bad]) ++bad;
    EXPECT_EQ(bad, n) << "first mismatch at byte " << bad;
    ::close(fd);
}

}  // namespace iobench::test
