// Repetitions of one backend x workload folded into one run: the exact merge
// of their histograms, totals of their counts, medians of their rates and the
// spread (min, max, cv) of the figures a reader compares. Plain data in and out.
#pragma once

#include "results/run_result.hpp"

#include <span>
#include <vector>

namespace iobench {

double median_of(std::vector<double> v);        // 0 for none; the mean of the two middle values for an even count
spread_stat spread_of(std::span<const double> v);  // cv = population stddev / mean (0 when the mean is 0)

// `reps` in the order they ran (at least one). The result keeps them in
// `repetitions` (when there is more than one) and carries:
//  - ops, bytes, errors, read/write ops, fsyncs, duration_s, cpu seconds, counters: sums;
//  - iops, bytes_per_sec, cpu_per_op_ns, achieved_iodepth: medians; spread for
//    iops, bytes_per_sec, p50, p99 and cpu per op;
//  - latency (and censored): the bucket sums of the repetitions';
//  - status: the worst (error > interrupted > suspect > ok) with that
//    repetition's reason, prefixed with its number;
//  - checks: the repetition whose Little's-law ratio is farthest from 1 (the others' flags or-ed in).
// With one repetition it is returned as it is.
run_result combine_repetitions(std::vector<run_result> reps);

}  // namespace iobench
