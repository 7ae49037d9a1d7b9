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

inline constexpr const char* schema_name = "iobench/2";
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

struct run_context {
    host_facts host;
    std::string command_line;
    std::string started_at;    // ISO 8601 UTC
    parameter_map parameters;  // exact parameters, as given or defaulted, for the whole invocation
    std::vector<std::string> warnings;  // iobench/3: what the preflight found doubtful about this setup
};

struct cpu_usage {
    double user_s = 0, sys_s = 0;
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
    double achieved_iodepth = 0;  // time-weighted mean of ops in flight
    unsigned threads = 0;
    counter_list counters;
    std::optional<net_facts> net;
    // iobench/3, storage runs: the target's page-cache residency (0..1) just
    // before the run, and what other processes ran meanwhile.
    std::optional<double> target_cached_fraction;
    std::optional<neighbour_load> neighbour;
};

}  // namespace iobench
