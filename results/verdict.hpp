// The regression gate's decision for one metric of one backend x workload,
// from the repetitions of a base and a new run: regression, improvement,
// equivalent (with evidence), inconclusive, or insufficient (too few
// repetitions for the test to reach alpha at all). Direction-aware: higher is
// better for throughput, lower for latency and CPU per op.
#pragma once

#include "results/rank_tests.hpp"

#include <cstdint>
#include <span>
#include <string_view>

namespace iobench {

enum class better : uint8_t { higher, lower };

enum class verdict : uint8_t { regression, improvement, equivalent, inconclusive, insufficient };
std::string_view to_string(verdict v);

struct gate_options {
    double threshold = 0.05;   // relative change that matters (5%)
    double alpha = 0.05;       // false discovery rate across all comparisons of one gate run
    double confidence = 0.95;  // of the Hodges-Lehmann interval that can show equivalence
};

struct metric_comparison {
    better direction = better::higher;
    size_t base_n = 0, new_n = 0;
    double base_median = 0, new_median = 0;
    double change = 0;                  // (new - base) / base, of the medians
    double p_worse = 1, p_better = 1;   // one-sided U tests, raw
    double q_worse = 1, q_better = 1;   // after Benjamini-Hochberg across the gate run (decide())
    shift_estimate shift;               // new - base (absolute units)
    double shift_rel = 0, lower_rel = 0, upper_rel = 0;  // ...relative to the base median
    verdict result = verdict::inconclusive;
    size_t needed_per_side = 0;         // insufficient: repetitions per side that can reach alpha
    double threshold = 0;               // > 0: this comparison's own (--threshold auto), else gate_options'
};

// The tests for one metric (verdict still open: decide() sets it).
metric_comparison compare_samples(std::span<const double> base, std::span<const double> fresh, better direction,
                                  const gate_options& o = {});

// Benjamini-Hochberg across every comparison of the gate run, then each verdict:
//  regression:   beyond the threshold in the bad direction AND q_worse < alpha;
//  improvement:  the mirror image;
//  equivalent:   the shift's whole interval lies inside +-threshold (the
//                smaller of the comparison's own and the gate's);
//  insufficient: the sizes cannot give p < alpha (3 vs 3 cannot reach 0.05);
//  inconclusive: none of these.
void decide(std::span<metric_comparison> all, const gate_options& o = {});

// `--threshold auto`: the larger of 3% and k times the noise the base shows
// against itself: its repetitions split in alternate halves (A/A), the noise
// is the widest end of the relative Hodges-Lehmann interval between them.
// Halves too small to bound that interval at `confidence` (fewer than 4 + 4
// repetitions at 95%) use the widest it can be: all pairwise differences
// between the halves (for 3 + 2, an 80% interval).
double auto_threshold(std::span<const double> base, double confidence = 0.95, double k = 1);

}  // namespace iobench
