// What the conformance tests share: the backend under test (chosen by main()),
// scratch files on disk, page-aligned buffers, loopback TCP and run_all().
#pragma once

#include "backends/registry.hpp"
#include "backends/unique_fd.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <netinet/in.h>
#include <span>
#include <string>
#include <vector>

namespace iobench::test {

// The backend and target named on the command line; set once by main().
void set_current(const backend_entry& entry, io_target target);
const backend_entry& current_entry();
io_target current_target();
bool has_cap(uint32_t bit);

// A fresh instance, created on the calling thread: io_uring's SINGLE_ISSUER
// binds the ring to its creator, so create and drive it on the same thread.
std::unique_ptr<backend> make(unsigned depth = 32);

// Scratch directory on disk (the build tree's tmp/, never /dev/shm); created on first use.
const std::string& tmp_dir();

// A heap buffer aligned to 4096, as O_DIRECT wants.
class aligned_buffer {
public:
    explicit aligned_buffer(size_t size);
    aligned_buffer(const aligned_buffer&) = delete;
    aligned_buffer& operator=(const aligned_buffer&) = delete;
    ~aligned_buffer();
    uint8_t* data() const { return data_; }
    size_t size() const { return size_; }
    std::span<uint8_t> span() const { return {data_, size_}; }

private:
    uint8_t* data_ = nullptr;
    size_t size_ = 0;
};

// Deterministic bytes: the pattern for `seed` is the file's content at offset
// `seed` (seeds are multiples of 8), so any block can be checked on its own.
void fill_pattern(std::span<uint8_t> out, uint64_t seed);
// Index of the first byte that differs from the pattern, or -1.
long pattern_mismatch(std::span<const uint8_t> got, uint64_t seed);

// A scratch file of `size` pattern bytes (fill_pattern seed 0), written through
// the page cache, synced and dropped from it, then reopened O_RDWR|O_DIRECT.
class temp_file {
public:
    explicit temp_file(uint64_t size);
    temp_file(const temp_file&) = delete;
    temp_file& operator=(const temp_file&) = delete;
    ~temp_file();
    int fd() const { return fd_.get(); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
    unique_fd fd_;
};

// The backend's socket mode: non-blocking (epoll needs it) unless the backend
// says cap_blocking_fds (a user thread waits inside each syscall: blocking,
// glibc POSIX AIO; on a non-blocking socket they would hand back -EAGAIN).
bool nonblocking_sockets();
void set_nonblocking(int fd, bool on);
unique_fd tcp_socket(bool nonblocking);
// For the helper threads that play the peer: never block forever.
void set_io_timeouts(int fd, std::chrono::seconds t);

// A loopback listener on an ephemeral port.
struct tcp_listener {
    explicit tcp_listener(bool nonblocking);
    unique_fd fd;
    sockaddr_in addr{};
};

// A connected pair made with plain syscalls: `a` in the backend's socket
// mode, `b` (the peer, driven by the test) blocking.
struct tcp_pair {
    unique_fd a, b;
};
tcp_pair make_tcp_pair(const tcp_listener& l);

inline io_op make_op(op_kind kind, int fd, void* buf, uint32_t len, uint64_t token, uint64_t offset = 0) {
    io_op op;
    op.kind = kind;
    op.fd = fd;
    op.buf = buf;
    op.len = len;
    op.offset = offset;
    op.token = token;
    return op;
}

// Every completion per token, in arrival order.
using completion_map = std::map<uint64_t, std::vector<io_completion>>;

// Prepares and submits `ops`, reaps until each has its final completion
// (no cqe_more) or `deadline` passes (a test failure, not a hang), then checks
// that nothing more arrives. Submit errors are recorded as failures: per-op
// errors must come back as completions.
completion_map run_all(backend& be, std::span<const io_op> ops,
                       std::chrono::milliseconds deadline = std::chrono::seconds(10));
// Reaps (no submit) until `n` final completions arrived or `deadline` passed.
completion_map reap_finals(backend& be, size_t n, std::chrono::milliseconds deadline = std::chrono::seconds(10));
// Each of `ops` completed exactly once, with no flags and result `want`
// (`op_len`: each op's own len, so a token swapped between ops shows).
inline constexpr int64_t op_len = INT64_MAX;
void expect_all(const completion_map& got, std::span<const io_op> ops, int64_t want);
// One op through run_all(); its single completion's result (or INT64_MIN).
int64_t run_one(backend& be, const io_op& op);

}  // namespace iobench::test
