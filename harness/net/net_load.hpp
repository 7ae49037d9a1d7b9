// The network load generator (client side): opens N connections to a server
// (iobench's own or any other), drives one network workload through a backend of
// its own (default epoll), checks what comes back, and measures every request.
#pragma once

#include "backends/backend.hpp"
#include "results/histogram.hpp"
#include "results/run_result.hpp"
#include "harness/net/net_address.hpp"
#include "harness/system/thread_cpu.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace iobench {

struct load_options {
    std::string backend = "epoll";  // the client's own backend (--client-backend)
    net_address target;
    std::string workload = "echo";  // a name in the workload registry (workloads/net_workload.cpp)
    unsigned connections = 64;
    unsigned threads = 1;           // connections are spread over this many loops
    uint32_t msg_size = 64;         // echo/stream payload per message
    unsigned pipeline = 1;          // http: requests in flight per connection
    std::string ws_protocol;        // ws_echo: Sec-WebSocket-Protocol to ask for (empty: none)
    uint64_t runtime_ns = 10'000'000'000ull;
    uint64_t ramp_ns = 1'000'000'000ull;
    uint64_t start_at_ns = 0;       // CLOCK_REALTIME ns to start at (--start-at), 0 = now
    double rate = 0;                // open loop: requests/s over all connections; 0 = closed loop
    bool verify = true;             // check echoed bytes / HTTP responses
    uint64_t interval_ns = 0;       // timeline step (--interval), 0 = none
    uint64_t fault_op_delay_ns = 0; // IOBENCH_TEST_FAULT=op_delay_us=N (test-only): busy-wait per response
    backend_options backend_opts;
};

struct load_result {
    bool ok = true;
    bool unsupported = false;       // the client backend's probe said no (error says why)
    std::string error;              // first failure (connect refused, verify mismatch with offset, ...)
    std::string setup;              // client backend describe()
    std::string mode;               // "closed-loop" or "open-loop"
    histogram latency;              // per request, ns; open loop: from the intended send time
    uint64_t requests = 0;          // completed in the measured window
    uint64_t bytes_sent = 0, bytes_received = 0;  // in the window
    uint64_t errors = 0;
    unsigned live_connections = 0;  // connected at the end of the window
    uint64_t reconnects = 0;        // connections reopened after the server said Connection: close
    double duration_s = 0;
    double achieved_rate = 0;       // requests/s really completed
    double cpu_user_s = 0, cpu_sys_s = 0;  // the load threads only (RUSAGE_THREAD sums)
    double process_cpu_user_s = 0, process_cpu_sys_s = 0;  // the whole process (RUSAGE_SELF) over the window
    std::vector<timeline_point> timeline;  // per --interval
    std::optional<double> inflight_mean;   // closed loop: time-mean of requests outstanding over the window
    histogram censored;                    // requests outstanding when the window closed: their age then
    uint64_t censored_oldest_ns = 0;
    std::optional<neighbour_load> neighbour;  // other processes' CPU over the window
    cpu_sample cpu_window_start, cpu_window_end;  // ...and by thread, at the window's edges (valid: it opened)
};

// Runs on the calling thread (plus `threads - 1` more). Never throws for
// network trouble: it comes back as ok = false with the reason.
load_result run_load(const load_options& opts);

}  // namespace iobench
