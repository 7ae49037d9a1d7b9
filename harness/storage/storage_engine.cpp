// The storage engine's loop. Hot path rules: nothing allocates, logs or throws
// between the first submit and the drain; one clock read per reaped batch.
#include "harness/storage/storage_engine.hpp"

#include "backends/probe_util.hpp"
#include "backends/unique_fd.hpp"
#include "harness/system/clock.hpp"
#include "harness/system/interrupt.hpp"
#include "harness/system/thread_role.hpp"
#include "workloads/verify_pattern.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <vector>

namespace iobench {

namespace {

constexpr auto reap_timeout = std::chrono::milliseconds(100);

struct slot {
    uint64_t submitted_ns = 0;  // set in flush(), just before the op's submit
    bool fresh = false;   // a new op, not yet stamped (a requeued rest keeps its stamp)
    bool busy = false;    // issued and not yet completed (queued or in the kernel)
    uint64_t offset = 0;  // where this op started (for verify and messages)
    uint32_t done = 0;    // bytes already transferred (short transfers are requeued)
    op_kind kind = op_kind::read;
};

struct aligned_free {
    void operator()(void* p) const { std::free(p); }
};

std::string describe_failure(const char* what, op_kind k, uint64_t offset, int64_t err) {
    return std::string(what) + ": " + std::string(to_string(k)) + " at offset " + std::to_string(offset) + ": " +
           errno_text(static_cast<int>(-err));
}

class storage_worker {
public:
    storage_worker(const storage_job& job, run_clock& clock, worker_result& out)
        : job_(job), clock_(clock), out_(out),
          src_(job.pattern, job.region_start, job.region_len, job.bs, job.rwmixread, job.offset_seed) {}

    void setup() {
        be_ = job_.entry->create(job_.options);
        out_.setup = be_->describe();
        const unsigned depth = job_.options.depth;
        const bool per_slot = (be_->caps() & cap_fd_per_slot) && job_.options.aio_fds == aio_fd_mode::per_slot;
        const unsigned nfds = per_slot ? depth : 1;
        for (unsigned i = 0; i < nfds; ++i) {
            unique_fd fd(::open(job_.path.c_str(), job_.open_flags | O_CLOEXEC));
            if (!fd) throw std::runtime_error("open " + job_.path + ": " + errno_text(errno));  // e.g. EROFS
            raw_fds_.push_back(fd.get());
            fds_.push_back(std::move(fd));
        }
        void* mem = nullptr;
        const size_t arena_len = size_t{depth} * job_.bs;
        if (::posix_memalign(&mem, 4096, arena_len) != 0) throw std::bad_alloc();
        arena_.reset(static_cast<unsigned char*>(mem));
        // Writes without --verify carry incompressible bytes; with it, each
        // write gets the pattern of its own offset at issue time.
        fill_pattern(arena_.get(), static_cast<uint32_t>(arena_len & ~size_t{7}), 0, job_.offset_seed);
        const iovec iov{arena_.get(), arena_len};
        be_->attach({raw_fds_, {&iov, 1}});
        slots_.resize(depth);
        pending_.reserve(depth);
        completions_.resize(depth);
        out_.timeline.setup(job_.timeline.slots, job_.timeline.interval_ns);
        out_.depth.setup(depth);
        fault_pending_ = job_.fault_drop_stamp;
        op_delay_ = job_.fault_op_delay_ns != 0;
        stall_fault_ = job_.fault_stall;
    }

    void run() {
        out_.timeline.begin(clock_.measure_start_ns);
        uint64_t now = now_ns();
        open_window(now);
        for (unsigned s = 0; s < slots_.size(); ++s) issue_new(s, now);
        if (!flush()) return drain();
        next_stall_check_ = now + stall_check_every();
        while (inflight_ > 0) {
            const int n = be_->reap(completions_, std::clamp(job_.options.batch, 1u, inflight_), reap_timeout);
            now = now_ns();
            open_window(now);
            if (n < 0) {
                fail("reap: " + errno_text(-n));
                break;
            }
            account_inflight(now);
            in_kernel_ -= static_cast<unsigned>(std::max(n, 0));
            if (now >= next_stall_check_) [[unlikely]] {
                if (find_stall(now)) break;
                next_stall_check_ = now + stall_check_every();
            }
            if (n == 0) {
                if (interrupted()) stop(now);
                continue;
            }
            const uint64_t deadline = stop_at();
            if (!stopping_ && ((deadline && now >= deadline) || interrupted())) stop(now);
            uint64_t measured = 0;
            for (int i = 0; i < n; ++i) measured += complete(completions_[static_cast<unsigned>(i)], now);
            if (measured) clock_.live_ops.fetch_add(measured, std::memory_order_relaxed);
            if (!flush()) break;
        }
        drain();
    }

private:
    // Once, at the first reap past the window's start: a copy of the
    // counters, so calls per op count the window only.
    void open_window(uint64_t now) {
        if (window_open_ || now < clock_.measure_start_ns) return;
        window_open_ = true;
        at_window_start_ = be_->counters();
    }

    // A few checks per stall limit: a slot scan, off the per-batch path.
    uint64_t stall_check_every() const { return std::max<uint64_t>(job_.stall_limit_ns / 32, 1'000'000); }

    // The oldest op in flight past the stall limit fails the run, named by
    // backend, op kind and offset. During the window it is a stuck op; after
    // the deadline it is the grace running out, so the run's end stays bounded.
    bool find_stall(uint64_t now) {
        const slot* oldest = nullptr;
        for (const slot& s : slots_)
            if (s.busy && !s.fresh && s.submitted_ns != UINT64_MAX && (!oldest || s.submitted_ns < oldest->submitted_ns))
                oldest = &s;
        if (!oldest || now - oldest->submitted_ns <= job_.stall_limit_ns) return false;
        char age[32];
        std::snprintf(age, sizeof age, "%.1f", static_cast<double>(now - oldest->submitted_ns) / 1e9);
        char limit[32];
        std::snprintf(limit, sizeof limit, "%g", static_cast<double>(job_.stall_limit_ns) / 1e9);
        fail(std::string(job_.entry->name) + " stalled: " + std::string(to_string(oldest->kind)) + " at offset " +
             std::to_string(oldest->offset + oldest->done) + " in flight for " + age + " s (stall limit " + limit +
             " s), " + std::to_string(inflight_) + " ops in flight");
        stalled_ = true;
        return true;
    }

    // Returns 1 if the op counted as a measured completion.
    unsigned complete(const io_completion& c, uint64_t now) {
        slot& s = slots_[c.token];
        // IOBENCH_TEST_FAULT=stall: the first completion of the window is
        // dropped as if the kernel never delivered it; the slot stays busy.
        if (stall_fault_ && now >= clock_.measure_start_ns) [[unlikely]] {
            stall_fault_ = false;
            ++withheld_;
            return 0;
        }
        --inflight_;
        s.busy = false;
        if (c.result < 0) {
            ++out_.errors;
            fail(std::string(job_.entry->name) + ": " + describe_failure("I/O error", s.kind, s.offset + s.done, c.result));
            return 0;
        }
        if (s.kind != op_kind::fsync) {
            s.done += static_cast<uint32_t>(c.result);
            if (s.done < job_.bs) {  // short transfer: requeue the rest, same stamp
                if (c.result == 0) {
                    ++out_.errors;
                    fail(std::string(job_.entry->name) + ": " +
                         describe_failure("unexpected end of file", s.kind, s.offset + s.done, -EIO));
                    return 0;
                }
                if (!stopping_) requeue(static_cast<unsigned>(c.token));
                return 0;
            }
            if (job_.verify && s.kind == op_kind::read) {
                const uint64_t bad = check_pattern(buffer(c.token), job_.bs, s.offset, job_.pattern_seed);
                if (bad != UINT64_MAX) {
                    ++out_.errors;
                    fail("verify: data mismatch at offset " + std::to_string(bad) + " (block at offset " +
                         std::to_string(s.offset) + ", " + std::to_string(job_.bs) + " bytes)");
                    return 0;
                }
            }
        }
        unsigned measured = 0;
        if (now >= clock_.measure_start_ns && !stopping_) {
            measured = take_budget();
            if (measured) record(s, now);
        }
        if (op_delay_) [[unlikely]] spin_for(job_.fault_op_delay_ns);
        if (!stopping_) issue_new(static_cast<unsigned>(c.token), now);
        return measured;
    }

    void record(const slot& s, uint64_t now) {
        if (s.kind == op_kind::fsync) {  // syncs are counted, not mixed into I/O latency
            ++out_.fsyncs;
            return;
        }
        if (now < s.submitted_ns) [[unlikely]] {  // the stamp check: never a sample below zero
            ++out_.negative_latencies;
            return;
        }
        if (s.kind == op_kind::write) ++out_.writes;
        else ++out_.reads;
        out_.timeline.record(now, now - s.submitted_ns, job_.bs);
        ++out_.ops;
        out_.bytes += job_.bs;
    }

    // The shared --ops budget: the op that takes the last unit stops everyone.
    unsigned take_budget() {
        if (clock_.ops_left.load(std::memory_order_relaxed) == UINT64_MAX) return 1;
        uint64_t left = clock_.ops_left.load(std::memory_order_relaxed);
        while (left > 0 && !clock_.ops_left.compare_exchange_weak(left, left - 1, std::memory_order_relaxed)) {}
        if (left == 0) {
            stop(now_ns());
            return 0;
        }
        if (left == 1) stopping_after_this_ = true;
        return 1;
    }

    void issue_new(unsigned idx, uint64_t now) {
        if (stopping_after_this_) {
            stop(now);
            return;
        }
        slot& s = slots_[idx];
        s.done = 0;
        s.fresh = true;  // stamped in flush(), at the edge of the batch that submits it
        s.busy = true;
        if (job_.fsync_every && writes_since_sync_ >= job_.fsync_every) {
            writes_since_sync_ = 0;
            s.kind = op_kind::fsync;
            s.offset = 0;
            pending_.push_back({op_kind::fsync, 0, 0, fd_for(idx), nullptr, 0, 0, idx});
            ++inflight_;
            return;
        }
        const auto next = src_.next();
        s.offset = next.offset;
        s.kind = next.write ? op_kind::write : op_kind::read;
        if (next.write) {
            ++writes_since_sync_;
            if (job_.verify) fill_pattern(buffer(idx), job_.bs, s.offset, job_.pattern_seed);
        }
        pending_.push_back({s.kind, 0, 0, fd_for(idx), buffer(idx), job_.bs, s.offset, idx});
        ++inflight_;
    }

    void requeue(unsigned idx) {
        slot& s = slots_[idx];
        s.busy = true;
        pending_.push_back({s.kind, 0, 0, fd_for(idx), buffer(idx) + s.done, job_.bs - s.done, s.offset + s.done, idx});
        ++inflight_;
    }

    bool flush() {
        // Hand ops over in groups of --batch. Measured here (virtio-blk, QD32):
        // submitting all refilled ops in one call holds the first ones back
        // behind the rest (block plugging) and cost ~12% IOPS against
        // submitting each at once, which is what fio does by default.
        const size_t chunk = std::max(1u, job_.options.batch);
        for (size_t i = 0; i < pending_.size(); i += chunk) {
            const auto ops = std::span(pending_).subspan(i, std::min(chunk, pending_.size() - i));
            // One clock read per batch edge, before the ops become visible to
            // the kernel (SQPOLL may complete them before submit returns). A
            // stamp taken at reap time would also count the verify scans and
            // the submits of the batches ahead of this one.
            const uint64_t edge = now_ns();
            for (const io_op& op : ops) {
                slot& s = slots_[op.token];
                if (s.fresh) {
                    s.submitted_ns = edge;
                    s.fresh = false;
                }
            }
            if (fault_pending_ && edge >= clock_.measure_start_ns) [[unlikely]] drop_stamp(ops.front().token);
            account_inflight(edge);
            in_kernel_ += static_cast<unsigned>(ops.size());
            be_->prepare(ops);
            const int r = be_->submit();
            if (r < 0) {
                fail("submit: " + errno_text(-r));
                return false;
            }
        }
        pending_.clear();
        return true;
    }

    // Integrates the ops the kernel holds (submitted, not yet reaped) over the
    // window, edge to edge: the same instants the latency stamps use, so the
    // mean depth and IOPS x mean latency agree (Little's law). Ops the harness
    // has not handed over yet are not in flight: at page-cache speed they are
    // a third of the requested depth, and the achieved depth says so.
    // Per interval slot, and the time at each depth for the median depth.
    void account_inflight(uint64_t now) {
        if (stopping_ || now <= clock_.measure_start_ns) {
            last_edge_ = now;
            return;
        }
        const uint64_t from = std::max(last_edge_, clock_.measure_start_ns);
        const uint64_t deadline = stop_at();
        const uint64_t to = deadline ? std::min(now, deadline) : now;
        if (to > from) {
            out_.timeline.add_inflight(from, to, in_kernel_);
            out_.depth.add(in_kernel_, to - from);
        }
        last_edge_ = now;
    }

    uint64_t stop_at() const { return clock_.stop_ns.load(std::memory_order_relaxed); }

    void stop(uint64_t now) {
        if (stopping_) return;
        stopping_ = true;
        if (window_open_) out_.window_counters = be_->counters() - at_window_start_;
        const uint64_t deadline = stop_at();
        out_.measure_end_ns = deadline ? std::min(now, deadline) : now;
        censor_inflight(out_.measure_end_ns);
    }

    // Ops the kernel still holds when the window closes are not lost from the
    // latency record: each goes in as a censored sample, its age at the end
    // (a lower bound of its latency). Once per run, at the edge: a loop over
    // the depth's slots, nothing allocated.
    void censor_inflight(uint64_t end) {
        if (end <= clock_.measure_start_ns) return;
        for (const slot& s : slots_) {
            if (!s.busy || s.fresh || s.kind == op_kind::fsync || s.submitted_ns >= end) continue;
            const uint64_t age = end - s.submitted_ns;
            out_.censored.record(age);
            out_.censored_oldest_ns = std::max(out_.censored_oldest_ns, age);
        }
    }

    // IOBENCH_TEST_FAULT=drop_stamp: the op loses its submit stamp (as if it
    // were never written), so its completion fails the stamp check. Test-only.
    void drop_stamp(uint64_t token) {
        fault_pending_ = false;
        slots_[token].submitted_ns = UINT64_MAX;
    }

    void fail(std::string msg) {
        if (out_.ok) out_.error = std::move(msg);
        out_.ok = false;
        stop(now_ns());
    }

    // Let every op in flight finish before the backend (and the buffers) go away.
    // After a stall the stuck op will not come back: no second wait.
    void drain() {
        stop(now_ns());
        const uint64_t give_up = now_ns() + (stalled_ ? 0 : job_.stall_limit_ns);
        while (inflight_ > withheld_ && now_ns() < give_up) {
            const int n = be_->reap(completions_, 1, reap_timeout);
            if (n < 0) break;
            inflight_ -= static_cast<unsigned>(n);
        }
        out_.counters = be_->counters();
    }

    unsigned char* buffer(uint64_t idx) { return arena_.get() + idx * job_.bs; }
    int fd_for(unsigned idx) const { return raw_fds_[idx % raw_fds_.size()]; }

    const storage_job& job_;
    run_clock& clock_;
    worker_result& out_;
    storage_op_source src_;
    std::unique_ptr<backend> be_;
    std::vector<unique_fd> fds_;
    std::vector<int> raw_fds_;
    std::unique_ptr<unsigned char, aligned_free> arena_;
    std::vector<slot> slots_;
    std::vector<io_op> pending_;
    std::vector<io_completion> completions_;
    unsigned inflight_ = 0;   // issued ops not yet completed, queued in pending_ included
    unsigned in_kernel_ = 0;  // ...of those, handed to the backend and not yet reaped
    uint64_t last_edge_ = 0;  // last instant account_inflight() integrated up to
    unsigned writes_since_sync_ = 0;
    bool stopping_ = false;
    bool stopping_after_this_ = false;
    bool fault_pending_ = false;
    bool op_delay_ = false;  // IOBENCH_TEST_FAULT=op_delay_us: off, this one branch is all it costs
    bool stall_fault_ = false;  // IOBENCH_TEST_FAULT=stall: withhold the next completion in the window
    unsigned withheld_ = 0;     // ...completions so withheld (never reaped again)
    bool stalled_ = false;
    uint64_t next_stall_check_ = 0;
    bool window_open_ = false;
    backend_counters at_window_start_;
};

}  // namespace

void run_storage_worker(const storage_job& job, run_clock& clock, worker_result& out) {
    const thread_role role(thread_class::harness, "ib-storage");
    bool counted_down = false;
    try {
        storage_worker w(job, clock, out);
        w.setup();
        clock.ready.count_down();
        counted_down = true;
        clock.go.wait();
        w.run();
        out.latency = out.timeline.merged();
        for (const auto& s : out.timeline.slots()) out.inflight_ns_sum += s.inflight_ns_sum;
    } catch (const std::exception& e) {
        out.ok = false;
        out.error = e.what();
        if (!counted_down) {
            clock.ready.count_down();
            clock.go.wait();
        }
    }
    if (out.measure_end_ns == 0) out.measure_end_ns = now_ns();
}

}  // namespace iobench
