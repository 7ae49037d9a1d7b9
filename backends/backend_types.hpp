// The plain types of the backend interface: ops, completions, capability
// bits, options and counters. The class itself is in backend.hpp.
#pragma once

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
    uint64_t token = 0;   // returned unchanged in every completion of this op; < 2^63 (see below)
};

// The top bit of a token is the backend's own (io_uring marks buffer-select
// recvs with it in user_data, so a CQE needs no table lookup to know): an op
// whose token has it set completes with -EINVAL and never reaches the kernel.
inline constexpr uint64_t token_reserved_bit = uint64_t{1} << 63;

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

// posix_aio on files: glibc runs the requests of one fd one after another on
// one helper thread, so per_slot (one fd per in-flight slot) is what gets
// `depth` requests running at once; one is a single fd, as an application
// with one open file (and fio's posixaio engine) has it.
enum class aio_fd_mode : uint8_t { per_slot, one };

// Construction-time options; each backend reads the ones that concern it.
struct backend_options {
    unsigned depth = 32;              // most ops outstanding at once on this instance (see backend.hpp)
    // Ops the caller hands to one submit() call: the storage engine prepares
    // and submits in chunks of --batch (0 or 1 = one op per submit, its
    // default). The caller does the chunking. A backend hands all it holds at
    // submit() to the kernel in one syscall where its model has one
    // (io_uring_submit, io_submit, lio_listio) and never splits or holds ops
    // back, so ops per submit syscall = batch; blocking and epoll run one
    // syscall per op whatever batch says, and their describe() says so.
    unsigned batch = 0;
    bool registered_files = false;    // io_uring: IORING_REGISTER_FILES
    bool fixed_buffers = false;       // io_uring: IORING_REGISTER_BUFFERS + READ/WRITE_FIXED
    unsigned sqpoll_idle_ms = 100;    // io_uring_sqpoll: sq_thread_idle
    int sqpoll_cpu = -1;              // io_uring_sqpoll: pin the poller (SQ_AFF), -1 = no
    aio_notify notify = aio_notify::suspend;  // posix_aio completion notification
    aio_fd_mode aio_fds = aio_fd_mode::per_slot;  // posix_aio: fds the storage engine opens (cap_fd_per_slot)
    // IOBENCH_TEST_FAULT=small_cq (test-only): io_uring gets a 2-entry SQ and
    // CQ whatever the depth, so completions overflow into the kernel's backlog.
    bool test_small_cq = false;
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
    uint64_t retry_giveups = 0;    // transient failures (EAGAIN, EINTR, full queue) retried to the bound, then failed
    uint64_t reap_calls = 0;       // reap() calls (the front counts them; a call may wait or not)
    uint64_t enter_calls = 0;      // io_uring: io_uring_enter syscalls made (submit, wait, get_events)
    uint64_t cqes = 0;             // io_uring: CQEs harvested from the ring

    backend_counters& operator+=(const backend_counters& o) {
        submit_calls += o.submit_calls;
        enobufs_rearms += o.enobufs_rearms;
        cq_overflows += o.cq_overflows;
        zc_sends += o.zc_sends;
        zc_copied += o.zc_copied;
        retry_giveups += o.retry_giveups;
        reap_calls += o.reap_calls;
        enter_calls += o.enter_calls;
        cqes += o.cqes;
        return *this;
    }
    // What was counted between two snapshots (cq_overflows included: it only grows).
    backend_counters operator-(const backend_counters& o) const {
        backend_counters d;
        d.submit_calls = submit_calls - o.submit_calls;
        d.enobufs_rearms = enobufs_rearms - o.enobufs_rearms;
        d.cq_overflows = cq_overflows - o.cq_overflows;
        d.zc_sends = zc_sends - o.zc_sends;
        d.zc_copied = zc_copied - o.zc_copied;
        d.retry_giveups = retry_giveups - o.retry_giveups;
        d.reap_calls = reap_calls - o.reap_calls;
        d.enter_calls = enter_calls - o.enter_calls;
        d.cqes = cqes - o.cqes;
        return d;
    }
};

}  // namespace iobench
