// The result model every writer reads: one run_context per invocation and one
// run_result per backend x workload. Plain data, no behaviour.
#pragma once

#include "backends/backend.hpp"
#include "results/histogram.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace iobench {

inline constexpr const char* schema_name = "iobench/1";

struct host_facts {
    std::string hostname, kernel, cpu_model, liburing_version;
    unsigned cores = 0;
    std::string target_path, target_fs, target_device;  // storage runs only
};

struct run_context {
    host_facts host;
    std::string command_line;
    std::string started_at;                           // ISO 8601 UTC
    std::map<std::string, std::string> parameters;  // exact parameters, as given or defaulted
};


struct cpu_usage {
    double user_s = 0, sys_s = 0;
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

struct run_result {
    std::string backend, workload;
    std::string status = "ok";  // ok | unsupported | error
    std::string reason;         // why unsupported / what failed
    std::string setup;          // backend::describe() of what ran
    std::vector<std::string> notes;

    uint64_t ops = 0, bytes = 0, errors = 0;
    uint64_t read_ops = 0, write_ops = 0, fsyncs = 0;
    double duration_s = 0;
    double iops = 0, bytes_per_sec = 0;
    histogram latency;          // ns, per op, stamped by the harness
    cpu_usage cpu;              // whole process over the measured window
    double cpu_per_op_ns = 0;
    double achieved_iodepth = 0;  // time-weighted mean of ops in flight
    unsigned threads = 0;
    backend_counters counters;
    std::optional<net_facts> net;
};

}  // namespace iobench
