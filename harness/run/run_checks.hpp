// The self-checks every measured run goes through, storage and network: the
// stamps (no latency below zero), percentiles in order, Little's law (mean
// ops in flight = IOPS x mean latency, within 10%), and whether the ops still
// in flight at the window's end would move p99. Each failure makes an ok run
// "suspect" with the reason (the numbers are kept; the exit code stays 0).
// Also the achieved-vs-requested figures and their notes.
#pragma once

#include "results/histogram.hpp"
#include "results/run_result.hpp"

#include <cstdint>
#include <optional>

namespace iobench {

inline constexpr double littles_law_low = 0.9, littles_law_high = 1.1;

struct check_inputs {
    std::optional<double> inflight_mean;  // time-mean of ops in flight over the window, where it is integrated
    uint64_t negative_latencies = 0;      // completions stamped before their submit (not in the histogram)
    histogram censored;                   // ops in flight at the window's end: their age then
    uint64_t censored_oldest_ns = 0;
};

// Fills r.checks and r.at_end, folds the censored samples into r.latency
// (r.censored says how many), and marks an ok run suspect when a check fails.
// Call after r.ops, r.iops and r.latency (completed ops only) are set.
void apply_checks(run_result& r, const check_inputs& in);

// Fills r.achieved from what was asked and what ran; a figure below 95% of
// its request is named in below_request and gets a note (never silent).
void apply_achieved(run_result& r, achieved_facts a);

}  // namespace iobench
