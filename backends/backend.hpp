// The one I/O backend interface: completion-based, batched, caller-owned ops.
// Files and sockets share it; socket-only abilities (multishot, provided
// buffers, zero-copy send) are capability bits, not extra methods.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <sys/uio.h>

namespace iobench {

enum class op_kind : uint8_t { read, write, fsync, recv, send, accept, connect };

std::string_view to_string(op_kind k);

// Per-op modifiers. A backend only ever receives flags its caps() advertise.
enum op_flag : uint8_t {
    op_multishot = 1 << 0,      // accept/recv: one submission, many completions (cqe_more)
    op_buffer_select = 1 << 1,  // recv: the kernel picks a buffer from group `buf_group`
    op_zerocopy = 1 << 2,       // send: zero-copy; a cqe_notif completion frees the buffer
};

// One operation. The caller owns `buf` until the op's last completion.
// For connect, `buf`/`len` hold the sockaddr.
struct io_op {
    op_kind kind = op_kind::read;
    uint8_t flags = 0;
    uint16_t buf_group = 0;
    int fd = -1;
    void* buf = nullptr;
    uint32_t len = 0;
    uint64_t offset = 0;  // file offset; ignored for sockets
    uint64_t token = 0;   // returned unchanged in every completion of this op
};

enum completion_flag : uint32_t {
    cqe_more = 1 << 0,    // more completions follow for this op (multishot, zero-copy send)
    cqe_buffer = 1 << 1,  // buf/buf_id name a provided buffer: give it back with return_buffer()
    cqe_notif = 1 << 2,   // zero-copy notification: the send buffer is free again
    cqe_copied = 1 << 3,  // ...with the kernel reporting that it copied after all
};

struct io_completion {
    uint64_t token = 0;
    int64_t result = 0;  // bytes (a new fd for accept), or -errno. Never a bare -1.
    uint32_t flags = 0;
    uint16_t buf_id = 0;
    void* buf = nullptr;  // with cqe_buffer: where the kernel put the data
};

// Capability bits, reported by list and checked by workloads before they ask.
enum cap : uint32_t {
    cap_files = 1 << 0,              // regular-file read/write/fsync
    cap_sockets = 1 << 1,            // recv/send/accept/connect
    cap_kernel_async = 1 << 2,       // the kernel runs ops without a user thread per op
    cap_batch = 1 << 3,              // many ops per submit syscall
    cap_busy_poll = 1 << 4,          // a kernel or user thread spins (SQPOLL, IOPOLL)
    cap_needs_direct = 1 << 5,       // only O_DIRECT is asynchronous / allowed
    cap_one_op_per_thread = 1 << 6,  // depth N means N threads with one instance each
    cap_fd_per_slot = 1 << 7,        // wants a separate fd per in-flight slot (glibc AIO)
    cap_multishot = 1 << 8,          // op_multishot on accept/recv
    cap_provided_buffers = 1 << 9,   // op_buffer_select with add_buffer_group()
    cap_zerocopy_send = 1 << 10,     // op_zerocopy on send
    cap_registered_files = 1 << 11,  // attach() registers the files with the kernel
    cap_fixed_buffers = 1 << 12,     // attach() registers the buffers with the kernel
    cap_accept_connect = 1 << 13,    // accept/connect run through the backend (else -EOPNOTSUPP)
    cap_blocking_fds = 1 << 14,      // wants blocking sockets: a thread waits inside each syscall
};

std::string caps_to_string(uint32_t caps);

enum class aio_notify : uint8_t { suspend, signal, thread };

// Construction-time options; each backend reads the ones that concern it.
struct backend_options {
    unsigned depth = 32;              // most ops outstanding at once on this instance
    unsigned batch = 0;               // ops per submit; 0 = whatever is prepared
    bool registered_files = false;    // io_uring: IORING_REGISTER_FILES
    bool fixed_buffers = false;       // io_uring: IORING_REGISTER_BUFFERS + READ/WRITE_FIXED
    unsigned sqpoll_idle_ms = 100;    // io_uring_sqpoll: sq_thread_idle
    int sqpoll_cpu = -1;              // io_uring_sqpoll: pin the poller (SQ_AFF), -1 = no
    aio_notify notify = aio_notify::suspend;  // posix_aio completion notification
};

// What a run will use, handed over once after construction on the thread
// that will drive the backend (io_uring SINGLE_ISSUER binds to it).
struct backend_resources {
    std::span<const int> files;
    std::span<const iovec> buffers;
};

// Counters a backend keeps about itself; the harness copies them into results.
struct backend_counters {
    uint64_t submit_calls = 0;     // syscalls (or library calls) that handed ops over
    uint64_t enobufs_rearms = 0;   // multishot recv re-armed after the buffer ring ran dry
    uint64_t cq_overflows = 0;
    uint64_t zc_sends = 0;         // zero-copy notifications that reported real zero-copy
    uint64_t zc_copied = 0;        // ...and those that reported the kernel copied

    backend_counters& operator+=(const backend_counters& o) {
        submit_calls += o.submit_calls;
        enobufs_rearms += o.enobufs_rearms;
        cq_overflows += o.cq_overflows;
        zc_sends += o.zc_sends;
        zc_copied += o.zc_copied;
        return *this;
    }
};

/**
 * Contract:
 *  - prepare() queues ops (no syscall needed); the caller never has more than
 *    options.depth ops prepared or in flight (a multishot op counts once until
 *    its final completion, the one without cqe_more).
 *  - submit() hands queued ops to the kernel: >= 0 ops submitted, or -errno.
 *  - reap() waits until at least `min` completions are available or `timeout`
 *    passes, fills `out`, and returns how many (0 on timeout) or -errno.
 *  - Per-op failures are completions with result = -errno. Exceptions
 *    (std::system_error with a clear message) are for setup only.
 *  - Backends never read the clock: the harness stamps submit and completion.
 */
class backend {
public:
    virtual ~backend() = default;
    virtual std::string_view name() const = 0;
    virtual uint32_t caps() const = 0;
    // One line on the setup that runs (flags, modes, notification) for results.
    virtual std::string describe() const = 0;

    virtual void attach(const backend_resources&) {}
    // Provided buffers for op_buffer_select recv: `count` (a power of two)
    // buffers of `buf_size` bytes at `base`, ids 0..count-1.
    virtual void add_buffer_group(uint16_t group, void* base, uint32_t buf_size, uint32_t count);
    virtual void return_buffer(uint16_t group, uint16_t buf_id);

    virtual void prepare(std::span<const io_op> ops) = 0;
    virtual int submit() = 0;
    virtual int reap(std::span<io_completion> out, unsigned min, std::chrono::nanoseconds timeout) = 0;
    // Ask the kernel to stop an op (e.g. a multishot one): 0 or -ENOENT. Its
    // final completion (-ECANCELED, no cqe_more) still comes through reap().
    // Tokens of ops in flight must be unique for this to name one op.
    virtual int cancel(uint64_t token);
    // The caller is about to close `fd`, with no op pending on it: drop what
    // the backend keeps about it (epoll's registration), so the number can be reused.
    virtual void forget_fd(int) {}

    virtual backend_counters counters() const { return {}; }
};

}  // namespace iobench
