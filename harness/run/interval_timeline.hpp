// What one worker measures inside the window, per interval (--interval): a
// fixed array of interval slots sized at setup, each with its own latency
// histogram, op and byte counts and integral of ops in flight. The worker's
// latency histogram is the merge of its slots, so recording costs what one
// histogram did before; moving to the next slot is a compare on the clock
// read the worker already makes per batch. No allocation after setup().
#pragma once

#include "results/histogram.hpp"
#include "results/run_result.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace iobench {

// Time spent at each depth (ops in flight), for the median depth over time.
class depth_histogram {
public:
    void setup(unsigned max_depth) { ns_at_.assign(max_depth + 1, 0); }
    void add(unsigned depth, uint64_t ns) {
        if (depth < ns_at_.size()) ns_at_[depth] += ns;
    }
    unsigned median() const;  // the depth at which half the time is reached (0 when empty)

private:
    std::vector<uint64_t> ns_at_;
};

struct interval_slot {
    histogram latency;
    uint64_t ops = 0, bytes = 0;
    double inflight_ns_sum = 0;  // op*ns
};

class interval_recorder {
public:
    // `slots` intervals of `interval_ns` (0: one slot for the whole window).
    void setup(unsigned slots, uint64_t interval_ns);
    // Once, when the measure start is known (a recorder serves one repetition).
    void begin(uint64_t measure_start_ns);

    // Hot path: `now` is the batch's clock read (>= the previous call's).
    void record(uint64_t now, uint64_t latency_ns, uint64_t bytes) {
        interval_slot& s = slot_at(now);
        s.latency.record(latency_ns);
        ++s.ops;
        s.bytes += bytes;
    }
    void add_bytes(uint64_t now, uint64_t bytes) { slot_at(now).bytes += bytes; }
    // Ops in flight `depth` over [from, to), split at interval edges.
    void add_inflight(uint64_t from, uint64_t to, unsigned depth) {
        while (from < to) {
            interval_slot& s = slot_at(from);
            const uint64_t until = to < next_edge_ ? to : next_edge_;
            s.inflight_ns_sum += static_cast<double>(depth) * static_cast<double>(until - from);
            from = until;
        }
    }

    std::span<const interval_slot> slots() const { return slots_; }
    uint64_t interval_ns() const { return interval_ns_; }
    histogram merged() const;  // every slot's latency, bucket sums

private:
    interval_slot& slot_at(uint64_t t) {
        while (t >= next_edge_) advance();
        return slots_[cur_];
    }
    void advance() {
        if (cur_ + 1 < slots_.size()) {
            ++cur_;
            next_edge_ += interval_ns_;
        } else {
            next_edge_ = UINT64_MAX;  // the last slot takes the rest
        }
    }

    std::vector<interval_slot> slots_;
    uint64_t interval_ns_ = 0;
    size_t cur_ = 0;
    uint64_t next_edge_ = UINT64_MAX;
};

// The workers' slots merged into the run's timeline: intervals from the
// measure start up to `window_ns`, each with its own percentiles.
std::vector<timeline_point> merge_timeline(std::span<const interval_recorder* const> workers, uint64_t window_ns);

// Slots a worker needs for a window of `runtime_ns` (0: bounded by --ops) at
// `interval_ns`, and the interval widened when `workers` x slots histograms
// would not fit the memory budget (the result then notes it).
struct timeline_shape {
    unsigned slots = 1;
    uint64_t interval_ns = 0;
    bool widened = false;
};
timeline_shape timeline_shape_for(uint64_t runtime_ns, uint64_t interval_ns, unsigned workers);

}  // namespace iobench
