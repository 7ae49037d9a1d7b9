// io_uring backend: one class, three ring modes (interrupt with
// SINGLE_ISSUER|DEFER_TASKRUN, SQPOLL, IOPOLL). Files: read/write (+_FIXED),
// fdatasync. Sockets: recv/send/accept/connect, multishot accept/recv over
// provided buffer rings (ENOBUFS parked and re-armed, never shown), send_zc.
#include "backends/io_uring.hpp"

#include "backends/probe_util.hpp"
#include "backends/uring_buf_ring.hpp"
#include "backends/uring_compat.hpp"
#include "backends/uring_setup.hpp"

#include <algorithm>
#include <cerrno>
#include <liburing.h>
#include <memory>
#include <sys/socket.h>
#include <system_error>
#include <vector>


namespace iobench {

namespace {

using mode = uring_mode;

// user_data is the caller's token (< 2^63, checked by the front), with the
// top bit set for buffer-select recvs: only their CQEs need the bsel_ table,
// and the bit says so without a lookup. The backend makes no requests of
// its own that would post CQEs (cancel is synchronous).
constexpr uint64_t bsel_flag = token_reserved_bit;

uint32_t caps_of(mode m) {
    return m == mode::interrupt ? io_uring_caps : m == mode::sqpoll ? io_uring_sqpoll_caps : io_uring_iopoll_caps;
}

class io_uring_backend final : public backend, private provided_buffers {
public:
    io_uring_backend(mode m, const backend_options& o)
        : backend(uring_mode_name(m), caps_of(m), o), mode_(m), opts_(o), sq_entries_(o.test_small_cq ? 2u : uring_sq_entries(depth_)),
          bsel_(depth_) {
        io_uring_params p = uring_params(m, o, sq_entries_);
        setup_flags_ = p.flags;
        const int r = ring_.init(sq_entries_, p);
        if (r < 0) {
            const std::string hint = -r == ENOMEM ? uring_memlock_hint() : std::string();
            throw std::system_error(-r, std::system_category(),
                                    std::string(name()) + ": io_uring_queue_init_params(" + uring_flags_text(p.flags) + ", " +
                                        errno_text(-r) + ")" + hint);
        }
        cq_entries_ = p.cq_entries;
        // Saves an fdget per io_uring_enter; SQPOLL rarely enters, so skip it there.
        if (m != mode::sqpoll) ring_fd_registered_ = io_uring_register_ring_fd(&ring_.ring) == 1;
    }

    std::string describe() const override {
        std::string d = "setup " + uring_flags_text(setup_flags_) + ", sq " + std::to_string(sq_entries_) + " cq " +
                        std::to_string(cq_entries_);
        if (mode_ == mode::sqpoll) {
            d += ", sq_thread_idle " + std::to_string(opts_.sqpoll_idle_ms) + " ms";
            if (opts_.sqpoll_cpu >= 0) d += ", sq_thread_cpu " + std::to_string(opts_.sqpoll_cpu);
        }
        d += std::string(", registered files ") + (opts_.registered_files ? "on" : "off");
        d += std::string(", fixed buffers ") + (opts_.fixed_buffers ? "on" : "off");
        d += ", one io_uring_submit per submit() (batch " + std::to_string(std::max(opts_.batch, 1u)) + ")";
        if (ring_fd_registered_) d += ", registered ring fd";
        return d;
    }

private:
    void on_attach(const backend_resources& res) override {
        if (opts_.registered_files && !res.files.empty()) attach_files(res.files);
        if (opts_.fixed_buffers && !res.buffers.empty()) attach_buffers(res.buffers);
    }

    // Provided buffers are for sockets: IOPOLL rings have none.
    provided_buffers* buffers() override { return mode_ == mode::iopoll ? nullptr : this; }

    void add_group(uint16_t group, void* base, uint32_t buf_size, uint32_t count) override {
        if (group >= groups_.size()) groups_.resize(size_t{group} + 1);
        if (groups_[group])
            throw std::system_error(EEXIST, std::system_category(), "io_uring buffer group " + std::to_string(group));
        groups_[group] = std::make_unique<uring_buf_group>(ring_.ring, group, base, buf_size, count);
    }

    void give_back(uint16_t group, uint16_t buf_id) override {
        if (group < groups_.size() && groups_[group]) groups_[group]->give_back(buf_id);
    }

    int on_submit(std::span<const io_op> ops, size_t& taken) override {
        if (parked_) rearm_parked();
        size_t moved = 0;
        for (; moved < ops.size(); ++moved) {
            const io_op& op = ops[moved];
            if (is_bsel(op) && !admissible(op)) continue;
            io_uring_sqe* sqe = next_sqe();
            if (!sqe) break;
            fill(*sqe, op);
        }
        const int r = flush();
        // On failure the SQEs stay in the SQ and go with the next good submit.
        taken = moved;
        return r < 0 ? r : static_cast<int>(moved);
    }

    // One wait at most; the front loops (to its deadline) when it brought too little.
    harvest on_reap(std::span<io_completion> out, unsigned min, const timespec* timeout) override {
        if (io_uring_cq_has_overflow(&ring_.ring)) {
            // The CQ filled and the kernel kept CQEs in its backlog; entering flushes it.
            ++cq_backlogs_;
            get_events();
        }
        // Times the CQ overflowed into the kernel backlog, plus CQEs the kernel had to drop.
        counters_.cq_overflows = cq_backlogs_ + IO_URING_READ_ONCE(*ring_.ring.cq.koverflow);
        size_t got = drain(out);
        const bool no_wait = timeout && timeout->tv_sec == 0 && timeout->tv_nsec == 0;
        if (got >= min || no_wait) {
            // DEFER_TASKRUN/IOPOLL: completions surface only when we enter.
            if (got == 0 && mode_ != mode::sqpoll) {
                get_events();
                got += drain(out);
            }
            return {static_cast<int>(got), false};
        }
        if (parked_) {
            rearm_parked();
            flush();
        }
        const auto need = static_cast<unsigned>(min - got);
        int r;
        if (mode_ == mode::iopoll) {
            // The kernel ignores wait timeouts on polled rings, and a polling
            // enter returns early (a failed bio completes through task work
            // after the poll loop gave up): one enter here, the front loops.
            ++counters_.enter_calls;  // wait_nr > 0: liburing always enters
            r = io_uring_submit_and_wait(&ring_.ring, need);
        } else {
            __kernel_timespec ts{};
            if (timeout) ts = {timeout->tv_sec, timeout->tv_nsec};
            io_uring_cqe* cqe = nullptr;
            // liburing enters when the CQ holds fewer than asked for (once;
            // again only without a timeout, after a wake-up with nothing).
            if (io_uring_cq_ready(&ring_.ring) < need) ++counters_.enter_calls;
            r = io_uring_wait_cqes(&ring_.ring, &cqe, need, timeout ? &ts : nullptr, nullptr);
        }
        got += drain(out.subspan(got));
        if (r == -ETIME) return {static_cast<int>(got), true};  // the timeout, not an error
        if (r < 0 && r != -EINTR && r != -EAGAIN && got == 0) return {r, false};
        return {static_cast<int>(got), false};
    }

    int on_cancel(uint64_t token) override {
        uint64_t ud = token;
        if (uring_bsel_op* op = bsel_.find(token)) {
            if (op->parked) {  // not in the kernel right now: finish it here
                bsel_.erase(token);
                --parked_;
                complete_local(token, -ECANCELED);
                return 0;
            }
            op->cancelled = true;  // its -ENOBUFS end may already sit in the CQ
            ud |= bsel_flag;
        }
        // Synchronous cancel (6.0+): it posts no CQE of its own, so it needs
        // no user_data outside the caller's token space. The op's final CQE
        // (-ECANCELED, no F_MORE) still comes through reap().
        io_uring_sync_cancel_reg reg{};
        reg.addr = ud;
        reg.fd = -1;
        reg.timeout = {1, 0};
        int r;
        for (retry_state st; (r = io_uring_register_sync_cancel(&ring_.ring, &reg)) == -EINTR && retry(st, false);) {}
        // A buffer-select recv that already ended in the kernel: the cancelled
        // mark turns its pending -ENOBUFS end into the final completion.
        if (r == -ENOENT && bsel_.find(token)) return 0;
        return r < 0 ? r : 0;
    }

    struct fixed_region {
        uintptr_t begin, end;
        int index;
    };

    void attach_files(std::span<const int> files) {
        if (!file_index_.empty()) io_uring_unregister_files(&ring_.ring);
        const int r = io_uring_register_files(&ring_.ring, files.data(), static_cast<unsigned>(files.size()));
        if (r < 0)
            throw std::system_error(-r, std::system_category(),
                                    std::string(name()) + ": io_uring_register_files (" + std::to_string(files.size()) + " files)");
        // fd -> index, a flat table: fds are small.
        const int max_fd = *std::max_element(files.begin(), files.end());
        file_index_.assign(static_cast<size_t>(std::max(max_fd, 0)) + 1, -1);
        for (size_t i = 0; i < files.size(); ++i)
            if (files[i] >= 0) file_index_[static_cast<size_t>(files[i])] = static_cast<int>(i);
    }

    void attach_buffers(std::span<const iovec> bufs) {
        if (!fixed_.empty()) io_uring_unregister_buffers(&ring_.ring);
        const int r = io_uring_register_buffers(&ring_.ring, bufs.data(), static_cast<unsigned>(bufs.size()));
        if (r < 0)
            throw std::system_error(-r, std::system_category(),
                                    std::string(name()) + ": io_uring_register_buffers (" + std::to_string(bufs.size()) +
                                        " buffers, " + errno_text(-r) + ")" + (r == -ENOMEM ? uring_memlock_hint() : std::string()));
        fixed_.clear();
        for (size_t i = 0; i < bufs.size(); ++i) {
            const auto b = reinterpret_cast<uintptr_t>(bufs[i].iov_base);
            fixed_.push_back({b, b + bufs[i].iov_len, static_cast<int>(i)});
        }
        std::sort(fixed_.begin(), fixed_.end(), [](const fixed_region& a, const fixed_region& b) { return a.begin < b.begin; });
    }

    // Index of the registered buffer holding [buf, buf+len), or -1.
    int fixed_index(const void* buf, uint32_t len) const {
        if (fixed_.empty()) return -1;
        const auto p = reinterpret_cast<uintptr_t>(buf);
        auto it = std::upper_bound(fixed_.begin(), fixed_.end(), p, [](uintptr_t v, const fixed_region& r) { return v < r.begin; });
        if (it == fixed_.begin()) return -1;
        --it;
        return p + len <= it->end ? it->index : -1;
    }

    static bool is_bsel(const io_op& op) {
        return op.kind == op_kind::recv && (op.flags & (op_buffer_select | op_multishot));
    }

    // A buffer-select recv needs a known group and a table slot (so its CQEs
    // can name their buffer); otherwise it completes here with an error.
    bool admissible(const io_op& op) {
        int err = 0;
        if (op.buf_group >= groups_.size() || !groups_[op.buf_group]) err = EINVAL;
        else if (bsel_.full()) err = EBUSY;  // unreachable: the front keeps to depth
        if (err) complete_local(op.token, -err);
        return err == 0;
    }

    std::pair<int, bool> file_of(int fd) const {
        if (fd >= 0 && static_cast<size_t>(fd) < file_index_.size() && file_index_[static_cast<size_t>(fd)] >= 0)
            return {file_index_[static_cast<size_t>(fd)], true};
        return {fd, false};
    }

    void fill(io_uring_sqe& sqe, const io_op& op) {
        const auto [fd, fixed] = file_of(op.fd);
        switch (op.kind) {
        case op_kind::read:
        case op_kind::write: {
            const int idx = fixed_index(op.buf, op.len);
            const bool rd = op.kind == op_kind::read;
            if (idx >= 0 && rd) io_uring_prep_read_fixed(&sqe, fd, op.buf, op.len, op.offset, idx);
            else if (idx >= 0) io_uring_prep_write_fixed(&sqe, fd, op.buf, op.len, op.offset, idx);
            else if (rd) io_uring_prep_read(&sqe, fd, op.buf, op.len, op.offset);
            else io_uring_prep_write(&sqe, fd, op.buf, op.len, op.offset);
            break;
        }
        case op_kind::fsync: io_uring_prep_fsync(&sqe, fd, IORING_FSYNC_DATASYNC); break;
        case op_kind::recv:
            if (is_bsel(op)) {
                prep_bsel(sqe, *bsel_.insert({op.token, fd, op.len, op.buf_group, fixed, (op.flags & op_multishot) != 0}));
                return;
            }
            io_uring_prep_recv(&sqe, fd, op.buf, op.len, 0);
            break;
        case op_kind::send:
            if (op.flags & op_zerocopy) io_uring_prep_send_zc(&sqe, fd, op.buf, op.len, MSG_NOSIGNAL, IORING_SEND_ZC_REPORT_USAGE);
            else io_uring_prep_send(&sqe, fd, op.buf, op.len, MSG_NOSIGNAL);
            break;
        case op_kind::accept:
            if (op.flags & op_multishot) io_uring_prep_multishot_accept(&sqe, fd, nullptr, nullptr, SOCK_CLOEXEC);
            else io_uring_prep_accept(&sqe, fd, nullptr, nullptr, SOCK_CLOEXEC);
            break;
        case op_kind::connect:
            io_uring_prep_connect(&sqe, fd, static_cast<const sockaddr*>(op.buf), static_cast<socklen_t>(op.len));
            break;
        }
        if (fixed) sqe.flags |= IOSQE_FIXED_FILE;
        io_uring_sqe_set_data64(&sqe, op.token);
    }

    static void prep_bsel(io_uring_sqe& sqe, const uring_bsel_op& b) {
        if (b.multishot) io_uring_prep_recv_multishot(&sqe, b.fd, nullptr, 0, 0);
        else io_uring_prep_recv(&sqe, b.fd, nullptr, b.len, 0);
        sqe.flags |= IOSQE_BUFFER_SELECT | (b.fixed_file ? IOSQE_FIXED_FILE : 0);
        sqe.buf_group = b.group;
        io_uring_sqe_set_data64(&sqe, b.token | bsel_flag);
    }

    // Parked ops go back to the kernel once their group has a buffer again.
    void rearm_parked() {
        bsel_.for_each([this](uring_bsel_op& b) {
            if (!b.parked || !groups_[b.group]->has_free()) return;
            io_uring_sqe* sqe = next_sqe();
            if (!sqe) return;
            prep_bsel(*sqe, b);
            b.parked = false;
            --parked_;
            ++counters_.enobufs_rearms;
        });
    }

    io_uring_sqe* next_sqe() {
        for (retry_state st;;) {
            if (io_uring_sqe* sqe = io_uring_get_sqe(&ring_.ring)) return sqe;
            // SQ full: hand what is queued over to make room. With SQPOLL the
            // poller frees slots only once it has consumed them.
            if (flush() < 0) return nullptr;
            if (mode_ == mode::sqpoll && io_uring_sq_space_left(&ring_.ring) == 0) {
                ++counters_.enter_calls;  // IORING_ENTER_SQ_WAIT
                io_uring_sqring_wait(&ring_.ring);
            }
            if (!retry(st, false)) return nullptr;
        }
    }

    // Whether io_uring_submit will enter the kernel, decided as liburing 2.3
    // decides (sq_ring_needs_enter, cq_ring_needs_enter): with SQEs to hand
    // over, always, except with SQPOLL, where only a sleeping poller
    // (NEED_WAKEUP) is woken by an enter; and whenever the CQ needs a flush.
    bool submit_enters() const {
        const unsigned kflags = IO_URING_READ_ONCE(*ring_.ring.sq.kflags);
        if (io_uring_sq_ready(&ring_.ring) > 0 && (mode_ != mode::sqpoll || (kflags & IORING_SQ_NEED_WAKEUP)))
            return true;
        return mode_ == mode::iopoll || (kflags & (IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN));
    }

    // io_uring_submit: with SQPOLL it enters only when the poller sleeps (NEED_WAKEUP).
    int flush() {
        for (retry_state st;;) {
            if (submit_enters()) ++counters_.enter_calls;
            const int r = io_uring_submit(&ring_.ring);
            if (r >= 0) {
                if (r > 0) ++counters_.submit_calls;
                return r;
            }
            if ((r != -EINTR && r != -EAGAIN) || !retry(st)) return r;
        }
    }

    void get_events() {
        for (retry_state st;;) {
            ++counters_.enter_calls;  // always one enter (GETEVENTS)
            if (io_uring_get_events(&ring_.ring) != -EINTR || !retry(st, false)) return;
        }
    }

    // Moves CQEs into `out` (hidden ones, parked -ENOBUFS ends, are consumed too).
    size_t drain(std::span<io_completion> out) {
        size_t n = 0;
        unsigned seen = 0, head;
        io_uring_cqe* cqe;
        io_uring_for_each_cqe(&ring_.ring, head, cqe) {
            if (n == out.size()) break;
            ++seen;
            if (translate(*cqe, out[n])) ++n;
        }
        if (seen) io_uring_cq_advance(&ring_.ring, seen);
        counters_.cqes += seen;
        return n;
    }

    // CQE -> completion; false when the caller must not see it.
    bool translate(const io_uring_cqe& cqe, io_completion& c) {
        const uint64_t ud = cqe.user_data;
        c = {ud, cqe.res, 0, 0, nullptr};
        if (cqe.flags & IORING_CQE_F_NOTIF) {
            // send_zc notification: with REPORT_USAGE res is 0 or
            // IORING_NOTIF_USAGE_ZC_COPIED (0x80000000): negative as int32,
            // yet not an error.
            const bool copied = static_cast<uint32_t>(cqe.res) & IORING_NOTIF_USAGE_ZC_COPIED;
            c.result = 0;
            c.flags = cqe_notif | (copied ? uint32_t{cqe_copied} : 0u);
            ++(copied ? counters_.zc_copied : counters_.zc_sends);
            return true;
        }
        if (cqe.flags & IORING_CQE_F_MORE) c.flags |= cqe_more;
        if (!(ud & bsel_flag)) return true;
        const uint64_t token = ud & ~bsel_flag;
        c.token = token;
        uring_bsel_op* b = bsel_.find(token);
        if (!b) return true;  // cannot happen: every flagged op is in the table until its end
        if (cqe.flags & IORING_CQE_F_BUFFER) {
            const auto bid = static_cast<uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
            uring_buf_group& g = *groups_[b->group];
            g.delivered();
            c.flags |= cqe_buffer;
            c.buf_id = bid;
            c.buf = g.buffer(bid);
        }
        if (!(cqe.flags & IORING_CQE_F_MORE)) {
            // Multishot recv ends with -ENOBUFS (flags 0) when the ring runs
            // dry; the data is still in the socket. Park and re-arm later.
            if (cqe.res == -ENOBUFS && !b->cancelled) {
                b->parked = true;
                ++parked_;
                return false;
            }
            if (cqe.res == -ENOBUFS) c.result = -ECANCELED;  // cancel() raced the ring running dry
            bsel_.erase(token);
        }
        return true;
    }

    const mode mode_;
    const backend_options opts_;
    const unsigned sq_entries_;
    unsigned cq_entries_ = 0;
    unsigned setup_flags_ = 0;
    bool ring_fd_registered_ = false;
    std::vector<int> file_index_;       // fd -> registered index, -1 = not registered
    std::vector<fixed_region> fixed_;   // registered buffers, sorted by address
    std::vector<std::unique_ptr<uring_buf_group>> groups_;  // by group id
    uring_bsel_table bsel_;
    unsigned parked_ = 0;
    uint64_t cq_backlogs_ = 0;
    uring_owner ring_;  // last member: the ring exits before the buffer rings are unmapped
};

}  // namespace

probe_result probe_io_uring(const probe_context& ctx) { return uring_probe(uring_mode::interrupt, ctx); }
probe_result probe_io_uring_sqpoll(const probe_context& ctx) { return uring_probe(uring_mode::sqpoll, ctx); }
probe_result probe_io_uring_iopoll(const probe_context& ctx) { return uring_probe(uring_mode::iopoll, ctx); }

std::unique_ptr<backend> make_io_uring(const backend_options& o) {
    return std::make_unique<io_uring_backend>(mode::interrupt, o);
}
std::unique_ptr<backend> make_io_uring_sqpoll(const backend_options& o) {
    return std::make_unique<io_uring_backend>(mode::sqpoll, o);
}
std::unique_ptr<backend> make_io_uring_iopoll(const backend_options& o) {
    return std::make_unique<io_uring_backend>(mode::iopoll, o);
}

}  // namespace iobench
