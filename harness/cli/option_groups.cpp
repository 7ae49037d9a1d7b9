// The flag groups of run, serve and load: names, defaults and --help text.
#include "harness/cli/option_parts.hpp"

#include "workloads/net_workload.hpp"
#include "workloads/transfer_method.hpp"

namespace iobench {

const char* const format_help =
    "comma list of json, csv, gbench (Google Benchmark JSON, for its compare.py), gab (github-action-benchmark's "
    "customBiggerIsBetter and customSmallerIsBetter lists); the native JSON is always written";

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

}  // namespace iobench
