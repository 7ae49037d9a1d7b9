// The cold parts of the interval recorder: setup, merging, the median depth.
#include "harness/run/interval_timeline.hpp"

#include <algorithm>

namespace iobench {

namespace {
constexpr uint64_t memory_budget = 64ull << 20;  // all workers' interval histograms together
constexpr unsigned ops_bounded_slots = 64;       // --ops: no runtime to size by; the last slot takes the rest
}  // namespace

unsigned depth_histogram::median() const {
    uint64_t total = 0;
    for (uint64_t t : ns_at_) total += t;
    if (total == 0) return 0;
    uint64_t seen = 0;
    for (size_t d = 0; d < ns_at_.size(); ++d) {
        seen += ns_at_[d];
        if (2 * seen >= total) return static_cast<unsigned>(d);
    }
    return static_cast<unsigned>(ns_at_.size() - 1);
}

void interval_recorder::setup(unsigned slots, uint64_t interval_ns) {
    slots_.assign(std::max(1u, slots), interval_slot{});
    interval_ns_ = slots > 1 ? interval_ns : 0;
}

void interval_recorder::begin(uint64_t measure_start_ns) {
    cur_ = 0;  // the slots are as setup() made them: one recorder per repetition
    next_edge_ = interval_ns_ && slots_.size() > 1 ? measure_start_ns + interval_ns_ : UINT64_MAX;
}

histogram interval_recorder::merged() const {
    histogram h;
    for (const auto& s : slots_) h.merge(s.latency);
    return h;
}

std::vector<timeline_point> merge_timeline(std::span<const interval_recorder* const> workers, uint64_t window_ns) {
    std::vector<timeline_point> out;
    if (workers.empty() || workers[0]->interval_ns() == 0 || window_ns == 0) return out;
    const uint64_t step = workers[0]->interval_ns();
    const size_t slots = workers[0]->slots().size();
    const size_t wanted = std::min<size_t>(slots, (window_ns + step - 1) / step);
    for (size_t i = 0; i < wanted; ++i) {
        histogram h;
        timeline_point p;
        double inflight = 0;
        for (const interval_recorder* w : workers) {
            const interval_slot& s = w->slots()[i];
            h.merge(s.latency);
            p.ops += s.ops;
            p.bytes += s.bytes;
            inflight += s.inflight_ns_sum;
        }
        const uint64_t from = i * step;
        const uint64_t to = i + 1 == slots ? window_ns : std::min(window_ns, from + step);  // the last slot took the rest
        p.t_s = static_cast<double>(from) / 1e9;
        p.dur_s = static_cast<double>(to - from) / 1e9;
        p.p50_ns = h.percentile(50);
        p.p99_ns = h.percentile(99);
        p.max_ns = h.max();
        p.min_ns = h.min();
        p.has_histogram = true;
        const auto& b = h.buckets();
        for (uint32_t k = 0; k < b.size(); ++k)
            if (b[k]) p.histogram.emplace_back(k, b[k]);
        p.inflight_mean = to > from ? inflight / static_cast<double>(to - from) : 0;
        out.push_back(p);
    }
    return out;
}

timeline_shape timeline_shape_for(uint64_t runtime_ns, uint64_t interval_ns, unsigned workers) {
    timeline_shape t;
    if (interval_ns == 0) return t;
    const uint64_t per_worker = memory_budget / std::max(1u, workers) / sizeof(interval_slot);
    const unsigned cap = static_cast<unsigned>(std::clamp<uint64_t>(per_worker, 2, 100'000));
    t.interval_ns = interval_ns;
    if (runtime_ns == 0) {
        t.slots = std::min(cap, ops_bounded_slots);
        return t;
    }
    // One more than the window needs: the last op of a batch may land just past the deadline.
    uint64_t needed = (runtime_ns + interval_ns - 1) / interval_ns + 1;
    if (needed > cap) {
        t.interval_ns = (runtime_ns + cap - 2) / (cap - 1);
        needed = cap;
        t.widened = true;
    }
    t.slots = static_cast<unsigned>(needed);
    return t;
}

}  // namespace iobench
