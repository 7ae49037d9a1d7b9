// The io_uring transfer methods, each on a ring of its own (SINGLE_ISSUER |
// DEFER_TASKRUN, made on the sending thread): linked SPLICE pairs through a
// pipe, and SEND_ZC from a ring of buffers with the kernel's usage reports.
#include "workloads/transfer_method.hpp"

#include "backends/unique_fd.hpp"
#include "backends/uring_compat.hpp"
#include "backends/uring_setup.hpp"
#include "workloads/transfer_read.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <liburing.h>
#include <memory>
#include <sys/socket.h>
#include <unistd.h>


namespace iobench {

namespace {

// A ring on the sending thread (SINGLE_ISSUER | DEFER_TASKRUN) that has `opcode`.
class ring {
public:
    // 0, or -errno with c.unsupported set: a kernel without the ring or the opcode cannot run the method.
    int init(unsigned entries, int opcode, transfer_counts& c) {
        io_uring_params p{};
        p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
        if (const int e = owner_.init(entries, p); e < 0) {
            c.unsupported = true;
            c.error = "io_uring_queue_init_params";
            return e;
        }
        io_uring_probe* probe = io_uring_get_probe_ring(&owner_.ring);
        const bool has = probe && io_uring_opcode_supported(probe, opcode);
        if (probe) io_uring_free_probe(probe);
        if (!has) {
            c.unsupported = true;
            c.error = "io_uring probe: opcode not supported by this kernel";
            return -EOPNOTSUPP;
        }
        return 0;
    }
    io_uring* get() { return &owner_.ring; }

private:
    uring_owner owner_;
};

// Submits what is queued and waits for `want` CQEs (bounded: 10 s), one enter.
int submit_wait(io_uring* r, unsigned want, transfer_counts& c) {
    __kernel_timespec ts{10, 0};
    io_uring_cqe* cqe = nullptr;
    ++c.syscalls;
    const int e = io_uring_submit_and_wait_timeout(r, &cqe, want, &ts, nullptr);
    if (e == -ETIME) return -ETIMEDOUT;
    return e < 0 ? e : 0;
}

}  // namespace

// Each chunk is a linked pair: SPLICE file -> pipe, then SPLICE pipe -> socket.
// A short first splice breaks the link (the second completes -ECANCELED,
// KERNEL-FACTS §5), and a short second one leaves bytes in the pipe: either
// way the bytes in the pipe are re-issued alone until it is empty.
int transfer_uring_splice(const transfer_io& io, transfer_counts& c) {
    c.syscalls_counted = "io_uring_enter calls";
    ring rg;
    if (const int e = rg.init(8, IORING_OP_SPLICE, c)) return e;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        c.error = "pipe2";
        return -errno;
    }
    unique_fd pr(fds[0]), pw(fds[1]);
    ::fcntl(pw.get(), F_SETPIPE_SZ, transfer_pipe_size(io.bs));
    io_uring* r = rg.get();
    for (uint64_t off = 0; off < io.size;) {
        const auto want = static_cast<unsigned>(std::min<uint64_t>(io.bs, io.size - off));
        io_uring_sqe* a = io_uring_get_sqe(r);
        io_uring_prep_splice(a, io.file_fd, static_cast<int64_t>(off), pw.get(), -1, want, SPLICE_F_MOVE);
        a->flags |= IOSQE_IO_LINK;
        a->user_data = 1;
        io_uring_sqe* b = io_uring_get_sqe(r);
        io_uring_prep_splice(b, pr.get(), -1, io.sock, -1, want, SPLICE_F_MOVE);
        b->user_data = 2;
        if (const int e = submit_wait(r, 2, c)) {
            c.error = "io_uring_submit_and_wait (splice pair)";
            return e;
        }
        int in = -EIO, out = -EIO;
        io_uring_cqe* cqe;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(r, head, cqe) {
            (cqe->user_data == 1 ? in : out) = cqe->res;
            ++seen;
        }
        io_uring_cq_advance(r, seen);
        if (in <= 0) {
            c.error = "io_uring splice file -> pipe";
            return in < 0 ? in : -EIO;
        }
        auto left = static_cast<unsigned>(in) - (out > 0 ? static_cast<unsigned>(out) : 0u);
        if (out < 0 && out != -ECANCELED) {
            c.error = "io_uring splice pipe -> socket";
            return out;
        }
        while (left > 0) {  // the re-issue after a short splice
            io_uring_sqe* s = io_uring_get_sqe(r);
            io_uring_prep_splice(s, pr.get(), -1, io.sock, -1, left, SPLICE_F_MOVE);
            s->user_data = 3;
            if (const int e = submit_wait(r, 1, c)) {
                c.error = "io_uring_submit_and_wait (splice re-issue)";
                return e;
            }
            io_uring_peek_cqe(r, &cqe);
            const int res = cqe->res;
            io_uring_cqe_seen(r, cqe);
            if (res <= 0) {
                c.error = "io_uring splice pipe -> socket (re-issued)";
                return res < 0 ? res : -EPIPE;
            }
            left -= static_cast<unsigned>(res);
        }
        off += static_cast<uint64_t>(in);
        c.bytes += static_cast<uint64_t>(in);
    }
    return 0;
}

// read into a free buffer of a ring of `slots`, SEND_ZC it with REPORT_USAGE.
// One send is in flight at a time (sends on one TCP socket must stay in
// order), but any number of buffers may wait for their notification: the
// sender never waits on a notification while a buffer is free. user_data
// packs the slot and the send's byte count, so the notification CQE alone
// says whose bytes were (or were not) copied.
int transfer_uring_send_zc(const transfer_io& io, transfer_counts& c) {
    c.syscalls_counted = "io_uring_enter calls + preads";
    c.zerocopy_reported = true;
    constexpr unsigned slots = 8;
    ring rg;
    if (const int e = rg.init(2 * slots, IORING_OP_SEND_ZC, c)) return e;
    const aligned_buffer mem = alloc_aligned(static_cast<size_t>(io.bs) * slots, c);
    if (!mem) return -ENOMEM;
    char* base = mem.get();
    unsigned notifs[slots] = {};  // notifications still owed per slot: free at 0
    io_uring* r = rg.get();
    bool sending = false;
    uint64_t off = 0, acked = 0;  // read so far; confirmed sent
    unsigned owed = 0;            // notifications outstanding
    unsigned next = 0;
    while (acked < io.size || owed > 0) {
        // Issue the next chunk when no send is in flight and a buffer is free.
        if (!sending && off < io.size && notifs[next] == 0) {
            const auto want = static_cast<uint32_t>(std::min<uint64_t>(io.bs, io.size - off));
            char* p = base + static_cast<size_t>(next) * io.bs;
            if (const int e = read_chunk(io, p, off, want, c, "send_zc: pread")) return e;
            io_uring_sqe* s = io_uring_get_sqe(r);
            io_uring_prep_send_zc(s, io.sock, p, want, MSG_NOSIGNAL | MSG_WAITALL, IORING_SEND_ZC_REPORT_USAGE);
            s->user_data = (uint64_t{want} << 8) | next;
            ++notifs[next];
            ++owed;
            sending = true;
            off += want;
            next = (next + 1) % slots;
        }
        // Here nothing else can be issued (a send is in flight, every buffer is
        // owed, or the file is out): wait for any CQE, send or notification.
        if (const int e = submit_wait(r, 1, c)) {
            c.error = "io_uring_submit_and_wait (send_zc)";
            return e;
        }
        io_uring_cqe* cqe;
        unsigned head, seen = 0;
        int fail = 0;
        io_uring_for_each_cqe(r, head, cqe) {
            ++seen;
            const unsigned slot = cqe->user_data & 0xff;
            const uint64_t len = cqe->user_data >> 8;
            if (cqe->flags & IORING_CQE_F_NOTIF) {
                // res is 0 or IORING_NOTIF_USAGE_ZC_COPIED (INT_MIN as int32): a report, not an error.
                if (static_cast<uint32_t>(cqe->res) & IORING_NOTIF_USAGE_ZC_COPIED) c.bytes_copied += len;
                else c.bytes_zero_copied += len;
                --notifs[slot];
                --owed;
                continue;
            }
            sending = false;
            // MSG_WAITALL: a stream send completes whole or fails; anything short is a failure.
            if (cqe->res < 0 || static_cast<uint64_t>(cqe->res) != len) fail = cqe->res < 0 ? cqe->res : -EPIPE;
            else acked += len, c.bytes += len;
            // Without F_MORE no notification follows (the send failed before pinning anything).
            if (!(cqe->flags & IORING_CQE_F_MORE)) --notifs[slot], --owed;
        }
        io_uring_cq_advance(r, seen);
        if (fail) {
            c.error = "io_uring send_zc";
            return fail;
        }
    }
    return 0;
}

}  // namespace iobench
