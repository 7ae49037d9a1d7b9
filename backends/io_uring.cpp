// io_uring backend: one class, three ring modes (interrupt with
// SINGLE_ISSUER|DEFER_TASKRUN, SQPOLL, IOPOLL). Files: read/write (+_FIXED),
// fdatasync. Sockets: recv/send/accept/connect, multishot accept/recv over
// provided buffer rings (ENOBUFS parked and re-armed, never shown), send_zc.
#include "backends/io_uring.hpp"

#include "backends/uring_buf_ring.hpp"
#include "backends/uring_setup.hpp"

#include <algorithm>
#include <cerrno>
#include <liburing.h>
#include <memory>
#include <sys/socket.h>
#include <system_error>
#include <vector>

// liburing 2.3's copy of the uapi predates these (kernel 6.2): define by hand.
#ifndef IORING_SEND_ZC_REPORT_USAGE
#define IORING_SEND_ZC_REPORT_USAGE (1U << 3)
#endif
#ifndef IORING_NOTIF_USAGE_ZC_COPIED
#define IORING_NOTIF_USAGE_ZC_COPIED (1U << 31)
#endif

namespace iobench {

namespace {

using mode = uring_mode;

// user_data is always the caller's token (any uint64): the backend makes no
// requests of its own that would post CQEs (cancel is synchronous).
constexpr int max_retries = 64;  // bound on EINTR/EAGAIN/SQ-full retries

class io_uring_backend final : public backend {
public:
    io_uring_backend(mode m, const backend_options& o)
        : mode_(m), opts_(o), sq_entries_(uring_sq_entries(o.depth)), bsel_(std::max(o.depth, 1u)) {
        io_uring_params p = uring_params(m, o, sq_entries_);
        setup_flags_ = p.flags;
        const int r = ring_.init(sq_entries_, p);
        if (r < 0) {
            const std::string hint = -r == ENOMEM ? uring_memlock_hint() : std::string();
            throw std::system_error(-r, std::system_category(),
                                    std::string(name()) + ": io_uring_queue_init_params(" + uring_flags_text(p.flags) + ")" + hint);
        }
        cq_entries_ = p.cq_entries;
        // Saves an fdget per io_uring_enter; SQPOLL rarely enters, so skip it there.
        if (m != mode::sqpoll) ring_fd_registered_ = io_uring_register_ring_fd(&ring_.ring) == 1;
        pending_.reserve(o.depth);
        done_.reserve(o.depth);
    }

    std::string_view name() const override { return uring_mode_name(mode_); }
    uint32_t caps() const override {
        return mode_ == mode::interrupt ? io_uring_caps : mode_ == mode::sqpoll ? io_uring_sqpoll_caps : io_uring_iopoll_caps;
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
        d += ", batch " + (opts_.batch ? std::to_string(opts_.batch) : std::string("all prepared"));
        if (ring_fd_registered_) d += ", registered ring fd";
        return d;
    }

    void attach(const backend_resources& res) override {
        if (opts_.registered_files && !res.files.empty()) attach_files(res.files);
        if (opts_.fixed_buffers && !res.buffers.empty()) attach_buffers(res.buffers);
    }

    void add_buffer_group(uint16_t group, void* base, uint32_t buf_size, uint32_t count) override {
        if (mode_ == mode::iopoll) throw std::logic_error("io_uring_iopoll: provided buffers are for sockets");
        if (group >= groups_.size()) groups_.resize(size_t{group} + 1);
        if (groups_[group])
            throw std::system_error(EEXIST, std::system_category(), "io_uring buffer group " + std::to_string(group));
        groups_[group] = std::make_unique<uring_buf_group>(ring_.ring, group, base, buf_size, count);
    }

    void return_buffer(uint16_t group, uint16_t buf_id) override {
        if (group < groups_.size() && groups_[group]) groups_[group]->give_back(buf_id);
    }

    // Only copies: nothing reaches the kernel (or the SQ) before submit().
    void prepare(std::span<const io_op> ops) override { pending_.insert(pending_.end(), ops.begin(), ops.end()); }

    int submit() override {
        if (parked_) rearm_parked();
        size_t moved = 0;
        for (; moved < pending_.size(); ++moved) {
            const io_op& op = pending_[moved];
            if (is_bsel(op) && !admissible(op)) continue;
            io_uring_sqe* sqe = next_sqe();
            if (!sqe) break;
            fill(*sqe, op);
        }
        const int r = flush();
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(moved));  // no realloc
        // On failure the SQEs stay in the SQ and go with the next good submit.
        return r < 0 ? r : static_cast<int>(moved);
    }

    int reap(std::span<io_completion> out, unsigned min, std::chrono::nanoseconds timeout) override {
        if (out.empty()) return 0;
        if (io_uring_cq_has_overflow(&ring_.ring)) {
            // The CQ filled and the kernel kept CQEs in its backlog; entering flushes it.
            ++cq_backlogs_;
            get_events();
        }
        size_t got = take_local(out);
        got += drain(out.subspan(got));
        const size_t want = std::min<size_t>(min, out.size());
        if (got >= want || timeout <= std::chrono::nanoseconds::zero()) {
            // DEFER_TASKRUN/IOPOLL: completions surface only when we enter.
            if (got == 0 && mode_ != mode::sqpoll) {
                get_events();
                got += drain(out);
            }
            return static_cast<int>(got);
        }
        if (parked_) {
            rearm_parked();
            flush();
        }
        if (mode_ == mode::iopoll) return static_cast<int>(got + poll_wait(out.subspan(got), want - got, timeout));
        const auto secs = std::chrono::duration_cast<std::chrono::seconds>(timeout);
        __kernel_timespec ts{secs.count(), (timeout - secs).count()};
        for (int interrupted = 0; got < want;) {
            io_uring_cqe* cqe = nullptr;
            const int r = io_uring_wait_cqes(&ring_.ring, &cqe, static_cast<unsigned>(want - got), &ts, nullptr);
            got += drain(out.subspan(got));
            if (r == -ETIME) break;  // the timeout, not an error
            if (r == -EINTR || r == -EAGAIN) {
                if (++interrupted > max_retries) break;
                continue;
            }
            if (r < 0) return got ? static_cast<int>(got) : r;
            // Wait again only if hidden CQEs (parked -ENOBUFS ends) used up the wake-up.
            if (last_seen_ == 0) break;
        }
        return static_cast<int>(got);
    }

    int cancel(uint64_t token) override {
        if (uring_bsel_op* op = bsel_.find(token)) {
            if (op->parked) {  // not in the kernel right now: finish it here
                bsel_.erase(token);
                --parked_;
                done_.push_back({token, -ECANCELED, 0, 0, nullptr});
                return 0;
            }
            op->cancelled = true;  // its -ENOBUFS end may already sit in the CQ
        }
        // Synchronous cancel (6.0+): it posts no CQE of its own, so it needs
        // no user_data outside the caller's token space. The op's final CQE
        // (-ECANCELED, no F_MORE) still comes through reap().
        io_uring_sync_cancel_reg reg{};
        reg.addr = token;
        reg.fd = -1;
        reg.timeout = {1, 0};
        int r;
        for (int tries = 0; (r = io_uring_register_sync_cancel(&ring_.ring, &reg)) == -EINTR && tries < max_retries; ++tries) {}
        // A buffer-select recv that already ended in the kernel: the cancelled
        // mark turns its pending -ENOBUFS end into the final completion.
        if (r == -ENOENT && bsel_.find(token)) return 0;
        return r < 0 ? r : 0;
    }

    backend_counters counters() const override {
        backend_counters c = counters_;
        // Times the CQ overflowed into the kernel backlog, plus CQEs the kernel had to drop.
        c.cq_overflows = cq_backlogs_ + IO_URING_READ_ONCE(*ring_.ring.cq.koverflow);
        return c;
    }

private:
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
                                        " buffers)" + (r == -ENOMEM ? uring_memlock_hint() : std::string()));
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
        else if (bsel_.full()) err = EBUSY;  // more ops in flight than depth
        if (err) done_.push_back({op.token, -err, 0, 0, nullptr});
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
        io_uring_sqe_set_data64(&sqe, b.token);
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
        for (int tries = 0; tries < max_retries; ++tries) {
            if (io_uring_sqe* sqe = io_uring_get_sqe(&ring_.ring)) return sqe;
            // SQ full: hand what is queued over to make room. With SQPOLL the
            // poller frees slots only once it has consumed them.
            if (flush() < 0) return nullptr;
            if (mode_ == mode::sqpoll) io_uring_sqring_wait(&ring_.ring);
        }
        return nullptr;
    }

    // io_uring_submit: with SQPOLL it enters only when the poller sleeps (NEED_WAKEUP).
    int flush() {
        for (int tries = 0;; ++tries) {
            const int r = io_uring_submit(&ring_.ring);
            if (r >= 0) {
                if (r > 0) ++counters_.submit_calls;
                return r;
            }
            if ((r != -EINTR && r != -EAGAIN) || tries >= max_retries) return r;
        }
    }

    // IOPOLL: the kernel ignores wait timeouts on polled rings, and a polling
    // enter returns early (a failed bio completes through task work after the
    // poll loop gave up), so poll in a loop. Backends read no clock: bound it
    // by enters, each of which costs at least ~1 us.
    size_t poll_wait(std::span<io_completion> out, size_t want, std::chrono::nanoseconds timeout) {
        size_t got = 0;
        const int64_t enters = std::max<int64_t>(1, timeout.count() / 1000);
        for (int64_t i = 0; got < want && i < enters; ++i) {
            const int r = io_uring_submit_and_wait(&ring_.ring, static_cast<unsigned>(want - got));
            if (r < 0 && r != -EINTR && r != -EAGAIN) return got;
            got += drain(out.subspan(got));
        }
        return got;
    }

    void get_events() {
        for (int tries = 0; tries < max_retries && io_uring_get_events(&ring_.ring) == -EINTR; ++tries) {}
    }

    size_t take_local(std::span<io_completion> out) {
        if (done_.empty()) return 0;
        const size_t n = std::min(out.size(), done_.size());
        std::copy_n(done_.begin(), n, out.begin());
        done_.erase(done_.begin(), done_.begin() + static_cast<long>(n));
        return n;
    }

    // Moves CQEs into `out`; last_seen_ counts CQEs consumed, delivered or not.
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
        last_seen_ = seen;
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
        if (bsel_.size() == 0) return true;
        uring_bsel_op* b = bsel_.find(ud);
        if (!b) return true;
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
            bsel_.erase(ud);
        }
        return true;
    }

    const mode mode_;
    const backend_options opts_;
    const unsigned sq_entries_;
    unsigned cq_entries_ = 0;
    unsigned setup_flags_ = 0;
    bool ring_fd_registered_ = false;
    std::vector<io_op> pending_;        // prepared, not yet in the SQ
    std::vector<io_completion> done_;   // completed without the kernel (errors, cancelled parked ops)
    std::vector<int> file_index_;       // fd -> registered index, -1 = not registered
    std::vector<fixed_region> fixed_;   // registered buffers, sorted by address
    std::vector<std::unique_ptr<uring_buf_group>> groups_;  // by group id
    uring_bsel_table bsel_;
    unsigned parked_ = 0;
    unsigned last_seen_ = 0;
    uint64_t cq_backlogs_ = 0;
    backend_counters counters_;
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
