// The result model every writer and reader uses: one run_context per invocation
// and one run_result per backend x workload. Plain data, no behaviour; it knows
// nothing of backends or the harness (they copy their facts in), so results/
// builds and tests on its own. The JSON form is documented in results/SCHEMA.md.
#pragma once

#include "results/histogram.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace iobench {

inline constexpr const char* schema_name = "iobench/4";
inline constexpr const char* schema_v3_name = "iobench/3";  // still read, never written
inline constexpr const char* schema_v2_name = "iobench/2";  // still read, never written
inline constexpr const char* schema_v1_name = "iobench/1";  // still read, never written

// ok/unsupported/error are the iobench/1 strings; suspect is a run that
// measured but failed a self-check, interrupted one stopped before its end.
enum class run_status : uint8_t { ok, unsupported, error, suspect, interrupted };

std::string_view to_string(run_status s);
std::optional<run_status> parse_run_status(std::string_view s);

// A parameter value as JSON holds it: null (not applicable), a boolean, an
// integer, a number (durations in seconds, rates per second) or text. Sizes are
// integers in bytes. Integers are canonical: >= 0 as uint64_t, < 0 as int64_t
// (param_int() does it), so a written and re-read value compares equal.
using param_value = std::variant<std::monostate, bool, uint64_t, int64_t, double, std::string>;
using parameter_map = std::map<std::string, param_value>;  // sorted by name, as written

inline param_value param_int(int64_t v) {
    return v >= 0 ? param_value(static_cast<uint64_t>(v)) : param_value(v);
}

struct host_facts {
    std::string hostname, kernel, cpu_model, liburing_version;
    unsigned cores = 0;
    std::string target_path, target_fs, target_device;  // storage runs only
    // iobench/3 additions. Text as the system gave it; "unknown" (a library
    // that says nothing about itself) or "unavailable" (no such /sys file,
    // e.g. cpufreq in a VM) when it could not be read.
    std::string libaio_version, glibc_version;
    unsigned cpus_online = 0;
    std::string cpufreq_governor, cpufreq_boost;
    // The target device's request queue (/sys/block/DEV/queue); storage runs only.
    std::string queue_scheduler, queue_rotational, queue_io_poll, queue_nr_requests;
};

// One input of a merged file (`iobench merge`): where it came from and the
// parameters that were allowed to differ between inputs, as that input had them.
struct merge_source {
    std::string file, started_at, command_line;
    host_facts host;
    parameter_map parameters;
};

struct run_context {
    host_facts host;
    std::string command_line;
    std::string started_at;    // ISO 8601 UTC
    parameter_map parameters;  // exact parameters, as given or defaulted, for the whole invocation
    // Merged files only (both empty otherwise): "concurrent" or "repetitions", and every input.
    std::string merge_mode;
    std::vector<merge_source> merged_from;
    std::vector<std::string> warnings;  // iobench/3: what the preflight found doubtful about this setup
    std::string job;  // iobench/3: the suite job that wrote the file (`iobench suite`); empty for `run`
};

struct cpu_usage {
    double user_s = 0, sys_s = 0;
    bool operator==(const cpu_usage&) const = default;
    cpu_usage& operator+=(const cpu_usage& o) {
        user_s += o.user_s;
        sys_s += o.sys_s;
        return *this;
    }
};

// CPU other processes used during a run: busy time of the whole machine
// (/proc/stat) less this process's own, in CPUs (0.25 = a quarter of one).
struct neighbour_load {
    double cpu_fraction = 0;
    bool busy = false;  // above the threshold (10% of a CPU)
    bool operator==(const neighbour_load&) const = default;
};

// Counters a backend kept about itself, by name, in the order they are written.
struct named_counter {
    std::string name;
    uint64_t value = 0;
    bool operator==(const named_counter&) const = default;
};
using counter_list = std::vector<named_counter>;

// One thread class's share of the window's CPU (cpu.by_thread, iobench/3).
struct thread_class_cpu {
    std::string name;  // harness, iou-sqp, iou-wrk, aio-helpers, load, other
    cpu_usage cpu;
    unsigned threads = 0;  // seen at the window's end, or seen at its start and gone since
    uint64_t voluntary_cs = 0, involuntary_cs = 0;
    bool operator==(const thread_class_cpu&) const = default;
};

// Where the window's CPU went and what it cost per op (iobench/3 additions to
// `cpu`). measured = false for files written before them.
struct cpu_breakdown {
    bool measured = false;
    std::vector<thread_class_cpu> by_thread;  // sums to cpu (user_s, sys_s) exactly
    cpu_usage residue;  // already in by_thread: what no thread sampled at the window's end explains
    std::string residue_in;  // ...in which class
    uint64_t voluntary_cs = 0, involuntary_cs = 0;  // RUSAGE_SELF deltas over the window
    double per_op_voluntary_cs = 0, per_op_involuntary_cs = 0;
    // Backend calls per op over the window, where the harness counts them (storage runs).
    bool calls_measured = false;
    double per_op_submit_calls = 0, per_op_reap_calls = 0, per_op_enter_calls = 0;
    double cqes_per_enter = 0;  // io_uring: CQEs harvested per io_uring_enter (0: no enter)
};

// Network runs only: both sides of the connection.
struct net_facts {
    std::string side = "both";  // both (run), server (serve), load (load)
    std::string mode;           // closed-loop | open-loop
    std::string target;         // the server's HOST:PORT
    std::string client_backend, client_setup;
    unsigned connections = 0, live_connections = 0;
    uint64_t reconnects = 0;  // load side: reopened after the server said Connection: close
    uint32_t msg_size = 0;
    double target_rate = 0, achieved_rate = 0;
    uint64_t bytes_sent = 0, bytes_received = 0;  // load side, in the window
    double gbit_per_sec = 0;                      // payload rate (bytes_per_sec x 8 / 1e9)
    cpu_usage client_cpu, server_cpu;
    uint64_t server_accepted = 0, server_requests = 0, server_bytes_in = 0, server_bytes_out = 0, server_errors = 0;
};

// Transfer runs only (--workload transfer): one file moved to a socket by one
// method. An optional object, so files without it read as before.
struct transfer_facts {
    std::string method;          // read_send | mmap_send | sendfile | splice | tee | io_uring_splice | ...
    std::string cache = "warm";  // warm | cold (cold: dropped from the page cache before the run)
    bool direct = false;         // read_send: O_DIRECT reads
    uint64_t file_size = 0;
    uint32_t chunk = 0;          // --bs: bytes per call
    unsigned receivers = 1;      // tee: 2, each verified
    uint64_t bytes = 0;          // bytes every receiver got and verified
    double gbit_per_sec = 0;
    double cached_fraction = -1;  // of the file resident just before the timed window (mincore), -1 unknown
    cpu_usage sender_cpu, receiver_cpu;  // process less the receiver threads; the receiver threads
    double sender_user_s_per_gb = 0, sender_sys_s_per_gb = 0;
    uint64_t syscalls = 0;       // the sender's, as `syscalls_counted` says
    double syscalls_per_mb = 0;
    std::string syscalls_counted;
    bool zerocopy_reported = false;  // the kernel reported per-send usage (send_zc, MSG_ZEROCOPY)
    uint64_t bytes_zero_copied = 0, bytes_copied = 0;
    bool operator==(const transfer_facts&) const = default;
};

// A histogram's non-empty buckets: [bucket index, count] in index order
// (results/histogram.hpp's layout), as the JSON stores them.
using sparse_buckets = std::vector<std::pair<uint32_t, uint64_t>>;

// iobench/3: one interval of a run's timeline (--interval), from the measure start.
struct timeline_point {
    double t_s = 0, dur_s = 0;  // the interval's start (s after the measure start) and its length
    uint64_t ops = 0, bytes = 0;
    uint64_t p50_ns = 0, p99_ns = 0, max_ns = 0;
    double inflight_mean = 0;  // time-mean of ops in flight over the interval
    // iobench/4: the interval's own histogram, for the latency heatmap (empty
    // when read from an older file: has_histogram tells).
    uint64_t min_ns = 0;
    sparse_buckets histogram{};
    bool has_histogram = false;
    bool operator==(const timeline_point&) const = default;
};

// iobench/3: the run's self-checks; a failed one makes the run "suspect" with the reason.
struct littles_law_check {
    double inflight_mean = 0, iops_x_latency = 0, ratio = 0;  // ratio = iops_x_latency / inflight_mean
    bool ok = true;                                            // ratio within [0.9, 1.1]
    bool operator==(const littles_law_check&) const = default;
};
struct run_checks {
    std::optional<littles_law_check> littles_law;  // absent where nothing integrates ops in flight
    uint64_t negative_latencies = 0;               // completions stamped before their submit
    bool percentiles_ordered = true;               // min <= p50 <= ... <= max
    bool censored_moves_p99 = false;               // ops in flight at the end would move p99 by > 1 bucket
    bool operator==(const run_checks&) const = default;
};

// iobench/3: ops still in flight when the window closed.
struct inflight_at_end {
    uint64_t count = 0, oldest_ns = 0;
    bool operator==(const inflight_at_end&) const = default;
};

// iobench/3: what was achieved against what was asked.
struct achieved_facts {
    double iodepth_requested = 0, iodepth_mean = 0, iodepth_p50 = 0;  // storage (0 for network)
    double rate_requested = 0, rate = 0;                              // network open loop (0 closed loop)
    unsigned connections_requested = 0, connections_live = 0;         // network
    std::vector<std::string> below_request;  // names of the figures below 95% of the request
    bool operator==(const achieved_facts&) const = default;
};

// iobench/3: --steady-state.
struct steady_state_result {
    bool reached = false;
    double at_s = 0;        // s after the measure start at which it was reached (the window ended there)
    std::string criterion;  // as given, e.g. "iops:5%:5"
    bool operator==(const steady_state_result&) const = default;
};

// iobench/3: min, max and coefficient of variation (stddev / mean) over repetitions.
struct spread_stat {
    double min = 0, max = 0, cv = 0;
    bool operator==(const spread_stat&) const = default;
};
struct run_spread {
    spread_stat iops, bytes_per_sec, p50, p99, cpu_per_op;
    bool operator==(const run_spread&) const = default;
};

struct run_result {
    std::string backend, workload;
    run_status status = run_status::ok;
    std::string reason;         // why unsupported / what failed
    std::string setup;          // backend::describe() of what ran
    std::vector<std::string> notes;
    parameter_map parameters;   // this run's own: the invocation's, with its backend

    uint64_t ops = 0, bytes = 0, errors = 0;
    uint64_t read_ops = 0, write_ops = 0, fsyncs = 0;
    double duration_s = 0;
    double iops = 0, bytes_per_sec = 0;
    histogram latency;          // ns, per op, stamped by the harness
    cpu_usage cpu;              // whole process over the measured window
    double cpu_per_op_ns = 0;
    cpu_breakdown cpu_detail;    // ...split by thread class, context switches, calls per op
    double achieved_iodepth = 0;  // time-weighted mean of ops in flight
    unsigned threads = 0;
    counter_list counters;
    std::optional<net_facts> net;
    std::optional<transfer_facts> transfer;  // --workload transfer

    // iobench/3 additions (results/SCHEMA.md).
    uint64_t censored = 0;                   // samples in `latency` that are ops in flight at the window's end
    std::optional<inflight_at_end> at_end;   // written as inflight_at_end
    std::optional<run_checks> checks;
    std::optional<achieved_facts> achieved;
    std::optional<steady_state_result> steady_state;
    std::vector<timeline_point> timeline;    // per interval; empty with --interval 0
    std::vector<run_result> repetitions;     // --repeat N > 1: each repetition (no network/params/notes)
    std::optional<run_spread> spread;        // with repetitions
    // iobench/3, storage runs: the target's page-cache residency (0..1) just
    // before the run, and what other processes ran meanwhile.
    std::optional<double> target_cached_fraction;
    std::optional<neighbour_load> neighbour;
};

}  // namespace iobench
