// The one command-line parser (Boost.Program_options): subcommands, flags,
// defaults and validation. Bad input throws usage_error naming the flag.
#pragma once

#include "backends/backend.hpp"
#include "harness/run/steady_state.hpp"
#include "results/exports.hpp"
#include "workloads/storage_workload.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace iobench {

struct net_workload;

// The run as planned once at the edge: flags parsed, names resolved. What the
// runners read is typed; `workload` stays the name as given, for results.
struct run_options {
    std::vector<std::string> backends;  // expanded from NAME[,NAME...] or "all"
    std::string workload = "randread";
    uint32_t bs = 4096;
    unsigned iodepth = 32;
    unsigned jobs = 1;
    uint64_t size = 1ull << 30;
    uint64_t runtime_ns = 10'000'000'000ull;
    uint64_t ops = 0;  // > 0: stop after this many measured ops instead of runtime
    uint64_t ramp_ns = 1'000'000'000ull;
    std::string file, dir = ".";
    bool buffered = false;
    unsigned rwmixread = 70;
    unsigned fsync_every = 0;
    bool verify = false;
    uint64_t seed = 0;
    unsigned batch = 1;
    bool registered_files = false, fixed_buffers = false;
    unsigned sqpoll_idle_ms = 100;
    int sqpoll_cpu = -1;
    aio_notify notify = aio_notify::suspend;
    std::string output;  // -o: JSON results path ("-": stdout, instead of the table)
    export_set formats;  // --format beyond json: written beside -o
    bool quiet = false;
    unsigned repeat = 1;                     // --repeat: repetitions per backend x workload, interleaved
    uint64_t interval_ns = 1'000'000'000ull; // --interval: timeline step, 0 = no timeline
    steady_state_spec steady;                // --steady-state (storage)
    aio_fd_mode aio_fds = aio_fd_mode::per_slot;  // storage: --aio-fds
    bool strict = false;  // refuse to run when the preflight warns

    // Network workloads (echo, stream, http).
    unsigned connections = 64;
    uint32_t msg_size = 0;                 // 0: 64 B for echo, 64 KiB for stream
    std::string client_backend = "epoll";  // the load side's backend (run) / the backend (load)
    double rate = 0;                       // open loop: requests/s over all connections; 0 = closed loop
    unsigned pipeline = 1;                 // http: requests in flight per connection
    std::string ws_protocol;               // ws_echo client: Sec-WebSocket-Protocol to ask for (--ws-protocol)
    bool zerocopy = false;                 // server sends with send_zc where the backend can
    bool multishot = true;                 // server: multishot accept/recv + buffer ring where it can
    uint32_t buf_size = 64 * 1024, buf_count = 256;  // server receive buffers
    std::string listen = "127.0.0.1:0";    // serve: --listen; run: the loopback server's address
    std::string target;                    // load: --target HOST:PORT
    double start_at = 0;                   // load: Unix time (s) to start at, for several load hosts
    bool netns = false;                    // run: server and load in two network namespaces over a veth pair
    // ws_echo's server: native, lws (libwebsockets on a GLib context polled by
    // each --backend) or lws-libev (on libev, one run per --ev-backend). With
    // lws*, `backends` holds the labels the results carry: "lws:epoll", "lws-libev:iouring".
    std::string server = "native";
    std::vector<std::string> ev_backends;  // lws-libev: epoll, linuxaio, iouring

    // --workload transfer: one file moved to a loopback socket per method.
    bool transfer = false;
    std::vector<std::string> methods;  // expanded from --method (a list or all)
    bool cold = false;                 // --cache cold: the file is dropped from the page cache before each run
    bool direct = false;               // --direct: read_send reads with O_DIRECT

    // Resolved by the parser from the flags above.
    const net_workload* net = nullptr;     // the network workload, or nullptr for storage
    storage_pattern pattern = storage_pattern::randread;  // the storage workload (when net is nullptr)
    backend_options backend_opts;          // what the backend flags ask for, before a side sets its depth
    bool network() const { return net != nullptr; }
};

struct list_options {
    std::string file;
    bool direct = true;
};

enum class merge_mode : uint8_t;  // results/merge.hpp

// iobench merge FILE... : exact merge of results files.
struct merge_options {
    std::vector<std::string> inputs;
    std::string output;  // -o: merged JSON path, "-" = stdout, empty = table only
    merge_mode mode{};   // --as; concurrent by default
    bool quiet = false;
};

// iobench suite FILE.ini -o DIR: every job of a job file, one JSON per job.
struct suite_options {
    std::string file;  // the job file (harness/cli/suite_file.hpp)
    std::string dir;   // -o: DIR/JOB.json per job, DIR/summary.txt
    export_set formats;  // --format beyond json: one file per format in DIR, every job in it
    std::vector<std::string> sets;  // --set KEY=VALUE: replaces KEY in every job
    bool quiet = false;
};

// iobench plot RESULTS... -o DIR : charts and an HTML report (harness/cli/plot_command.hpp).
struct plot_options {
    std::vector<std::string> inputs, labels;
    std::string output, baseline;
    double threshold = 0.05;
    bool quiet = false;
};

struct command_line {
    enum class verb { help, version, list, run, serve, load, merge, compare, suite, plot } cmd = verb::help;
    std::string help_text;
    run_options run;
    list_options list;
    merge_options merge;
    std::vector<std::string> compare_args;  // compare: the words after it (harness/cli/compare_command.cpp parses them)
    suite_options suite;
    plot_options plot;
    std::string raw;  // the invocation as typed, for results
};

// The run's backend options for an instance of `depth` (--batch is capped at it).
backend_options backend_options_for(const run_options& o, unsigned depth);

// Throws usage_error on bad input.
command_line parse_command_line(int argc, const char* const* argv);

// "4k" -> 4096, "1G" -> 2^30; "10s", "500ms", "2m" -> ns. Throw usage_error naming `flag`.
uint64_t parse_size(const std::string& text, const std::string& flag);
uint64_t parse_duration_ns(const std::string& text, const std::string& flag);

}  // namespace iobench
