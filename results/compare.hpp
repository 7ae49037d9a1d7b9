// The regression gate over two sides (results/compare_inputs.hpp): runs
// matched by job x backend x workload x parameters, the samples of each metric
// from the runs' repetitions, the host fingerprint of every matched pair, and
// one verdict per metric (results/verdict.hpp, Benjamini-Hochberg across every
// comparison of the report). Writers: results/compare_writers.hpp.
#pragma once

#include "results/compare_inputs.hpp"
#include "results/verdict.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iobench {

enum class metric_id : uint8_t { iops, bytes_per_sec, p50, p90, p99, p999, p9999, mean_latency, max_latency, cpu_per_op };

struct metric_info {
    metric_id id;
    std::string_view name;  // as --metric takes it and the outputs print it
    better direction;
    bool latency;  // read from the run's latency histogram (a run without one has none)
};

// Every metric the gate knows, in the order --help lists them.
std::span<const metric_info> compare_metrics();
const metric_info& info_of(metric_id id);
// The name, or a network run's for iops ("req/s": the same field, requests per second).
std::string_view metric_label(metric_id id, bool network);
// "iops", "req/s" and "req_per_sec" are one metric; unknown: nullopt.
std::optional<metric_id> parse_metric(std::string_view name);

// One sample per repetition (the run itself when it has none), in run order.
std::vector<double> samples_of(const run_result& r, metric_id id);

// Parameters that do not make a run a different run: where and when it ran
// (listen, target, start_at), the offset seed, how often it repeated and its
// timeline step, --strict. Everything else must be equal to match.
inline constexpr std::array<std::string_view, 7> compare_free_parameters{"interval", "listen", "repeat", "seed",
                                                                         "start_at", "strict", "target"};

// The host facts that make two runs comparable, as results/SCHEMA.md names them.
inline constexpr std::array<std::string_view, 7> fingerprint_fields{"kernel",     "cpu_model", "cores",    "device",
                                                                    "filesystem", "scheduler", "governor"};

// iops (req/s for network runs), p99, cpu_per_op.
std::vector<metric_id> default_compare_metrics();

struct compare_settings {
    std::vector<metric_id> metrics = default_compare_metrics();
    bool auto_threshold = false;  // --threshold auto: per metric, max(3%, k x the base's own A/A noise)
    double threshold = 0.05;      // fixed --threshold; with auto, still the margin of `equivalent`
    double auto_k = 1;            // k of --threshold auto
    double alpha = 0.05;
    double confidence = 0.95;     // of the Hodges-Lehmann interval
    bool allow_host_change = false;
};

// What matches a run across the sides: its job, backend, workload and every
// parameter that is not free (compare_free_parameters).
std::string match_key(const std::string& job, const run_result& r);

struct compare_row {
    std::string key;  // match_key of the compared runs
    std::string job, backend, workload;
    metric_id metric{};
    bool network = false;
    std::string base_status, new_status;  // ok or suspect (both ran)
    metric_comparison c;  // c.threshold is the one applied
};

struct host_change {
    std::string field, base_value, new_value, base_file, new_file;
};

// A run present on one side only; `why` says what differs from a run of the
// same job x backend x workload on the other side, when there is one.
struct unmatched_run {
    std::string side;  // "base" or "new"
    std::string job, backend, workload, file, why;
};

// Matched, but not both measured (unsupported, error, interrupted).
struct uncompared_run {
    std::string job, backend, workload, base_status, new_status, reason;
};

enum class compare_outcome : uint8_t { pass, regression, undecided };

struct compare_report {
    std::string base, fresh;  // as given
    std::vector<std::string> skipped;  // directory entries that were not iobench results
    compare_settings settings;
    std::vector<host_change> host_changes;  // empty, or allowed by --allow-host-change
    std::vector<compare_row> rows;
    std::vector<unmatched_run> unmatched;
    std::vector<uncompared_run> uncompared;
    // With many comparisons BH asks a lone regression for p < alpha / rows;
    // when these sample sizes cannot get there: the repetitions per side that can (0: they can).
    size_t lone_regression_needs_per_side = 0;
    // Compared runs measured beside a busy neighbour (the run's neighbour_busy,
    // or its file's preflight warning): other processes' CPU moves the numbers.
    size_t compared_runs = 0, busy_base_runs = 0, busy_new_runs = 0;
};

// A run found in several files of one side (rounds: BASE/1/JOB.json,
// BASE/2/JOB.json) is pooled: its samples are every round's repetitions.
// Throws compare_input_error (bad input): a host fingerprint that differs
// (unless allowed), the same run twice in one file, nothing to compare.
compare_report compare_sides(const compare_side& base, const compare_side& fresh, const compare_settings& s);

size_t count(const compare_report& r, verdict v);
// regression: any row is one; undecided: every row is insufficient; else pass.
compare_outcome outcome_of(const compare_report& r);
std::string_view to_string(compare_outcome o);

}  // namespace iobench
