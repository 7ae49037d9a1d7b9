// posix_aio backend: glibc aio_read/aio_write/aio_fsync over a preallocated
// aiocb pool, lio_listio batches, and three ways to learn of completions.
//
// glibc specifics this file relies on (glibc 2.36, rt/aio_misc.c):
//  - every request runs on a helper thread; requests on one fd run one after
//    another (hence cap_fd_per_slot); at most aio_threads helpers exist, 20
//    unless aio_init() raised it before the process's first request;
//  - a helper stores the result, then __error_code, then notifies;
//  - aio_error() takes the process-wide AIO mutex every helper also takes;
//  - a helper that wakes from its idle wait to an empty run list exits, even
//    when another helper has just taken the request it was woken for, and the
//    next request that finds no idle helper creates a thread: with as many
//    helpers as ops in flight that churns threads (README, "POSIX AIO").
//  - reads/writes on sockets work (pread's ESPIPE falls back to read);
//  - accept/connect cannot be expressed: they complete with -EOPNOTSUPP;
//  - a notification glibc fails to send (no thread for SIGEV_THREAD, signal
//    queue full for SIGEV_SIGNAL) is dropped: that op is then never reported.
#include "backends/posix_aio.hpp"

#include "backends/probe_util.hpp"

#include <aio.h>
#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <memory>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <system_error>
#include <unistd.h>
#include <utility>
#include <vector>

namespace iobench {

namespace {

constexpr int not_queued = -1;       // __error_code sentinel: glibc never enqueued this aiocb

int notify_signal() { return SIGRTMIN + 4; }

// aio_init only takes effect before the process's first request (glibc then
// allocates its pool), so the first instance or probe sets the helper cap for
// everyone. The cap stays above any depth, so `depth` requests on as many fds
// really run at once (capped below the ops in flight, glibc queues the rest
// and its helpers stop churning, but the device then sees fewer). Helpers are
// created on demand and exit after aio_idle_time (1 s) without work.
unsigned ensure_aio_init(unsigned depth) {
    static const unsigned threads = [depth] {
        aioinit init{};
        init.aio_threads = static_cast<int>(std::max(256u, depth));
        init.aio_num = init.aio_threads;
        init.aio_idle_time = 1;  // glibc's default; 0 would mean the same (aio_init ignores a 0)
        ::aio_init(&init);
        return static_cast<unsigned>(init.aio_threads);
    }();
    return threads;
}

struct aio_state;

struct aio_slot {
    aiocb cb{};
    aio_state* owner = nullptr;  // how a notifier finds its instance's queue
    uint64_t token = 0;
    uint32_t inflight_pos = 0;
    op_kind kind = op_kind::read;
};

// What glibc and the notifiers may touch: kept apart from the backend so a
// teardown that cannot prove them done can leak it instead of freeing it.
struct aio_state {
    explicit aio_state(unsigned depth) : slots(new aio_slot[depth]), ring_cap(std::bit_ceil(depth)) {
        ring.reset(new std::atomic<uint32_t>[ring_cap]);
        for (uint32_t i = 0; i < ring_cap; ++i) ring[i].store(0, std::memory_order_relaxed);
        efd.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
        if (!efd) throw std::system_error(errno, std::system_category(), "posix_aio: eventfd");
    }

    // Bounded MPSC queue of slot indexes (+1; 0 = empty). A producer claims a
    // cell with one fetch_add and publishes it with one store, so it is
    // lock-free and async-signal-safe. At most `depth` slots are ever queued,
    // so a cell is always empty when claimed. pop() is the owner thread's.
    void push(uint32_t slot) {
        const uint32_t pos = tail.fetch_add(1, std::memory_order_acq_rel);
        ring[pos & (ring_cap - 1)].store(slot + 1, std::memory_order_release);
    }
    bool pop(uint32_t& slot) {
        std::atomic<uint32_t>& cell = ring[head & (ring_cap - 1)];
        const uint32_t v = cell.load(std::memory_order_acquire);
        if (v == 0) return false;  // empty, or the claimant has not published yet: it will wake us
        cell.store(0, std::memory_order_relaxed);
        ++head;
        slot = v - 1;
        return true;
    }

    std::unique_ptr<aio_slot[]> slots;
    const uint32_t ring_cap;
    std::unique_ptr<std::atomic<uint32_t>[]> ring;
    std::atomic<uint32_t> tail{0};
    uint32_t head = 0;
    std::atomic<int> active{0};  // notifiers inside notify(): teardown waits for 0
    unique_fd efd;
};
static_assert(std::atomic<uint32_t>::is_always_lock_free && std::atomic<int>::is_always_lock_free);

// Runs in a signal handler (any thread) or on glibc's notification thread:
// atomics and write(2) only.
void notify(aio_slot* s) {
    aio_state* st = s->owner;
    st->active.fetch_add(1);
    st->push(static_cast<uint32_t>(s - st->slots.get()));
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t w = ::write(st->efd.get(), &one, sizeof one);  // cannot block: EFD_NONBLOCK
    st->active.fetch_sub(1);
}

void on_signal(int, siginfo_t* si, void*) {
    if (si->si_code != SI_ASYNCIO) return;  // not glibc AIO's sigqueue: not ours
    const int saved = errno;
    notify(static_cast<aio_slot*>(si->si_value.sival_ptr));
    errno = saved;
}

// SIGEV_THREAD: glibc starts a detached thread per notification for this.
void on_thread(sigval v) { notify(static_cast<aio_slot*>(v.sival_ptr)); }

// Installs the process-wide handler once; refuses to replace someone else's.
void install_signal_handler() {
    static const int err = [] {
        struct sigaction old {};
        if (::sigaction(notify_signal(), nullptr, &old) != 0) return errno;
        const bool foreign = (old.sa_flags & SA_SIGINFO) ? old.sa_sigaction != on_signal
                                                         : old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN;
        if (foreign) return EBUSY;
        struct sigaction sa {};
        sa.sa_sigaction = on_signal;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        return ::sigaction(notify_signal(), &sa, nullptr) == 0 ? 0 : errno;
    }();
    if (err) throw std::system_error(err, std::system_category(), "posix_aio: install SA_SIGINFO handler for SIGRTMIN+4");
}

class posix_aio_backend final : public backend {
public:
    explicit posix_aio_backend(const backend_options& o)
        : backend("posix_aio", posix_aio_caps, o), notify_(o.notify), threads_(ensure_aio_init(depth_)) {
        if (notify_ == aio_notify::signal) {
            install_signal_handler();
            // A process-directed signal needs a thread that does not block it.
            sigset_t set;
            sigemptyset(&set);
            sigaddset(&set, notify_signal());
            ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
        }
        st_ = std::make_unique<aio_state>(depth_);
        for (uint32_t i = 0; i < depth_; ++i) {
            aio_slot& s = st_->slots[i];
            s.owner = st_.get();
            // Set once and never rewritten: glibc may still read aio_sigevent
            // while it finishes the previous request on this aiocb.
            sigevent& ev = s.cb.aio_sigevent;
            ev.sigev_value.sival_ptr = &s;
            if (notify_ == aio_notify::suspend) {
                ev.sigev_notify = SIGEV_NONE;
            } else if (notify_ == aio_notify::signal) {
                ev.sigev_notify = SIGEV_SIGNAL;
                ev.sigev_signo = notify_signal();
            } else {
                ev.sigev_notify = SIGEV_THREAD;
                ev.sigev_notify_function = on_thread;
                ev.sigev_notify_attributes = nullptr;
            }
        }
        free_.reserve(depth_);
        for (uint32_t i = depth_; i-- > 0;) free_.push_back(i);
        inflight_.reserve(depth_);
        batch_.reserve(depth_);
        list_.reserve(depth_);
        wait_list_.reserve(depth_);
        no_sig_.sigev_notify = SIGEV_NONE;
    }

    ~posix_aio_backend() override { teardown(); }

    std::string describe() const override {
        static constexpr const char* modes[] = {"suspend", "signal (SIGRTMIN+4)", "thread (SIGEV_THREAD)"};
        return std::string("glibc POSIX AIO, notify=") + modes[static_cast<int>(notify_)] +
               ", one lio_listio per submit() (fsync apart), aio_threads=" + std::to_string(threads_);
    }

private:
    // Each op yields exactly one completion (refused or unsupported ones go
    // to the front's local queue).
    int on_submit(std::span<const io_op> ops, size_t& taken) override {
        for (const io_op& op : ops) {
            if (op.kind == op_kind::accept || op.kind == op_kind::connect) {
                complete_local(op.token, -EOPNOTSUPP);  // no aio_accept/aio_connect in POSIX AIO
                continue;
            }
            if (free_.empty()) {  // unreachable: the front keeps to depth
                complete_local(op.token, -EBUSY);
                continue;
            }
            const uint32_t i = free_.back();
            free_.pop_back();
            aio_slot& s = st_->slots[i];
            s.token = op.token;
            s.kind = op.kind;
            s.cb.aio_fildes = op.fd;
            s.cb.aio_buf = op.buf;
            s.cb.aio_nbytes = op.len;
            s.cb.aio_offset = static_cast<off_t>(op.offset);  // ignored by glibc on sockets
            s.cb.aio_reqprio = 0;
            const bool reads = op.kind == op_kind::read || op.kind == op_kind::recv;
            s.cb.aio_lio_opcode = reads ? LIO_READ : LIO_WRITE;
            if (op.kind == op_kind::fsync) {
                // lio_listio has no fsync opcode. glibc runs an fd's requests in
                // order, so queue the earlier ones first.
                flush_batch();
                start_fsync(i);
            } else {
                batch_.push_back(i);
            }
        }
        flush_batch();
        taken = ops.size();
        return static_cast<int>(ops.size());
    }

    harvest on_reap(std::span<io_completion> out, unsigned min, const timespec* timeout) override {
        return notify_ == aio_notify::suspend ? reap_suspend(out, min, timeout) : reap_notified(out, min, timeout);
    }

    void fail(uint32_t i, int err) {
        complete_local(st_->slots[i].token, -err);
        free_.push_back(i);
    }

    void mark_in_flight(uint32_t i) {
        st_->slots[i].inflight_pos = static_cast<uint32_t>(inflight_.size());
        inflight_.push_back(i);
    }

    // Result of a finished slot (aio_return exactly once), and the slot freed.
    // `err` is what aio_error() said.
    io_completion collect(uint32_t i, int err) {
        aio_slot& s = st_->slots[i];
        const ssize_t r = ::aio_return(&s.cb);
        const uint32_t last = inflight_.back();
        inflight_[s.inflight_pos] = last;
        st_->slots[last].inflight_pos = s.inflight_pos;
        inflight_.pop_back();
        free_.push_back(i);
        return {s.token, err == 0 ? static_cast<int64_t>(r) : -static_cast<int64_t>(err), 0, 0, nullptr};
    }

    // glibc sets __error_code to EINPROGRESS when it enqueues a request. One
    // it could not enqueue keeps our sentinel (no free request element), or
    // gets EAGAIN with __return_value still 0 (no helper thread could start);
    // a request that ran and failed has __return_value -1.
    static bool was_queued(const aiocb& cb) {
        const int e = ::aio_error(&cb);
        return e != not_queued && !(e == EAGAIN && cb.__return_value == 0);
    }

    // Queues batch_ with one lio_listio (aio_read/aio_write for a single op).
    void flush_batch() {
        retry_state again;
        while (!batch_.empty()) {
            list_.clear();
            for (uint32_t i : batch_) {
                aiocb& cb = st_->slots[i].cb;
                cb.__error_code = not_queued;
                list_.push_back(&cb);
            }
            int r;
            if (list_.size() == 1)
                r = list_[0]->aio_lio_opcode == LIO_READ ? ::aio_read(list_[0]) : ::aio_write(list_[0]);
            else
                r = ::lio_listio(LIO_NOWAIT, list_.data(), static_cast<int>(list_.size()), &no_sig_);
            const int err = r == 0 ? 0 : errno;
            ++counters_.submit_calls;
            // A failed lio_listio may still have queued some: keep only the others.
            // Out of resources (EAGAIN): retry the rest (bounded), then fail them.
            const bool retry_rest = err == EAGAIN && retry(again);
            size_t keep = 0;
            for (uint32_t i : batch_) {
                if (r == 0 || (batch_.size() > 1 && was_queued(st_->slots[i].cb)))
                    mark_in_flight(i);
                else if (retry_rest)
                    batch_[keep++] = i;
                else
                    fail(i, err);
            }
            batch_.resize(keep);
        }
    }

    void start_fsync(uint32_t i) {
        aiocb& cb = st_->slots[i].cb;
        for (retry_state again;;) {
            ++counters_.submit_calls;
            // glibc checks the fd with fcntl here: a bad or read-only fd fails
            // at once with EBADF, which becomes the op's result.
            if (::aio_fsync(O_DSYNC, &cb) == 0) return mark_in_flight(i);
            const int err = errno;
            if (err != EAGAIN || !retry(again)) return fail(i, err);
        }
    }

    // SIGEV_NONE, as fio's posixaio engine: scan in-flight aiocbs with
    // aio_error, then (fewer than `min` done) one aio_suspend on all of them,
    // which returns on the first completion, and scan again.
    harvest reap_suspend(std::span<io_completion> out, unsigned min, const timespec* timeout) {
        size_t n = scan(out);
        if (n >= min || n == out.size() || inflight_.empty()) return {static_cast<int>(n), inflight_.empty()};
        wait_list_.clear();
        for (uint32_t i : inflight_) wait_list_.push_back(&st_->slots[i].cb);
        bool expired = false;
        if (::aio_suspend(wait_list_.data(), static_cast<int>(wait_list_.size()), timeout) != 0) {
            if (errno == EAGAIN) expired = true;  // one last scan, then return
            else if (errno != EINTR) return {n > 0 ? static_cast<int>(n) : -errno, false};
        }
        n += scan(out.subspan(n));
        return {static_cast<int>(n), expired};
    }

    // glibc's aio_error() takes the process-wide AIO mutex, the one every
    // helper takes after each request: calling it on every in-flight aiocb at
    // every reap had the reaper and the helpers queueing on that lock. A plain
    // load of the field it returns is a hint (a helper stores it under the
    // mutex, after the result); only aiocbs the hint shows finished are asked.
    // A stale hint costs nothing: aio_suspend returns at once for a done aiocb.
    static bool maybe_done(const aiocb& cb) { return __atomic_load_n(&cb.__error_code, __ATOMIC_ACQUIRE) != EINPROGRESS; }

    size_t scan(std::span<io_completion> out) {
        size_t n = 0;
        for (size_t k = 0; k < inflight_.size() && n < out.size();) {
            const uint32_t i = inflight_[k];
            const aiocb& cb = st_->slots[i].cb;
            const int err = maybe_done(cb) ? ::aio_error(&cb) : EINPROGRESS;
            if (err == EINPROGRESS) ++k;
            else out[n++] = collect(i, err);  // moves another slot into position k
        }
        return n;
    }

    // SIGEV_SIGNAL / SIGEV_THREAD: notifiers push finished slots on the queue
    // and bump the eventfd; here we drain the queue and sleep on the eventfd.
    harvest reap_notified(std::span<io_completion> out, unsigned min, const timespec* timeout) {
        size_t n = drain(out);
        if (n >= min || n == out.size() || inflight_.empty()) return {static_cast<int>(n), inflight_.empty()};
        pollfd p{st_->efd.get(), POLLIN, 0};
        const int r = ::ppoll(&p, 1, timeout, nullptr);
        if (r > 0) {
            uint64_t v;
            [[maybe_unused]] const ssize_t rd = ::read(st_->efd.get(), &v, sizeof v);  // reset; drain next
        } else if (r < 0 && errno != EINTR) {
            return {n > 0 ? static_cast<int>(n) : -errno, false};
        }
        n += drain(out.subspan(n));
        return {static_cast<int>(n), r == 0};
    }

    size_t drain(std::span<io_completion> out) {
        size_t n = 0;
        uint32_t i = 0;
        while (n < out.size() && st_->pop(i)) out[n++] = collect(i, ::aio_error(&st_->slots[i].cb));
        return n;
    }

    // glibc owns in-flight aiocbs and, in signal/thread mode, will still run
    // notify() on them: cancel what has not started, wait out the rest
    // (bounded), and leak the state rather than free memory still in use.
    void teardown() {
        for (uint32_t i : inflight_) ::aio_cancel(st_->slots[i].cb.aio_fildes, &st_->slots[i].cb);
        io_completion sink[64];
        const timespec wait{0, 100'000'000};
        for (int k = 0; k < 20 && !inflight_.empty(); ++k) on_reap(sink, 1, &wait);
        for (int k = 0; k < 1'000'000 && st_->active.load() != 0; ++k) ::sched_yield();
        if (!inflight_.empty() || st_->active.load() != 0) {
            static_cast<void>(st_.release());  // e.g. a socket read that never returned
            return;
        }
        // Let the helper that finished last leave its section under glibc's
        // request lock (which aio_suspend takes) before its aiocb goes away.
        const aiocb* any[1] = {&st_->slots[0].cb};
        const timespec zero{};
        ::aio_suspend(any, 1, &zero);
    }

    const aio_notify notify_;
    const unsigned threads_;
    std::unique_ptr<aio_state> st_;
    std::vector<uint32_t> free_;      // free slot stack
    std::vector<uint32_t> inflight_;  // queued with glibc, not yet collected
    std::vector<uint32_t> batch_;     // the next lio_listio
    std::vector<aiocb*> list_;        // ...as lio_listio wants it
    std::vector<const aiocb*> wait_list_;
    sigevent no_sig_{};
};

}  // namespace

probe_result probe_posix_aio(const probe_context& pc) {
    ensure_aio_init(0);  // before any request, or glibc keeps its 20-helper cap
    if (pc.target == io_target::socket) return probe_result::yes();
    std::string why;
    unique_fd fd = open_probe_file(pc, why);
    if (!fd) return probe_result::no("posix_aio: " + why);
    void* raw = nullptr;
    if (::posix_memalign(&raw, 4096, 4096) != 0) return probe_result::no("posix_aio: cannot allocate a probe buffer");
    std::unique_ptr<void, decltype(&std::free)> buf(raw, &std::free);
    auto cb = std::make_unique<aiocb>();
    cb->aio_fildes = fd.get();
    cb->aio_buf = buf.get();
    cb->aio_nbytes = 4096;
    cb->aio_sigevent.sigev_notify = SIGEV_NONE;
    const char* kind = pc.direct ? "an O_DIRECT 4 KiB aio_read" : "a 4 KiB aio_read";
    if (::aio_read(cb.get()) != 0) {
        const int err = errno;
        return probe_result::no(std::string("posix_aio: ") + kind + ": " + errno_text(err) +
                                (err == EAGAIN ? " (glibc could not start an AIO helper thread)" : ""));
    }
    const aiocb* list[1] = {cb.get()};
    timespec ts{5, 0};
    while (::aio_error(cb.get()) == EINPROGRESS) {
        if (::aio_suspend(list, 1, &ts) != 0 && errno == EAGAIN) {
            // A helper may still own cb, buf and fd: leave all three allocated.
            ::aio_cancel(fd.get(), cb.get());
            static_cast<void>(cb.release());
            static_cast<void>(buf.release());
            static_cast<void>(fd.release());
            return probe_result::no(std::string("posix_aio: ") + kind + " did not complete in 5 s");
        }
    }
    const int err = ::aio_error(cb.get());
    ::aio_return(cb.get());
    if (err != 0) return probe_result::no(std::string("posix_aio: ") + kind + " failed: " + errno_text(err));
    return probe_result::yes();
}

std::unique_ptr<backend> make_posix_aio(const backend_options& o) { return std::make_unique<posix_aio_backend>(o); }

}  // namespace iobench
