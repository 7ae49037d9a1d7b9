// The in-kernel transfer methods: sendfile(2), splice(2) through a pipe, and
// tee(2) duplicating the pipe to a second receiver. No byte reaches user space.
#include "workloads/transfer_method.hpp"

#include "backends/unique_fd.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <unistd.h>

namespace iobench {

namespace {

struct pipe_pair {
    unique_fd r, w;
};

// A pipe sized to hold one chunk (up to 1 MiB), so one splice in fills it and one splice out drains it.
int make_pipe(uint32_t bs, pipe_pair& p, transfer_counts& c) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        c.error = "pipe2";
        return -errno;
    }
    p.r.reset(fds[0]);
    p.w.reset(fds[1]);
    ::fcntl(p.w.get(), F_SETPIPE_SZ, transfer_pipe_size(bs));  // best effort: the kernel may round it up
    return 0;
}

// Moves exactly `len` bytes from pipe `from` to socket `to` (blocking).
int drain(int from, int to, size_t len, transfer_counts& c, const char* what) {
    while (len > 0) {
        const ssize_t n = ::splice(from, nullptr, to, nullptr, len, SPLICE_F_MOVE | SPLICE_F_MORE);
        ++c.syscalls;
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            c.error = what;
            return n < 0 ? -errno : -EPIPE;
        }
        len -= static_cast<size_t>(n);
    }
    return 0;
}

// file -> pipe: up to `want` bytes at *off (advanced); the count, or -errno.
ssize_t fill(const transfer_io& io, int pipe_w, loff_t* off, size_t want, transfer_counts& c) {
    for (;;) {
        const ssize_t n = ::splice(io.file_fd, off, pipe_w, nullptr, want, SPLICE_F_MOVE | SPLICE_F_MORE);
        ++c.syscalls;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -errno;
        return n;
    }
}

}  // namespace

// With --direct, from the O_DIRECT fd: the kernel refuses an unaligned tail
// with EINVAL (KERNEL-FACTS §5 D), so the rest goes from the buffered fd.
int transfer_sendfile(const transfer_io& io, transfer_counts& c) {
    off_t off = 0;
    int from = io.direct_fd >= 0 ? io.direct_fd : io.file_fd;
    while (static_cast<uint64_t>(off) < io.size) {
        const auto want = static_cast<size_t>(std::min<uint64_t>(io.bs, io.size - static_cast<uint64_t>(off)));
        const ssize_t n = ::sendfile(io.sock, from, &off, want);
        ++c.syscalls;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EINVAL && from == io.direct_fd) {
            from = io.file_fd;
            c.direct_tail_bytes = io.size - static_cast<uint64_t>(off);
            continue;
        }
        if (n <= 0) {
            c.error = "sendfile";
            return n < 0 ? -errno : -EPIPE;
        }
        c.bytes += static_cast<uint64_t>(n);
    }
    return 0;
}

int transfer_splice(const transfer_io& io, transfer_counts& c) {
    pipe_pair p;
    if (const int e = make_pipe(io.bs, p, c)) return e;
    loff_t off = 0;
    while (static_cast<uint64_t>(off) < io.size) {
        const auto want = static_cast<size_t>(std::min<uint64_t>(io.bs, io.size - static_cast<uint64_t>(off)));
        const ssize_t n = fill(io, p.w.get(), &off, want, c);
        if (n <= 0) {
            c.error = "splice file -> pipe";
            return n < 0 ? static_cast<int>(n) : -EIO;  // 0 before the end: the file shrank
        }
        if (const int e = drain(p.r.get(), io.sock, static_cast<size_t>(n), c, "splice pipe -> socket")) return e;
        c.bytes += static_cast<uint64_t>(n);
    }
    return 0;
}

// The seed's tee example: file -> pipe A; tee A -> B (duplicates, A keeps its
// bytes); B -> receiver 2 and A -> receiver 1. tee may duplicate fewer bytes
// than A holds: drain exactly that many from A, then tee the rest.
int transfer_tee(const transfer_io& io, transfer_counts& c) {
    pipe_pair a, b;
    if (const int e = make_pipe(io.bs, a, c)) return e;
    if (const int e = make_pipe(io.bs, b, c)) return e;
    loff_t off = 0;
    while (static_cast<uint64_t>(off) < io.size) {
        const auto want = static_cast<size_t>(std::min<uint64_t>(io.bs, io.size - static_cast<uint64_t>(off)));
        const ssize_t n = fill(io, a.w.get(), &off, want, c);
        if (n <= 0) {
            c.error = "splice file -> pipe";
            return n < 0 ? static_cast<int>(n) : -EIO;
        }
        for (auto left = static_cast<size_t>(n); left > 0;) {
            const ssize_t t = ::tee(a.r.get(), b.w.get(), left, 0);
            ++c.syscalls;
            if (t < 0 && errno == EINTR) continue;
            if (t <= 0) {
                c.error = "tee";
                return t < 0 ? -errno : -EIO;
            }
            const auto m = static_cast<size_t>(t);
            if (const int e = drain(b.r.get(), io.sock2, m, c, "splice tee'd pipe -> socket 2")) return e;
            if (const int e = drain(a.r.get(), io.sock, m, c, "splice pipe -> socket 1")) return e;
            left -= m;
        }
        c.bytes += static_cast<uint64_t>(n);
    }
    return 0;
}

}  // namespace iobench
