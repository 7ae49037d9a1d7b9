// The GLib pollers behind `--server lws`. GLib hands the whole fd set on
// every iteration, so each poller keeps what it can across calls (epoll: the
// interest set) and re-arms what it cannot (io_uring, libaio: one-shot polls,
// the ones still pending cancelled before returning, so no poll outlives the
// call that owns its GPollFD).
#include "harness/net/lws_glib_poll.hpp"

#include "backends/unique_fd.hpp"
#include "harness/cli/errors.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <poll.h>
#include <sys/epoll.h>
#include <vector>

#include <libaio.h>
#include <liburing.h>

namespace iobench {

namespace {

thread_local glib_poller* current_poller = nullptr;

gint poll_trampoline(GPollFD* fds, guint n, gint timeout) { return current_poller->poll(fds, n, timeout); }

static_assert(sizeof(GPollFD) == sizeof(pollfd), "GPollFD is pollfd's layout on Linux");

// poll(2): what GLib itself does by default; the blocking backend's readiness call.
class poll_poller final : public glib_poller {
public:
    std::string describe() const override { return "poll(2) (blocking)"; }
    int poll(GPollFD* fds, unsigned n, int timeout_ms) override {
        polls_.fetch_add(1, std::memory_order_relaxed);
        return ::poll(reinterpret_cast<pollfd*>(fds), n, timeout_ms);
    }
};

// epoll: the interest set persists; epoll_ctl only for fds that appear,
// disappear or change events. Limitation: an fd closed and its number reused
// by a new socket inside one GLib dispatch, with the same events, keeps no
// registration (epoll dropped the closed file); the long-lived connections
// measured here never do that.
class epoll_poller final : public glib_poller {
public:
    epoll_poller() : ep_(::epoll_create1(EPOLL_CLOEXEC)) {
        if (!ep_) throw unsupported_error(std::string("epoll_create1: ") + std::strerror(errno));
    }
    std::string describe() const override { return "epoll_wait (epoll)"; }
    int poll(GPollFD* fds, unsigned n, int timeout_ms) override {
        polls_.fetch_add(1, std::memory_order_relaxed);
        int maxfd = -1;
        for (unsigned i = 0; i < n; ++i) maxfd = std::max(maxfd, fds[i].fd);
        if (static_cast<size_t>(maxfd + 1) > want_.size()) {
            want_.resize(maxfd + 1, 0);
            armed_.resize(maxfd + 1, 0);
            rev_.resize(maxfd + 1, 0);
        }
        constexpr uint32_t present = 1u << 31;
        for (unsigned i = 0; i < n; ++i)
            if (fds[i].fd >= 0) want_[fds[i].fd] |= present | fds[i].events;
        // Gone since the last call: out of the set (EBADF/ENOENT when closed: epoll already dropped it).
        for (int fd : fds_) {
            if (static_cast<size_t>(fd) < want_.size() && want_[fd]) continue;
            ::epoll_ctl(ep_.get(), EPOLL_CTL_DEL, fd, nullptr);
            armed_[fd] = 0;
        }
        fds_.clear();
        for (unsigned i = 0; i < n; ++i) {
            const int fd = fds[i].fd;
            if (fd < 0 || !(want_[fd] & present)) continue;  // negative, or a duplicate already handled
            const uint32_t ev = want_[fd] & ~present;
            want_[fd] = 0;
            rev_[fd] = 0;
            fds_.push_back(fd);
            if (armed_[fd] == ev + 1) continue;
            epoll_event e{};
            e.events = ev;
            e.data.fd = fd;
            int op = armed_[fd] ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
            int rc = ::epoll_ctl(ep_.get(), op, fd, &e);
            if (rc != 0 && (errno == ENOENT || errno == EEXIST))  // our record was stale: the other op
                rc = ::epoll_ctl(ep_.get(), op == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &e);
            submits_.fetch_add(1, std::memory_order_relaxed);
            armed_[fd] = rc == 0 ? ev + 1 : 0;
            if (rc != 0) rev_[fd] = POLLNVAL;
        }
        for (int fd : fds_) want_[fd] = 0;
        events_.resize(std::max<size_t>(fds_.size(), 1));
        int got = 0;
        bool nval = false;
        for (int fd : fds_) nval = nval || rev_[fd];
        if (!nval) {
            got = ::epoll_wait(ep_.get(), events_.data(), static_cast<int>(events_.size()), timeout_ms);
            if (got < 0) return -1;
        }
        for (int i = 0; i < got; ++i) rev_[events_[i].data.fd] = static_cast<uint16_t>(events_[i].events);
        cqes_.fetch_add(got, std::memory_order_relaxed);
        int ready = 0;
        for (unsigned i = 0; i < n; ++i) {
            fds[i].revents = fds[i].fd >= 0 ? static_cast<gushort>(rev_[fds[i].fd] & (fds[i].events | POLLERR | POLLHUP | POLLNVAL)) : 0;
            ready += fds[i].revents != 0;
        }
        return ready;
    }

private:
    unique_fd ep_;
    std::vector<uint32_t> want_, armed_;  // by fd: events asked this call | present; events armed + 1 (0: none)
    std::vector<uint16_t> rev_;           // by fd: what came back
    std::vector<int> fds_;                // the distinct fds of the last call
    std::vector<epoll_event> events_;
};

// io_uring: one IORING_OP_POLL_ADD per fd per call, submitted with the wait
// (io_uring_submit_and_wait_timeout: one io_uring_enter); what is still
// pending afterwards is cancelled with one IORING_ASYNC_CANCEL_ANY and reaped,
// so every poll ends inside the call. Not multishot: GLib may change an fd's
// events or drop it between any two calls.
class uring_poller final : public glib_poller {
public:
    uring_poller(unsigned max_fds, bool sqpoll, unsigned idle_ms) : sqpoll_(sqpoll) {
        unsigned entries = 64;
        while (entries < max_fds + 2 && entries < 32768) entries *= 2;
        io_uring_params p{};
        if (sqpoll) {
            p.flags |= IORING_SETUP_SQPOLL;
            p.sq_thread_idle = idle_ms;
        }
        if (int rc = io_uring_queue_init_params(entries, &ring_, &p); rc < 0)
            throw unsupported_error(std::string("io_uring_queue_init_params") + (sqpoll ? " (SQPOLL)" : "") + ": " +
                                    std::strerror(-rc));
        if (!(p.features & IORING_FEAT_EXT_ARG)) {
            io_uring_queue_exit(&ring_);
            throw unsupported_error("io_uring without IORING_FEAT_EXT_ARG (kernel < 5.11): no timed wait");
        }
    }
    ~uring_poller() override { io_uring_queue_exit(&ring_); }
    std::string describe() const override {
        return std::string("IORING_OP_POLL_ADD, one-shot per fd per iteration (") + (sqpoll_ ? "io_uring_sqpoll" : "io_uring") + ")";
    }
    int poll(GPollFD* fds, unsigned n, int timeout_ms) override {
        polls_.fetch_add(1, std::memory_order_relaxed);
        unsigned pending = 0;
        for (unsigned i = 0; i < n; ++i) {
            fds[i].revents = 0;
            if (fds[i].fd < 0) continue;
            io_uring_sqe* sqe = get_sqe();
            io_uring_prep_poll_add(sqe, fds[i].fd, fds[i].events);
            io_uring_sqe_set_data64(sqe, i);
            ++pending;
        }
        io_uring_cqe* cqe = nullptr;
        submits_.fetch_add(1, std::memory_order_relaxed);
        int rc;
        if (timeout_ms < 0) {
            rc = io_uring_submit_and_wait(&ring_, pending ? 1 : 0);
        } else if (timeout_ms == 0 || !pending) {
            rc = io_uring_submit(&ring_);
            if (!pending && timeout_ms > 0) {  // nothing to watch: just the timeout
                timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
                ::nanosleep(&ts, nullptr);
            }
        } else {
            __kernel_timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000LL};
            rc = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
            if (rc == -ETIME) rc = 0;
        }
        if (rc < 0 && rc != -EINTR) {
            errno = -rc;
            return -1;
        }
        int ready = 0;
        pending -= reap(fds, ready);
        if (pending) {
            io_uring_sqe* sqe = get_sqe();
            io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
            io_uring_sqe_set_data64(sqe, cancel_tag);
            ++pending;  // the cancel's own CQE
            submits_.fetch_add(1, std::memory_order_relaxed);
            io_uring_submit(&ring_);
            while (pending) {
                if (io_uring_wait_cqe(&ring_, &cqe) < 0) continue;
                pending -= reap(fds, ready);
            }
        }
        return ready;
    }

private:
    static constexpr uint64_t cancel_tag = ~0ull;
    io_uring ring_{};
    bool sqpoll_;

    io_uring_sqe* get_sqe() {
        io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
        while (!sqe) {  // more fds than the SQ holds: hand these over first
            io_uring_submit(&ring_);
            submits_.fetch_add(1, std::memory_order_relaxed);
            sqe = io_uring_get_sqe(&ring_);
        }
        return sqe;
    }
    // Harvests what is in the CQ: poll results into revents (-ECANCELED: not
    // ready), counting `ready` once per GPollFD. Returns CQEs seen.
    unsigned reap(GPollFD* fds, int& ready) {
        unsigned head, seen = 0;
        io_uring_cqe* cqe;
        io_uring_for_each_cqe(&ring_, head, cqe) {
            ++seen;
            const uint64_t i = io_uring_cqe_get_data64(cqe);
            if (i == cancel_tag) continue;
            gushort rev = 0;
            if (cqe->res > 0) rev = static_cast<gushort>(cqe->res);
            else if (cqe->res < 0 && cqe->res != -ECANCELED) rev = POLLNVAL;
            if (rev && !fds[i].revents) ++ready;
            fds[i].revents |= rev;
        }
        io_uring_cq_advance(&ring_, seen);
        cqes_.fetch_add(seen, std::memory_order_relaxed);
        return seen;
    }
};

// libaio: one IOCB_CMD_POLL per fd per call (io_submit), io_getevents with
// the timeout, then io_cancel for each still pending (one syscall each: the
// AIO ABI has no cancel-all) and io_getevents until every poll has completed.
class aio_poller final : public glib_poller {
public:
    explicit aio_poller(unsigned max_fds) : cap_(max_fds + 64) {
        if (int rc = io_setup(static_cast<int>(cap_), &ctx_); rc < 0)
            throw unsupported_error(std::string("io_setup: ") + std::strerror(-rc));
        iocbs_.resize(cap_);
        ptrs_.resize(cap_);
        events_.resize(cap_);
        done_.resize(cap_);
    }
    ~aio_poller() override { io_destroy(ctx_); }
    std::string describe() const override { return "IOCB_CMD_POLL, one-shot per fd per iteration (libaio)"; }
    int poll(GPollFD* fds, unsigned n, int timeout_ms) override {
        polls_.fetch_add(1, std::memory_order_relaxed);
        if (n > cap_) {
            errno = EINVAL;
            return -1;
        }
        unsigned count = 0;
        for (unsigned i = 0; i < n; ++i) {
            fds[i].revents = 0;
            if (fds[i].fd < 0) continue;
            io_prep_poll(&iocbs_[count], fds[i].fd, fds[i].events);
            iocbs_[count].data = reinterpret_cast<void*>(static_cast<uintptr_t>(i));
            ptrs_[count] = &iocbs_[count];
            done_[count] = false;
            ++count;
        }
        for (unsigned off = 0; off < count;) {
            submits_.fetch_add(1, std::memory_order_relaxed);
            const int rc = io_submit(ctx_, static_cast<long>(count - off), ptrs_.data() + off);
            if (rc < 0) {
                if (rc == -EAGAIN || rc == -EINTR) continue;
                errno = -rc;
                count = off;  // the submitted ones still get reaped below
                break;
            }
            off += static_cast<unsigned>(rc);
        }
        int ready = 0;
        unsigned pending = count;
        if (pending) {
            timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
            pending -= reap(fds, ready, timeout_ms == 0 ? 0 : 1, timeout_ms < 0 ? nullptr : &ts);
        } else if (timeout_ms > 0) {
            timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
            ::nanosleep(&ts, nullptr);
        }
        if (pending) {
            io_event ev;
            for (unsigned k = 0; k < count; ++k)
                if (!done_[k]) io_cancel(ctx_, &iocbs_[k], &ev);  // -EINPROGRESS: its event comes through the ring
            while (pending) pending -= reap(fds, ready, 1, nullptr);
        }
        return ready;
    }

private:
    unsigned cap_;
    io_context_t ctx_ = nullptr;
    std::vector<iocb> iocbs_;
    std::vector<iocb*> ptrs_;
    std::vector<io_event> events_;
    std::vector<bool> done_;

    unsigned reap(GPollFD* fds, int& ready, long min_nr, timespec* ts) {
        const int got = io_getevents(ctx_, min_nr, static_cast<long>(events_.size()), events_.data(), ts);
        if (got <= 0) return 0;
        for (int k = 0; k < got; ++k) {
            const auto i = static_cast<unsigned>(reinterpret_cast<uintptr_t>(events_[k].data));
            done_[static_cast<size_t>(events_[k].obj - iocbs_.data())] = true;
            const auto res = static_cast<long>(events_[k].res);
            gushort rev = res > 0 ? static_cast<gushort>(res) : res < 0 ? gushort(POLLNVAL) : gushort(0);
            if (rev && !fds[i].revents) ++ready;
            fds[i].revents |= rev;
        }
        cqes_.fetch_add(static_cast<uint64_t>(got), std::memory_order_relaxed);
        return static_cast<unsigned>(got);
    }
};

}  // namespace

void glib_poller::install(GMainContext* ctx) {
    current_poller = this;
    g_main_context_set_poll_func(ctx, poll_trampoline);
}

backend_counters glib_poller::counters() const {
    backend_counters c;
    c.reap_calls = polls_.load(std::memory_order_relaxed);
    c.submit_calls = submits_.load(std::memory_order_relaxed);
    c.cqes = cqes_.load(std::memory_order_relaxed);
    return c;
}

std::unique_ptr<glib_poller> make_glib_poller(const std::string& backend, unsigned max_fds, const backend_options& o) {
    if (backend == "blocking") return std::make_unique<poll_poller>();
    if (backend == "epoll") return std::make_unique<epoll_poller>();
    if (backend == "io_uring") return std::make_unique<uring_poller>(max_fds, false, 0);
    if (backend == "io_uring_sqpoll") return std::make_unique<uring_poller>(max_fds, true, o.sqpoll_idle_ms);
    if (backend == "libaio") return std::make_unique<aio_poller>(max_fds);
    if (backend == "posix_aio")  // POSIX AIO has read/write/fsync and no poll
        throw unsupported_error("--server lws: posix_aio has no readiness operation to poll a GLib context with");
    throw unsupported_error("--server lws: " + backend + " has no readiness poll for a GLib context (not implemented)");
}

}  // namespace iobench
