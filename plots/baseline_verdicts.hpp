// --baseline: how each run compares with the same run in the base, as the
// regression gate (`iobench compare`, results/compare.hpp) decides it: the
// same matching, samples, thresholds and Benjamini-Hochberg set, so the page
// and the gate never disagree.
#pragma once

#include "plots/plot_inputs.hpp"
#include "results/verdict.hpp"

#include <string>
#include <vector>

namespace iobench::plots {

struct forest_row {
    plot_run run;           // the new run
    std::string metric;     // "IOPS" / "req/s", "p99", "CPU/op"
    metric_comparison cmp;  // decided
};

struct baseline_verdicts {
    std::vector<forest_row> rows;
    std::vector<std::string> problems;  // series the gate would not compare (a host change, nothing matched), one line each
};

// Each input series but the baseline itself against `baseline` (a result file
// or directory), with the gate's default metrics at `threshold`. Throws
// bad_input when the baseline cannot be read.
baseline_verdicts compare_with_baseline(const std::string& baseline, const std::vector<series>& inputs,
                                        const std::vector<plot_run>& runs, double threshold);

// "p99 regression +12.0%" ... for the page's table, one run's verdicts.
std::string verdicts_text(const std::vector<forest_row>& rows, const run_result& r);

}  // namespace iobench::plots
