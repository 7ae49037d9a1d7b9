// --baseline: how each run compares with the same run in the base. This is
// the adapter to the comparison gate: today it calls results/verdict.hpp
// (compare_samples + decide) on the two files' repetitions; once the gate's
// library (`iobench compare`, results/compare*) lands, this file is the one
// place to switch over, so the page shows the gate's own verdicts.
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

// Runs of `fresh` matched to `base` by workload, backend and the swept
// parameters; three metrics each; decided together (one false-discovery set).
std::vector<forest_row> compare_with_baseline(const std::vector<plot_run>& base, const std::vector<plot_run>& fresh,
                                              const gate_options& o = {});

// "p99 regression +12.0%" ... for the page's table, one run's verdicts.
std::string verdicts_text(const std::vector<forest_row>& rows, const run_result& r);

}  // namespace iobench::plots
