// Command-line parsing and validation for every iobench subcommand.
#include "harness/cli/options.hpp"

#include "backends/registry.hpp"
#include "harness/cli/errors.hpp"
#include "harness/cli/plot_command.hpp"
#include "harness/cli/verb_parse.hpp"
#include "results/merge.hpp"
#include "harness/net/net_address.hpp"
#include "workloads/net_workload.hpp"
#include "workloads/storage_workload.hpp"
#include "workloads/transfer_method.hpp"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cctype>
#include <cstring>
#include <span>
#include <sstream>

namespace po = boost::program_options;

namespace iobench {

namespace {

constexpr const char* usage_head =
    "iobench: one workload across every Linux I/O model (blocking, epoll, POSIX AIO, libaio, io_uring)\n\n"
    "usage:\n"
    "  iobench run   [options]    run a workload on one or more backends (network: server and load on loopback)\n"
    "  iobench serve [options]    serve a network workload on one backend until stopped (Ctrl-C or --runtime)\n"
    "  iobench load  [options]    drive a network workload against --target HOST:PORT (any server)\n"
    "  iobench merge FILE... -o F exact merge of results files (several load hosts, several CI runs)\n"
    "  iobench suite FILE.ini -o DIR  run every job of a job file (suites/*.ini): DIR/JOB.json, DIR/summary.txt\n"
    "  iobench plot FILE... -o DIR charts (PNG, SVG) and an HTML report of results files or directories\n"
    "  iobench compare BASE NEW   the regression gate: exit 1 on a regression (iobench compare --help)\n"
    "  iobench list [--file PATH] list backends, their capabilities and whether they run here\n"
    "  iobench help | --help      this text;  iobench VERB --help for one verb;  iobench --version\n";

// How long a run can take and how it ends early (run --help).
constexpr const char* run_end_help =
    "\nHow a run ends: each backend by --ramp + --runtime + a bounded grace for the ops in flight then:\n"
    "storage 31 s (the 30 s stall limit, checked every second: an op in flight longer, in the window or\n"
    "after it, fails the run naming the backend, op kind and offset), network 2.5 s (requests\n"
    "unanswered by then are dropped).\n"
    "SIGINT or SIGTERM stops the run in progress: the finished runs and that one (\"interrupted\", with\n"
    "what it measured and how long it ran; backends never started are left out and named in its notes)\n"
    "are written to the table, -o and --format; exit 130 (SIGINT) or 143 (SIGTERM). A second signal\n"
    "exits at once, removing the temporary files and writing no results.\n";

std::string backend_names() {
    std::string s;
    for (const auto& e : registry()) s += (s.empty() ? "" : ", ") + std::string(e.name);
    return s;
}

// Raw text of the flags that need parsing after Program_options has run.
struct raw_flags {
    std::string backend, bs, size, runtime, ramp, notify, client_backend, msg_size, buf_size = "64k";
    std::string interval = "1s", steady;
    std::string aio_fds = "per-slot";
    std::string format = "json";
    std::string method = "all", cache = "warm";
    std::string ev_backend;
};

constexpr const char* format_help =
    "comma list of json, csv, gbench (Google Benchmark JSON, for its compare.py), gab (github-action-benchmark's "
    "customBiggerIsBetter and customSmallerIsBetter lists); the native JSON is always written";

// --format: parsed once, for run and suite.
export_set parse_formats(const std::string& list) {
    std::string unknown;
    const auto s = parse_export_list(list, unknown);
    if (!s) throw usage_error("--format " + list + ": unknown format '" + unknown + "' (json, csv, gbench, gab)");
    return *s;
}

po::options_description common_description(raw_flags& f, run_options& o, const char* backend_help,
                                           const char* runtime_default) {
    static const std::string workload_help =
        "storage: read | write | randread | randwrite | randrw;  network: " + net_workload_names(" | ", " | ") +
        ";  transfer (a file to a loopback socket, see --method)";
    po::options_description d("common options");
    d.add_options()
        ("backend,b", po::value(&f.backend)->default_value("all"), backend_help)
        ("workload,w", po::value(&o.workload)->default_value(o.workload), workload_help.c_str())
        ("runtime,t", po::value(&f.runtime)->default_value(runtime_default), "measured time per backend (after --ramp)")
        ("ramp", po::value(&f.ramp)->default_value("1s"), "warm-up before measuring; not counted")
        ("jobs,j", po::value(&o.jobs)->default_value(o.jobs),
         "threads, each with its own backend instance (storage: and its own iodepth; load: connections are spread)")
        ("sqpoll-idle", po::value(&o.sqpoll_idle_ms)->default_value(o.sqpoll_idle_ms),
         "io_uring_sqpoll: ms the kernel poller spins before sleeping")
        ("sqpoll-cpu", po::value(&o.sqpoll_cpu)->default_value(o.sqpoll_cpu), "io_uring_sqpoll: pin the poller (-1 = no)")
        ("aio-notify", po::value(&f.notify)->default_value("suspend"),
         "posix_aio completion notification: suspend (aio_suspend) | signal (SIGEV_SIGNAL) | thread (SIGEV_THREAD)")
        ("output,o", po::value(&o.output),
         "write JSON results (schema iobench/4, see results/SCHEMA.md) to this file; '-' writes them to stdout "
         "instead of the table")
        ("quiet", po::bool_switch(&o.quiet), "no progress lines on stderr")
        ("strict", po::bool_switch(&o.strict),
         "refuse to run (exit 2) if the preflight warns: powersave governor, cached target with --buffered, "
         "a busy neighbour, io_uring_sqpoll on fewer than 3 CPUs");
    return d;
}

// How the window is measured: shared by run and load (--repeat: run only).
po::options_description measure_description(raw_flags& f, run_options& o, bool with_repeat) {
    po::options_description d("measurement options");
    if (with_repeat)
        d.add_options()("repeat", po::value(&o.repeat)->default_value(o.repeat),
                        "run each backend x workload N times, interleaved across backends (A B C A B C ...), each "
                        "with its own ramp; results give the median and the spread, and keep every repetition");
    d.add_options()
        ("interval", po::value(&f.interval)->default_value(f.interval),
         "timeline step: per interval ops, bytes, p50, p99, max and ops in flight in the JSON (e.g. 1s, 100ms; 0 = off)")
        ("steady-state", po::value(&f.steady),
         "storage: after the ramp, end the window once the last N intervals' IOPS lie within PCT% of their mean "
         "(iops:PCT% or iops:PCT%:N, N default 5), at the latest at --runtime");
    return d;
}

po::options_description storage_description(raw_flags& f, run_options& o) {
    po::options_description d("storage options");
    d.add_options()
        ("bs", po::value(&f.bs)->default_value("4k"), "block size per op (k/m/g suffixes); a multiple of 512 with O_DIRECT")
        ("iodepth,q", po::value(&o.iodepth)->default_value(o.iodepth),
         "ops in flight per job (blocking: that many threads, one op each)")
        ("size,s", po::value(&f.size)->default_value("1G"), "bytes of the target file the run touches")
        ("ops,n", po::value(&o.ops), "stop after N measured ops (all jobs together) instead of --runtime")
        ("file,f", po::value(&o.file), "target file or block device; created and prefilled if missing, kept afterwards")
        ("dir,d", po::value(&o.dir)->default_value(o.dir), "directory for a temporary target file, removed at exit")
        ("buffered", po::bool_switch(&o.buffered), "use the page cache (default is O_DIRECT)")
        ("rwmixread", po::value(&o.rwmixread)->default_value(o.rwmixread), "randrw: percentage of reads")
        ("fsync", po::value(&o.fsync_every)->default_value(0), "issue an fdatasync after every N writes (0 = never)")
        ("verify", po::bool_switch(&o.verify),
         "writes carry a per-offset pattern, reads check it; a mismatch fails the run with its offset")
        ("seed", po::value(&o.seed)->default_value(0), "random offset seed (0 = fixed default, runs are repeatable)")
        ("batch", po::value(&o.batch)->default_value(o.batch),
         "submit ops in groups of N and wait for at least N completions (default 1: each op goes to the kernel as "
         "soon as its slot is free, like fio; raise it for CPU-bound page-cache runs)")
        ("aio-fds", po::value(&f.aio_fds)->default_value(f.aio_fds),
         "posix_aio: per-slot (one fd per in-flight op, so glibc runs iodepth requests at once) | one (a single fd: "
         "glibc runs its requests one after another on one helper, as fio's posixaio does)")
        ("registered-files", po::bool_switch(&o.registered_files), "io_uring: register the target fds")
        ("fixed-buffers", po::bool_switch(&o.fixed_buffers), "io_uring: register the buffers, use READ/WRITE_FIXED");
    return d;
}

po::options_description transfer_description(raw_flags& f, run_options& o) {
    static const std::string method_help =
        "transfer: " + transfer_method_names(" | ") + " | all (comma list allowed). read_send runs on each --backend "
        "that has sockets; the others are their own mechanism and run once";
    po::options_description d(
        "transfer options (--workload transfer: each repetition moves the whole file once, so --runtime and --ramp do "
        "not apply; a socket idle for 10 s fails the run. Also --size, default 1G, and --bs, default 64k)");
    d.add_options()
        ("method", po::value(&f.method)->default_value(f.method), method_help.c_str())
        ("cache", po::value(&f.cache)->default_value(f.cache),
         "transfer: warm (the file is read once before each run, so it is in the page cache) | cold "
         "(posix_fadvise DONTNEED before each run); the resident fraction is recorded either way")
        ("direct", po::bool_switch(&o.direct),
         "transfer: read with O_DIRECT where the method reads the file itself (read_send, sendfile, "
         "io_uring_send_zc, msg_zerocopy; --bs a multiple of 4096); the unaligned tail, which O_DIRECT refuses, is "
         "read buffered and counted in a note");
    return d;
}

// serve and load have no storage options: the transfer file's own flags.
po::options_description transfer_file_description(raw_flags& f, run_options& o, bool serve) {
    po::options_description d(serve ? "transfer file (serve --workload transfer)" : "transfer stream (load --workload transfer)");
    d.add_options()
        ("bs", po::value(&f.bs)->default_value("64k"), serve ? "bytes per send call" : "recorded as the chunk size")
        ("size,s", po::value(&f.size)->default_value("1G"),
         serve ? "bytes of the file served" : "bytes the server's file has: every byte is checked, fewer fail the run")
        ("seed", po::value(&o.seed)->default_value(0), "pattern seed; serve and load must agree (0 = the default)");
    if (serve)
        d.add_options()("file,f", po::value(&o.file), "file to serve; created with the pattern if missing, kept")
            ("dir,d", po::value(&o.dir)->default_value(o.dir), "directory for a temporary file, removed at exit");
    return d;
}

po::options_description server_description(raw_flags& f, run_options& o, const char* listen_help) {
    po::options_description d("network server options");
    d.add_options()
        ("listen", po::value(&o.listen)->default_value(o.listen), listen_help)
        ("zerocopy", po::bool_switch(&o.zerocopy), "send with send_zc where the backend can (io_uring)")
        ("no-multishot", "io_uring: one recv per connection instead of multishot recv with a provided buffer ring")
        ("buf-size", po::value(&f.buf_size)->default_value(f.buf_size), "receive buffer bytes (per connection, or per ring entry; k/m suffixes)")
        ("buf-count", po::value(&o.buf_count)->default_value(o.buf_count), "provided buffer ring entries (a power of two)")
        ("server", po::value(&o.server)->default_value(o.server),
         "ws_echo: native (iobench's sessions) | lws (libwebsockets on a GLib main context whose poll is the "
         "--backend's: epoll, io_uring, io_uring_sqpoll, libaio, blocking) | lws-libev (libwebsockets on a libev loop "
         "with --ev-backend)")
        ("ev-backend", po::value(&f.ev_backend),
         "--server lws-libev: epoll | linuxaio | iouring | all (comma list allowed in run; default epoll)");
    return d;
}

po::options_description load_description(raw_flags& f, run_options& o, bool with_target) {
    po::options_description d("network load options");
    if (with_target) {
        d.add_options()("target", po::value(&o.target), "HOST:PORT of the server to load (required)")
            ("start-at", po::value(&o.start_at), "Unix time (seconds) to start at, so several load hosts start together");
    }
    d.add_options()
        ("client-backend", po::value(&f.client_backend)->default_value(o.client_backend),
         "the load generator's own backend (run and load)")
        ("connections,c", po::value(&o.connections)->default_value(o.connections), "connections")
        ("msg-size", po::value(&f.msg_size), "echo/stream/ws_echo bytes per message (default 64 for echo, 64k for stream, 128 for ws_echo; k/m suffixes, at most 16m)")
        ("rate", po::value(&o.rate)->default_value(0),
         "open loop: requests/s over all connections, latency from the intended send time (0 = closed loop)")
        ("pipeline", po::value(&o.pipeline)->default_value(o.pipeline), "http: requests in flight per connection")
        ("ws-protocol", po::value(&o.ws_protocol),
         "ws_echo client: ask for this subprotocol (Sec-WebSocket-Protocol); a 101 that does not name it fails the connection");
    return d;
}

void expand_backends(const std::string& list, std::vector<std::string>& out) {
    if (list == "all") {
        for (const auto& e : registry()) out.emplace_back(e.name);
        return;
    }
    std::stringstream ss(list);
    for (std::string name; std::getline(ss, name, ',');) {
        if (!find_backend(name)) throw usage_error("--backend: unknown backend '" + name + "' (known: " + backend_names() + ")");
        out.push_back(name);
    }
    if (out.empty()) throw usage_error("--backend: no backend named");
}

// A flag of the other kind of workload would be silently ignored: refuse it,
// naming it (given = on the command line, not a default).
constexpr const char* storage_only_flags[] = {
    "bs", "iodepth", "size", "ops", "file", "dir", "buffered", "rwmixread", "fsync", "verify", "seed", "batch",
    "aio-fds", "registered-files", "fixed-buffers"};
constexpr const char* network_only_flags[] = {
    "connections", "msg-size", "rate", "pipeline", "client-backend", "listen", "zerocopy", "no-multishot",
    "buf-size", "buf-count", "netns", "ws-protocol"};
void refuse_flags(const po::variables_map& vm, std::span<const char* const> flags, const std::string& why) {
    for (const char* flag : flags)
        if (vm.count(flag) && !vm[flag].defaulted()) throw usage_error(std::string("--") + flag + ": " + why);
}

void check_common(const raw_flags& f, run_options& o) {
    o.runtime_ns = parse_duration_ns(f.runtime, "--runtime");
    o.ramp_ns = parse_duration_ns(f.ramp, "--ramp");
    o.interval_ns = parse_duration_ns(f.interval, "--interval");
    if (o.interval_ns != 0 && o.interval_ns < 10'000'000) throw usage_error("--interval " + f.interval + ": must be 0 (off) or at least 10ms");
    if (o.repeat == 0 || o.repeat > 1000) throw usage_error("--repeat: must be between 1 and 1000");
    if (!f.steady.empty()) {
        o.steady = parse_steady_state(f.steady);
        if (o.interval_ns == 0) throw usage_error("--steady-state: needs --interval above 0 (the band is judged per interval)");
    }
    if (o.jobs == 0 || o.jobs > 256) throw usage_error("--jobs: must be between 1 and 256");
    if (f.notify == "suspend") o.notify = aio_notify::suspend;
    else if (f.notify == "signal") o.notify = aio_notify::signal;
    else if (f.notify == "thread") o.notify = aio_notify::thread;
    else throw usage_error("--aio-notify: unknown mode '" + f.notify + "' (suspend, signal, thread)");
    backend_options& b = o.backend_opts;
    b.batch = o.batch;
    b.registered_files = o.registered_files;
    b.fixed_buffers = o.fixed_buffers;
    b.sqpoll_idle_ms = o.sqpoll_idle_ms;
    b.sqpoll_cpu = o.sqpoll_cpu;
    b.notify = o.notify;
}

void check_storage(const raw_flags& f, const po::variables_map& vm, run_options& o) {
    const uint64_t bs_bytes = parse_size(f.bs, "--bs");
    if (bs_bytes == 0 || bs_bytes > (64u << 20)) throw usage_error("--bs: must be between 1 byte and 64 MiB");
    o.bs = static_cast<uint32_t>(bs_bytes);
    if (!o.buffered && o.bs % 512 != 0)
        throw usage_error("--bs " + f.bs + ": must be a multiple of 512 with O_DIRECT (or add --buffered)");
    if (o.verify && o.bs % 8 != 0) throw usage_error("--bs " + f.bs + ": --verify needs a multiple of 8");
    o.size = parse_size(f.size, "--size");
    if (o.size < o.bs) throw usage_error("--size " + f.size + ": smaller than --bs " + f.bs);
    o.size -= o.size % o.bs;
    if (o.runtime_ns == 0 && o.ops == 0) throw usage_error("--runtime: must be more than 0 (or give --ops)");
    if (vm.count("ops") && o.ops == 0) throw usage_error("--ops: must be more than 0");
    if (o.iodepth == 0 || o.iodepth > 4096) throw usage_error("--iodepth: must be between 1 and 4096");
    if (o.rwmixread > 100) throw usage_error("--rwmixread: must be between 0 and 100");
    if (o.batch == 0 || o.batch > o.iodepth) throw usage_error("--batch: must be between 1 and --iodepth");
    if (!vm["file"].empty() && !vm["dir"].defaulted()) throw usage_error("--file and --dir: give one, not both");
    if (f.aio_fds == "per-slot") o.aio_fds = aio_fd_mode::per_slot;
    else if (f.aio_fds == "one") o.aio_fds = aio_fd_mode::one;
    else throw usage_error("--aio-fds: unknown setup '" + f.aio_fds + "' (per-slot, one)");
    o.backend_opts.aio_fds = o.aio_fds;
}

void check_transfer(const raw_flags& f, const po::variables_map& vm, run_options& o) {
    o.transfer = true;
    const uint64_t bs = vm["bs"].defaulted() ? 64 * 1024 : parse_size(f.bs, "--bs");
    if (bs == 0 || bs > (16u << 20)) throw usage_error("--bs: must be between 1 byte and 16 MiB for transfer");
    o.bs = static_cast<uint32_t>(bs);
    if (o.direct && o.bs % 4096 != 0) throw usage_error("--bs " + f.bs + ": --direct needs a multiple of 4096");
    o.size = parse_size(f.size, "--size");
    if (o.size == 0) throw usage_error("--size: must be more than 0");
    if (!vm["file"].empty() && !vm["dir"].defaulted()) throw usage_error("--file and --dir: give one, not both");
    if (f.cache == "warm") o.cold = false;
    else if (f.cache == "cold") o.cold = true;
    else throw usage_error("--cache: unknown state '" + f.cache + "' (warm, cold)");
    o.buffered = false;  // storage's flag; transfer reads buffered unless --direct (o.direct)
    o.methods.clear();
    for (size_t start = 0; start <= f.method.size();) {
        const size_t end = std::min(f.method.find(',', start), f.method.size());
        const std::string name = f.method.substr(start, end - start);
        start = end + 1;
        if (name == "all") {
            for (size_t i = 0; i < transfer_method_count(); ++i) o.methods.emplace_back(transfer_method_at(i).name);
        } else if (find_transfer_method(name)) {
            o.methods.push_back(name);
        } else {
            throw usage_error("--method: unknown method '" + name + "' (" + transfer_method_names() + ", all)");
        }
    }
}

constexpr const char* ev_backend_names[] = {"epoll", "linuxaio", "iouring"};

// --server/--ev-backend: validated here; with lws* the backends become the
// labels results carry ("lws:NAME", "lws-libev:NAME").
void check_server(const raw_flags& f, const po::variables_map& vm, run_options& o) {
    if (!vm.count("server")) return;  // load has no server
    const bool ev_given = vm.count("ev-backend") > 0;
    if (o.server != "native" && o.server != "lws" && o.server != "lws-libev")
        throw usage_error("--server: unknown server '" + o.server + "' (native, lws, lws-libev)");
    if (ev_given && o.server != "lws-libev") throw usage_error("--ev-backend: needs --server lws-libev");
    if (o.server == "native") return;
    if (o.workload != "ws_echo") throw usage_error("--server " + o.server + ": --workload ws_echo only");
    if (o.server == "lws") {
        for (auto& b : o.backends) b = "lws:" + b;
        return;
    }
    if (!vm["backend"].defaulted()) throw usage_error("--backend: --server lws-libev takes --ev-backend instead");
    const std::string list = ev_given ? f.ev_backend : "epoll";
    o.ev_backends.clear();
    for (size_t start = 0; start <= list.size();) {
        const size_t end = std::min(list.find(',', start), list.size());
        const std::string name = list.substr(start, end - start);
        start = end + 1;
        if (name == "all") {
            o.ev_backends.insert(o.ev_backends.end(), std::begin(ev_backend_names), std::end(ev_backend_names));
        } else if (std::find(std::begin(ev_backend_names), std::end(ev_backend_names), name) != std::end(ev_backend_names)) {
            o.ev_backends.push_back(name);
        } else {
            throw usage_error("--ev-backend: unknown libev backend '" + name + "' (epoll, linuxaio, iouring, all)");
        }
    }
    o.backends.clear();
    for (const auto& e : o.ev_backends) o.backends.push_back("lws-libev:" + e);
}

void check_network(const raw_flags& f, const po::variables_map& vm, run_options& o) {
    const net_workload* w = o.net = find_net_workload(o.workload);
    const uint64_t msg = vm.count("msg-size") ? parse_size(f.msg_size, "--msg-size") : w->default_msg_size;
    if (msg == 0 || msg > (16u << 20)) throw usage_error("--msg-size: must be between 1 byte and 16 MiB");
    o.msg_size = static_cast<uint32_t>(msg);
    const uint64_t buf = parse_size(f.buf_size, "--buf-size");
    if (buf < 64 || buf > (16u << 20)) throw usage_error("--buf-size: must be between 64 bytes and 16 MiB");
    o.buf_size = static_cast<uint32_t>(buf);
    if (o.connections == 0 || o.connections > 65536) throw usage_error("--connections: must be between 1 and 65536");
    if (o.rate < 0) throw usage_error("--rate: must not be negative");
    if (o.pipeline == 0 || o.pipeline > 1024) throw usage_error("--pipeline: must be between 1 and 1024");
    if (vm.count("ws-protocol")) {
        if (o.workload != "ws_echo") throw usage_error("--ws-protocol: --workload ws_echo only");
        // RFC 6455 §4.1: a token (RFC 2616 §2.2): visible ASCII, none of the separators.
        const bool token = !o.ws_protocol.empty() && o.ws_protocol.size() <= 64 &&
                           std::all_of(o.ws_protocol.begin(), o.ws_protocol.end(), [](char ch) {
                               return ch > 32 && ch < 127 && !std::strchr("()<>@,;:\\\"/[]?={}", ch);
                           });
        if (!token) throw usage_error("--ws-protocol '" + o.ws_protocol + "': not an HTTP token of 1-64 characters");
    }
    if (o.buf_count == 0 || (o.buf_count & (o.buf_count - 1)) || o.buf_count > 32768)
        throw usage_error("--buf-count: must be a power of two up to 32768");
    // Checked here too (the runners parse them again), so a bad address is
    // found before the preflight or any other work.
    parse_net_address(o.listen, "--listen");
    if (!o.target.empty()) parse_net_address(o.target, "--target");
    if (vm.count("no-multishot")) o.multishot = false;
    if (!f.client_backend.empty() && !find_backend(f.client_backend))
        throw usage_error("--client-backend: unknown backend '" + f.client_backend + "' (known: " + backend_names() + ")");
    o.client_backend = f.client_backend;
    check_server(f, vm, o);
}

bool parse_with(const std::vector<std::string>& args, command_line& cl, po::options_description& desc,
                po::variables_map& vm) {
    desc.add_options()("help,h", "this text");
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    if (vm.count("help")) {
        std::ostringstream s;
        s << usage_head << "\n" << desc;
        cl.cmd = command_line::verb::help;
        cl.help_text = s.str();
        return false;
    }
    po::notify(vm);
    return true;
}

void parse_run(const std::vector<std::string>& args, command_line& cl) {
    run_options& o = cl.run;
    raw_flags f;
    po::options_description desc;
    desc.add(common_description(f, o, ("backends to run: NAME[,NAME...] or all (" + backend_names() + ")").c_str(), "10s"))
        .add(storage_description(f, o))
        .add(transfer_description(f, o))
        .add(server_description(f, o, "network: the loopback address the server under test binds (port 0 = any free)"))
        .add(load_description(f, o, false))
        .add(measure_description(f, o, true));
    po::options_description placement("network placement");
    placement.add_options()("netns", po::bool_switch(&o.netns),
                            "run the server and the load in two network namespaces joined by a veth pair "
                            "(needs root and iproute2) instead of over loopback");
    desc.add(placement);
    po::options_description exports("export options");
    exports.add_options()("format", po::value(&f.format)->default_value(f.format),
                          (std::string(format_help) + ". With -o PATH the others go beside it: PATH without .json + "
                           ".csv, .gbench.json, .gab-bigger.json, .gab-smaller.json").c_str());
    desc.add(exports);
    po::variables_map vm;
    if (!parse_with(args, cl, desc, vm)) {
        cl.help_text += run_end_help;
        return;
    }
    cl.cmd = command_line::verb::run;
    o.formats = parse_formats(f.format);
    if (!export_files(o.formats).empty() && (o.output.empty() || o.output == "-"))
        throw usage_error("--format " + f.format + ": needs -o PATH (a file: the other formats are written beside it)");
    expand_backends(f.backend, o.backends);
    check_common(f, o);
    if (o.workload != "transfer") {
        for (const char* flag : {"method", "cache"})
            if (!vm[flag].defaulted()) throw usage_error(std::string("--") + flag + ": --workload transfer only");
        if (o.direct) throw usage_error("--direct: --workload transfer only (storage is O_DIRECT unless --buffered)");
    }
    if (o.workload == "transfer") {
        if (o.steady.enabled) throw usage_error("--steady-state: storage workloads only");
        check_transfer(f, vm, o);
    } else if (find_net_workload(o.workload)) {
        if (o.runtime_ns == 0) throw usage_error("--runtime: must be more than 0");
        if (o.steady.enabled) throw usage_error("--steady-state: storage workloads only");
        refuse_flags(vm, storage_only_flags, "storage workloads only (--workload " + o.workload + " is a network workload)");
        check_network(f, vm, o);
    } else if (const auto pattern = parse_storage_pattern(o.workload)) {
        refuse_flags(vm, network_only_flags, "network workloads only (--workload " + o.workload + " is a storage workload)");
        o.pattern = *pattern;
        check_storage(f, vm, o);
        if (o.steady.enabled && o.ops) throw usage_error("--steady-state: bounded by --runtime, not --ops");
    } else {
        throw usage_error("--workload: unknown workload '" + o.workload +
                          "' (storage: read, write, randread, randwrite, randrw; network: " + net_workload_names() +
                          "; transfer)");
    }
}

void parse_serve(const std::vector<std::string>& args, command_line& cl) {
    run_options& o = cl.run;
    o.workload = "echo";
    o.listen = "127.0.0.1:7000";
    raw_flags f;
    po::options_description desc;
    desc.add(common_description(f, o, ("the backend that serves: one of " + backend_names()).c_str(), "0"))
        .add(server_description(f, o, "HOST:PORT to listen on (0.0.0.0:PORT for every interface)"))
        .add(transfer_description(f, o))
        .add(transfer_file_description(f, o, true));
    po::variables_map vm;
    if (!parse_with(args, cl, desc, vm)) return;
    cl.cmd = command_line::verb::serve;
    if (o.workload == "transfer") {
        // read_send serves on --backend; the other methods are their own mechanism.
        expand_backends(vm["backend"].defaulted() ? "blocking" : f.backend, o.backends);
        if (o.backends.size() != 1) throw usage_error("--backend: serve takes exactly one backend");
        check_common(f, o);
        check_transfer(f, vm, o);
        if (o.methods.size() != 1) throw usage_error("--method: serve takes exactly one method");
        if (find_transfer_method(o.methods.front())->receivers != 1)
            throw usage_error("--method " + o.methods.front() + ": needs two receivers in one process (iobench run)");
        parse_net_address(o.listen, "--listen");
        return;
    }
    for (const char* flag : {"method", "cache"})
        if (!vm[flag].defaulted()) throw usage_error(std::string("--") + flag + ": --workload transfer only");
    // lws-libev serves on --ev-backend; every other server on --backend.
    const bool libev = o.server == "lws-libev";
    if (vm["backend"].defaulted() && !libev) throw usage_error("--backend: name the one backend that serves");
    if (!libev) expand_backends(f.backend, o.backends);
    if (!libev && o.backends.size() != 1) throw usage_error("--backend: serve takes exactly one backend");
    check_common(f, o);
    if (!find_net_workload(o.workload))
        throw usage_error("--workload: serve takes " + net_workload_names(", ", ", ") + " or transfer");
    f.client_backend = o.client_backend;
    check_network(f, vm, o);
    if (o.backends.size() != 1) throw usage_error("--ev-backend: serve takes exactly one libev backend");
}

void parse_load(const std::vector<std::string>& args, command_line& cl) {
    run_options& o = cl.run;
    o.workload = "echo";
    raw_flags f;
    po::options_description desc;
    desc.add(common_description(f, o, "the load generator's backend (same as --client-backend; default epoll)", "10s"))
        .add(load_description(f, o, true))
        .add(measure_description(f, o, false))
        .add(transfer_description(f, o))
        .add(transfer_file_description(f, o, false));
    po::variables_map vm;
    if (!parse_with(args, cl, desc, vm)) return;
    cl.cmd = command_line::verb::load;
    check_common(f, o);
    if (o.workload == "transfer") {  // one connection, received to EOF and verified
        check_transfer(f, vm, o);
        if (o.target.empty()) throw usage_error("--target: give the server's HOST:PORT");
        parse_net_address(o.target, "--target");
        return;
    }
    for (const char* flag : {"method", "cache"})
        if (!vm[flag].defaulted()) throw usage_error(std::string("--") + flag + ": --workload transfer only");
    if (o.steady.enabled) throw usage_error("--steady-state: storage workloads only");
    if (!find_net_workload(o.workload))
        throw usage_error("--workload: load takes " + net_workload_names(", ", ", ") + " or transfer");
    if (o.target.empty()) throw usage_error("--target: give the server's HOST:PORT");
    if (o.runtime_ns == 0) throw usage_error("--runtime: must be more than 0");
    if (!vm["backend"].defaulted()) {
        if (!vm["client-backend"].defaulted()) throw usage_error("--backend and --client-backend: give one, not both");
        f.client_backend = f.backend;
    }
    check_network(f, vm, o);
}

void parse_merge(const std::vector<std::string>& args, command_line& cl) {
    merge_options& o = cl.merge;
    std::string as = "concurrent";
    po::options_description desc("merge options (iobench merge A.json B.json ... -o ALL.json)");
    desc.add_options()
        ("output,o", po::value(&o.output), "write the merged JSON here (- for stdout; the table then goes to stderr)")
        ("as", po::value(&as)->default_value(as),
         "concurrent: the inputs ran at the same time (several load hosts): window = the longest, rates and "
         "connections summed | repetitions: one after another (several CI runs): windows summed, rates = totals / "
         "summed window. Both add histogram buckets; percentiles come from the merged histogram")
        ("quiet", po::bool_switch(&o.quiet), "no progress lines on stderr")
        ("help,h", "this text");
    if (!parse_flags_and_inputs(args, desc, o.inputs, std::string(usage_head) + "\n", cl.help_text)) return;
    cl.cmd = command_line::verb::merge;
    if (o.inputs.empty()) throw usage_error("merge: name the results files to merge (iobench merge A.json B.json -o ALL.json)");
    const auto mode = parse_merge_mode(as);
    if (!mode) throw usage_error("--as: unknown mode '" + as + "' (concurrent, repetitions)");
    o.mode = *mode;
}

void parse_suite_command(const std::vector<std::string>& args, command_line& cl) {
    suite_options& o = cl.suite;
    std::string format = "json";
    po::options_description desc("suite options (iobench suite FILE.ini -o DIR)");
    desc.add_options()
        ("output,o", po::value(&o.dir),
         "directory for the results (created): DIR/JOB.json per job (schema iobench/4, `job` names it), "
         "DIR/summary.txt with every job's table")
        ("quiet", po::bool_switch(&o.quiet), "no progress lines on stderr (neither the suite's nor the jobs')")
        ("set", po::value(&o.sets)->composing(),
         "KEY=VALUE (repeatable): set KEY in every job, over [global] and the job's own section, e.g. "
         "--set repeat=2 --set runtime=1s; a list sweeps as in the file")
        ("format", po::value(&format)->default_value(format),
         (std::string(format_help) + " (one per job). Each other format is one file in DIR holding every job: "
                                     "results.csv, gbench.json, gab-bigger.json, gab-smaller.json").c_str())
        ("help,h", "this text");
    po::options_description all;
    all.add(desc).add_options()("suite-file", po::value(&o.file));
    po::positional_options_description pos;
    pos.add("suite-file", 1);
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    if (vm.count("help")) {
        std::ostringstream s;
        s << usage_head << "\n" << desc
          << "\nA job file has a [global] section and one [JOB] section per job; keys are `iobench run` flags\n"
             "without the dashes (bs = 4k). A comma list sweeps (iodepth = 1,4,16: one job per value, named\n"
             "JOB-iodepth=4), except backend = which is one list per job. Every job is checked before any runs:\n"
             "a bad line, key or value exits 2 naming FILE:LINE: key, and DIR is not created. A storage job\n"
             "without a file or dir key gets its temporary target file in DIR. Progress on stderr:\n"
             "suite: [3/12] JOB. Exit code: the worst of the jobs' (0 ok, 1 a run failed, 2 bad input), or 130/143\n"
             "when SIGINT/SIGTERM stopped it: the job running then is written with its run \"interrupted\",\n"
             "later jobs do not run; a second Ctrl-C exits at once.\n";
        cl.help_text = s.str();
        return;
    }
    po::notify(vm);
    cl.cmd = command_line::verb::suite;
    o.formats = parse_formats(format);
    if (o.file.empty()) throw usage_error("suite: name the job file (iobench suite FILE.ini -o DIR)");
    if (o.dir.empty() || o.dir == "-") throw usage_error("-o: give the suite a directory for its results (-o DIR)");
}

void parse_list(const std::vector<std::string>& args, command_line& cl) {
    po::options_description desc("list options");
    bool buffered = false;
    desc.add_options()("file,f", po::value(&cl.list.file), "probe against this file (default: a temporary file in /tmp)")
        ("buffered", po::bool_switch(&buffered), "probe without O_DIRECT")("help,h", "this text");
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    po::notify(vm);
    cl.list.direct = !buffered;
    if (vm.count("help")) {
        std::ostringstream s;
        s << usage_head << "\n" << desc;
        cl.help_text = s.str();
        return;
    }
    cl.cmd = command_line::verb::list;
}

}  // namespace

backend_options backend_options_for(const run_options& o, unsigned depth) {
    backend_options b = o.backend_opts;
    b.depth = depth;
    b.batch = std::min(b.batch, depth);
    return b;
}

uint64_t parse_size(const std::string& text, const std::string& flag) {
    size_t pos = 0;
    unsigned long long n = 0;
    try {
        n = std::stoull(text, &pos);
    } catch (const std::exception&) {
        throw usage_error(flag + " " + text + ": not a size (e.g. 4k, 64k, 1m, 1G)");
    }
    if (text[0] == '-') throw usage_error(flag + " " + text + ": must not be negative");
    std::string unit = text.substr(pos);
    for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (unit.ends_with("ib")) unit.erase(unit.size() - 2);
    else if (unit.size() > 1 && unit.ends_with("b")) unit.erase(unit.size() - 1);
    unsigned shift = 0;
    if (unit.empty() || unit == "b") shift = 0;
    else if (unit == "k") shift = 10;
    else if (unit == "m") shift = 20;
    else if (unit == "g") shift = 30;
    else if (unit == "t") shift = 40;
    else throw usage_error(flag + " " + text + ": unknown unit '" + text.substr(pos) + "' (k, m, g, t)");
    if (shift && n > (~0ull >> shift)) throw usage_error(flag + " " + text + ": too large");
    return n << shift;
}

uint64_t parse_duration_ns(const std::string& text, const std::string& flag) {
    size_t pos = 0;
    double v = 0;
    try {
        v = std::stod(text, &pos);
    } catch (const std::exception&) {
        throw usage_error(flag + " " + text + ": not a duration (e.g. 500ms, 10s, 2m)");
    }
    if (v < 0) throw usage_error(flag + " " + text + ": must not be negative");
    const std::string unit = text.substr(pos);
    double scale = 0;
    if (unit.empty() || unit == "s") scale = 1e9;
    else if (unit == "ms") scale = 1e6;
    else if (unit == "us") scale = 1e3;
    else if (unit == "m" || unit == "min") scale = 60e9;
    else if (unit == "h") scale = 3600e9;
    else throw usage_error(flag + " " + text + ": unknown unit '" + unit + "' (us, ms, s, m, h)");
    return static_cast<uint64_t>(v * scale);
}

command_line parse_command_line(int argc, const char* const* argv) {
    command_line cl;
    for (int i = 0; i < argc; ++i) {
        if (i) cl.raw += ' ';
        cl.raw += argv[i];
    }
    std::vector<std::string> rest(argv + std::min(argc, 2), argv + argc);
    const std::string verb = argc > 1 ? argv[1] : "help";
    try {
        if (verb == "run") parse_run(rest, cl);
        else if (verb == "list") parse_list(rest, cl);
        else if (verb == "--version" || verb == "version") cl.cmd = command_line::verb::version;
        else if (verb == "serve") parse_serve(rest, cl);
        else if (verb == "load") parse_load(rest, cl);
        else if (verb == "merge") parse_merge(rest, cl);
        else if (verb == "compare") cl.cmd = command_line::verb::compare, cl.compare_args = rest;
        else if (verb == "suite") parse_suite_command(rest, cl);
        else if (verb == "plot") parse_plot(rest, cl);
        else if (verb == "help" || verb == "--help" || verb == "-h") {
            cl.help_text = usage_head;
        } else {
            throw usage_error("unknown command '" + verb + "' (run, serve, load, merge, compare, suite, plot, list, help)");
        }
    } catch (const po::error& e) {
        throw usage_error(e.what());
    }
    return cl;
}

}  // namespace iobench
