// What the charts and the page say about runs: one colour per backend (the
// same in every chart), numbers with units, the host and parameter lines, and
// how runs are grouped into charts (per workload, and sweeps within it).
#pragma once

#include "plots/plot_inputs.hpp"

#include <optional>
#include <string>
#include <vector>

namespace iobench::plots {

// "#rrggbb", fixed per known backend; other names get a stable spare colour.
std::string backend_colour(const std::string& backend);

std::string si_rate(double v);        // 90.5k, 1.20M
std::string latency_text(double ns);  // 325.6us, 4.29ms
std::string mb_text(double bytes_per_sec);  // 370.7 (MB/s, 10^6 bytes)
std::string param_text(const param_value& v, const std::string& key);  // bs 4096 -> 4k, runtime 3 -> 3s

bool is_network(const run_result& r);
std::string rate_unit(const run_result& r);  // "IOPS" or "req/s"
// "blocking" or "blocking (before)" when several series are drawn.
std::string run_label(const plot_run& r, bool several_series);

// "host · kernel · CPU · N cores · device (fs)" of each distinct host of the runs.
std::string host_line(const std::vector<plot_run>& runs);
// The parameters that matter for the runs' kind, those all share ("bs=4k iodepth=32 ...").
std::string parameters_line(const std::vector<plot_run>& runs);

// The parameters a sweep can vary, in the order they are tried.
inline const std::vector<std::string> sweep_keys{"iodepth", "bs", "connections", "rate"};

// The runs of one workload with the same values of every swept key: one set of
// summary charts. `key` is "randread" or "randread-iodepth-32" (file-name safe).
struct run_group {
    std::string workload, key, title;
    std::vector<plot_run> runs;
};
// Runs of one workload that differ in exactly one sweep key: the sweep charts.
struct sweep_group {
    std::string workload, swept;
    std::vector<plot_run> runs;
};

std::vector<run_group> group_runs(const std::vector<plot_run>& runs);
std::vector<sweep_group> find_sweeps(const std::vector<plot_run>& runs);
std::optional<double> number_param(const run_result& r, const std::string& key);

}  // namespace iobench::plots
