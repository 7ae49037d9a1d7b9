// io_uring's GLib poller for `--server lws --backend io_uring|io_uring_sqpoll`:
// one multishot IORING_OP_POLL_ADD per socket (one-shot for other fds, see
// arm()), armed when GLib first asks for the fd and kept across calls, so a
// quiet iteration costs no SQE at all; the ring is COOP_TASKRUN (see the
// constructor).
//
// GLib wants poll(2)'s level-triggered answer each call; a multishot poll is
// edge-ish: it posts a CQE per wakeup of the file (data arrived, space freed),
// not while the file stays ready. An fd that lws left readable (it read less
// than was there, or paused rx) gets no new CQE. So each call:
//   1. fds gone from GLib's set, or asking for events their poll lacks, or
//      that lws told us were reused (forget()), get IORING_OP_POLL_REMOVE (the
//      wider ones are then re-armed): a generation in user_data makes every
//      CQE of a removed poll, its -ECANCELED end included, count for nothing;
//   2. the CQEs already in the CQ are harvested (no syscall), and any poll
//      that ended (IORING_CQE_F_MORE clear: overflow, error) is re-armed;
//   3. the fds reported ready last call, and those asking for an event they
//      did not ask for last call, are checked with one zero-timeout poll(2)
//      over just those: their level now. A CQE carries the wakeup's key
//      (POLLIN for arriving data), not the file's whole state, and a poll
//      armed with POLLOUT already posts nothing while the socket stays
//      writable: only this check sees a level that no wakeup announces;
//   4. only if nothing is ready does the call wait for a CQE, with GLib's
//      timeout, in the same io_uring_enter that submits the SQEs queued above.
// The cost: one poll(2) over the few fds active last round, instead of an SQE
// per fd per call plus a cancel of the rest (the one-shot design before).
// A poll holds a reference to its file: a socket lws closes stays open until
// the next call removes its poll (one iteration), and an fd number reused in
// between (close, then accept within one dispatch) would keep the old file's
// poll, hence forget() from lws's accept callback.
#include "harness/cli/errors.hpp"
#include "harness/net/lws_glib_poll.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <poll.h>
#include <sys/stat.h>
#include <vector>

#include <liburing.h>

namespace iobench {

namespace {

class uring_poller final : public glib_poller {
public:
    uring_poller(unsigned max_fds, bool sqpoll, unsigned idle_ms) : sqpoll_(sqpoll) {
        unsigned entries = 64;
        while (entries < max_fds + 2 && entries < 32768) entries *= 2;
        io_uring_params p{};
        if (sqpoll) {
            p.flags |= IORING_SETUP_SQPOLL;
            p.sq_thread_idle = idle_ms;
        } else {
            // Without it, every wakeup of a persistent poll interrupts this
            // thread (an IPI, then task work) to post its CQE, mostly while
            // lws is busy dispatching: measured here at 64 connections, 18-23
            // µs of server CPU per message and 44-55k req/s, against 8.3-8.5
            // and 116-118k with it (the one-shot design: 8.1-9.5, 105-123k).
            // The CQEs are then posted at this thread's next syscall, or by
            // io_uring_get_events when IORING_SQ_TASKRUN says some wait.
            p.flags |= IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
        }
        int rc = io_uring_queue_init_params(entries, &ring_, &p);
        if (rc == -EINVAL && !sqpoll) {  // kernel < 5.19: no COOP_TASKRUN (describe() says so)
            coop_ = false;
            p = io_uring_params{};
            rc = io_uring_queue_init_params(entries, &ring_, &p);
        }
        if (rc < 0)
            throw unsupported_error(std::string("io_uring_queue_init_params") + (sqpoll ? " (SQPOLL)" : "") + ": " +
                                    std::strerror(-rc));
        if (!(p.features & IORING_FEAT_EXT_ARG)) {
            io_uring_queue_exit(&ring_);
            throw unsupported_error("io_uring without IORING_FEAT_EXT_ARG (kernel < 5.11): no timed wait");
        }
        st_.resize(max_fds + 256);
        fds_.reserve(max_fds + 64);
        check_.reserve(max_fds + 64);
    }
    ~uring_poller() override { io_uring_queue_exit(&ring_); }
    std::string describe() const override {
        return std::string("IORING_OP_POLL_ADD multishot per socket, re-checked by poll(2) while ready (") +
               (sqpoll_ ? "io_uring_sqpoll" : coop_ ? "io_uring, COOP_TASKRUN" : "io_uring, no COOP_TASKRUN") + ")";
    }
    void forget(int fd) override {
        if (fd >= 0 && static_cast<size_t>(fd) < st_.size()) st_[fd].reused = true;
    }
    int poll(GPollFD* fds, unsigned n, int timeout_ms) override;

private:
    struct fd_state {
        uint32_t want = 0;   // events asked this call | present (0: not in this call)
        uint32_t armed = 0;  // events of the live multishot poll (0: none)
        uint32_t sticky = 0; // events to keep when it is re-armed wider
        uint32_t last = 0;   // events asked last call
        uint32_t gen = 0;    // in the live poll's user_data; bumped on removal
        uint16_t rev = 0;    // readiness seen since the last answer
        bool reported = false, reused = false;
        uint8_t kind = 0;    // 0: not looked at; 1: a socket (multishot); 2: anything else (one-shot)
    };
    static constexpr uint32_t present = 1u << 31;
    static constexpr uint64_t remove_tag = 1ull << 63;

    io_uring ring_{};
    bool sqpoll_;
    bool coop_ = true;
    unsigned queued_ = 0;          // SQEs not yet submitted
    std::vector<fd_state> st_;     // by fd
    std::vector<int> fds_, prev_;  // the distinct fds of this call and of the last one
    std::vector<pollfd> check_;    // step 3's poll(2) set

    static uint64_t tag(int fd, uint32_t gen) { return (uint64_t{gen & 0x7fffffffu} << 32) | static_cast<uint32_t>(fd); }
    io_uring_sqe* get_sqe() {
        io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
        while (!sqe) {  // more changes than the SQ holds: hand these over first
            io_uring_submit(&ring_);
            submits_.fetch_add(1, std::memory_order_relaxed);
            queued_ = 0;
            sqe = io_uring_get_sqe(&ring_);
        }
        ++queued_;
        return sqe;
    }
    void remove(int fd, fd_state& s) {
        io_uring_sqe* sqe = get_sqe();
        io_uring_prep_poll_remove(sqe, tag(fd, s.gen));
        io_uring_sqe_set_data64(sqe, remove_tag);
        s.armed = 0;
        s.rev = 0;
        ++s.gen;  // whatever the removed poll still posts is stale
    }
    // Sockets get a multishot poll. Other fds (GLib's own wakeup eventfd,
    // which GLib writes on every change lws makes to a source, thousands of
    // times a second while it dispatches) get a one-shot one: it fires once
    // and is re-armed when the call finds it ended, as a multishot that ended
    // would be, instead of a wakeup and a CQE per write.
    void arm(int fd, fd_state& s) {
        if (!s.kind) {
            struct stat sb {};
            s.kind = ::fstat(fd, &sb) == 0 && S_ISSOCK(sb.st_mode) ? 1 : 2;
        }
        s.armed = (s.want & ~present) | s.sticky;
        io_uring_sqe* sqe = get_sqe();
        if (s.kind == 1) io_uring_prep_poll_multishot(sqe, fd, s.armed);
        else io_uring_prep_poll_add(sqe, fd, s.armed);
        io_uring_sqe_set_data64(sqe, tag(fd, s.gen));
    }
    void harvest();
    int wait(int timeout_ms);
    bool any_ready() const {
        for (int fd : fds_)
            if (st_[fd].rev & ((st_[fd].want & 0xffffu) | POLLERR | POLLHUP | POLLNVAL)) return true;
        return false;
    }
};

// Takes what is in the CQ: readiness into st_[fd].rev; a poll that ended on
// its own (F_MORE clear) is marked unarmed, to be armed again.
void uring_poller::harvest() {
    if (IO_URING_READ_ONCE(*ring_.sq.kflags) & IORING_SQ_TASKRUN) io_uring_get_events(&ring_);
    unsigned head, seen = 0;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(&ring_, head, cqe) {
        ++seen;
        const uint64_t ud = io_uring_cqe_get_data64(cqe);
        if (ud & remove_tag) continue;  // a POLL_REMOVE's own CQE (0, or -ENOENT if it had ended)
        const auto fd = static_cast<uint32_t>(ud);
        if (fd >= st_.size() || (st_[fd].gen & 0x7fffffffu) != (ud >> 32)) continue;  // a removed poll's
        fd_state& s = st_[fd];
        if (!(cqe->flags & IORING_CQE_F_MORE)) s.armed = 0;
        if (cqe->res > 0) s.rev |= static_cast<uint16_t>(cqe->res);
        else if (cqe->res < 0 && cqe->res != -ECANCELED) s.rev |= POLLNVAL;  // e.g. -EBADF: not an open fd
    }
    io_uring_cq_advance(&ring_, seen);
    cqes_.fetch_add(seen, std::memory_order_relaxed);
}

// Submits what is queued and waits for one CQE or the timeout (< 0: none).
int uring_poller::wait(int timeout_ms) {
    submits_.fetch_add(1, std::memory_order_relaxed);
    queued_ = 0;
    int rc;
    if (fds_.empty() && timeout_ms > 0) {  // nothing to watch: just the timeout
        rc = io_uring_submit(&ring_);
        timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
        ::nanosleep(&ts, nullptr);
    } else if (timeout_ms < 0) {
        rc = io_uring_submit_and_wait(&ring_, fds_.empty() ? 0 : 1);
    } else {
        __kernel_timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000LL};
        io_uring_cqe* cqe = nullptr;
        rc = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
        if (rc == -ETIME) rc = 0;
    }
    return rc == -EINTR ? 0 : rc;
}

int uring_poller::poll(GPollFD* fds, unsigned n, int timeout_ms) {
    polls_.fetch_add(1, std::memory_order_relaxed);
    int maxfd = -1;
    for (unsigned i = 0; i < n; ++i) maxfd = std::max(maxfd, fds[i].fd);
    if (static_cast<size_t>(maxfd + 1) > st_.size()) st_.resize(static_cast<size_t>(maxfd) + 64);
    fds_.clear();
    for (unsigned i = 0; i < n; ++i) {
        if (fds[i].fd < 0) continue;
        fd_state& s = st_[fds[i].fd];
        if (!s.want) fds_.push_back(fds[i].fd);
        s.want |= present | fds[i].events;
    }
    // 1. gone, reused, or asking for events the poll lacks: remove it. Events
    // asked no more stay armed (lws toggles POLLOUT around every write; a
    // remove and re-arm each time cost 3 CQEs): answers are masked by `want`.
    for (int fd : prev_) {
        fd_state& s = st_[fd];
        const uint32_t keep = s.want && !s.reused ? s.armed : 0;
        if (s.armed && (!keep || (s.want & ~present & ~s.armed))) remove(fd, s);
        s.sticky = keep;
        if (!s.want) s.reported = false, s.last = 0;
        if (!s.want || s.reused) s.kind = 0;
        s.reused = false;
    }
    for (int fd : fds_) st_[fd].reused = false;  // new this call: no poll of an older file to drop
    // 2. harvest, then arm what has no live poll.
    harvest();
    for (int fd : fds_)
        if (!st_[fd].armed) arm(fd, st_[fd]);
    // 3. the level, now, of what was ready last call.
    check_.clear();
    for (int fd : fds_)
        if (st_[fd].reported || (st_[fd].want & ~present & ~st_[fd].last))
            check_.push_back({fd, static_cast<short>(st_[fd].want & ~present), 0});
    if (!check_.empty() && ::poll(check_.data(), check_.size(), 0) >= 0)
        for (const pollfd& p : check_) st_[p.fd].rev = static_cast<uint16_t>(p.revents);
    // 4. nothing ready: wait (submitting the SQEs above in the same enter).
    // A CQE that readies nothing (a POLL_REMOVE's, a removed poll's end:
    // with SQPOLL they come on their own) waits again for the time left.
    if (!any_ready() && timeout_ms != 0) {
        timespec t0{};
        ::clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int left = timeout_ms;;) {
            if (int rc = wait(left); rc < 0) {
                errno = -rc;
                return -1;
            }
            harvest();
            for (int fd : fds_)
                if (!st_[fd].armed) arm(fd, st_[fd]);
            if (any_ready() || left == 0) break;
            if (left > 0) {
                timespec t1{};
                ::clock_gettime(CLOCK_MONOTONIC, &t1);
                const long long spent = (t1.tv_sec - t0.tv_sec) * 1000LL + (t1.tv_nsec - t0.tv_nsec) / 1000000;
                left = spent >= timeout_ms ? 0 : static_cast<int>(timeout_ms - spent);
            }
        }
    } else if (queued_) {
        submits_.fetch_add(1, std::memory_order_relaxed);
        io_uring_submit(&ring_);
        queued_ = 0;
    }
    constexpr uint16_t always = POLLERR | POLLHUP | POLLNVAL;
    int ready = 0;
    for (unsigned i = 0; i < n; ++i) {
        fds[i].revents = 0;
        if (fds[i].fd < 0) continue;
        fds[i].revents = static_cast<gushort>(st_[fds[i].fd].rev & (fds[i].events | always));
        ready += fds[i].revents != 0;
    }
    for (int fd : fds_) {
        fd_state& s = st_[fd];
        s.reported = (s.rev & ((s.want & 0xffffu) | always)) != 0;
        s.last = s.want & ~present;
        s.rev = 0;
        s.want = 0;
    }
    prev_.swap(fds_);
    return ready;
}

}  // namespace

std::unique_ptr<glib_poller> make_uring_glib_poller(unsigned max_fds, bool sqpoll, unsigned idle_ms) {
    return std::make_unique<uring_poller>(max_fds, sqpoll, idle_ms);
}

}  // namespace iobench
