// The chart builders: each turns runs into charts (plots/chart.hpp), drawing
// nothing itself. One colour per backend in all of them (run_facts.hpp).
#pragma once

#include "plots/chart.hpp"
#include "plots/run_facts.hpp"

#include <vector>

namespace iobench::plots {

struct forest_row;  // plots/baseline_verdicts.hpp

// Per group of runs: throughput bars, latency percentiles, the percentile
// spectrum (overlaid across series), CPU per op by thread class.
std::vector<chart> summary_charts(const run_group& g, bool several_series);
chart spectrum_chart(const run_group& g, bool several_series);
// Per group with per-interval timelines: IOPS and p99 over time, and a heatmap.
std::vector<chart> timeline_charts(const run_group& g, bool several_series);
// Per sweep: IOPS and p99 against the swept value, latency against throughput.
std::vector<chart> sweep_charts(const sweep_group& s, bool several_series);
// --baseline: each metric's change with its interval against the threshold band.
chart forest_chart(const std::vector<forest_row>& rows, double threshold, const std::vector<plot_run>& runs);

// Shared by the builders: the frame of a chart about these runs (title,
// host and parameter subtitle, a note for each run that did not run or is suspect).
chart chart_frame(const std::string& name, const std::string& group, const std::string& title,
                  const std::vector<plot_run>& runs, bool several_series);
// Runs with numbers to draw: ok, suspect, interrupted (with their notes).
bool drawable(const run_result& r);
// 0xRRGGBB for `lc rgb variable`.
std::string colour_cell(const std::string& backend);
// Tic labels with units for a log axis in microseconds ("y", "cb"): 1-2-5 per
// decade, 1us .. 100s; gnuplot shows those inside the range. Small panels,
// where 1-2-5 labels would overlap, take `per_decade` 2 (1-3) or 1 (1-10-100).
std::string latency_tics(const std::string& axis, int per_decade = 3);
// A line style for a series: solid for the first, dashed for the second ...
std::string dash_of(unsigned series_index);

}  // namespace iobench::plots
