// Command-line parsing and validation for every iobench subcommand.
#include "harness/options.hpp"

#include "backends/registry.hpp"
#include "harness/errors.hpp"
#include "workloads/storage_workload.hpp"

#include <boost/program_options.hpp>
#include <cctype>
#include <sstream>

namespace po = boost::program_options;

namespace iobench {

namespace {

constexpr const char* usage_head =
    "iobench: one workload across every Linux I/O model (blocking, epoll, POSIX AIO, libaio, io_uring)\n\n"
    "usage:\n"
    "  iobench run  [options]     run a workload on one or more backends\n"
    "  iobench list [--file PATH] list backends, their capabilities and whether they run here\n"
    "  iobench help | --help      this text;  iobench --version\n";

std::string backend_names() {
    std::string s;
    for (const auto& e : registry()) s += (s.empty() ? "" : ", ") + std::string(e.name);
    return s;
}

po::options_description run_description(std::string& backend, std::string& bs, std::string& size, std::string& runtime,
                                        std::string& ramp, std::string& notify, run_options& o) {
    po::options_description d("run options");
    d.add_options()
        ("backend,b", po::value(&backend)->default_value("all"),
         ("backends to run: NAME[,NAME...] or all (" + backend_names() + ")").c_str())
        ("workload,w", po::value(&o.workload)->default_value(o.workload),
         "storage: read | write | randread | randwrite | randrw")
        ("bs", po::value(&bs)->default_value("4k"), "block size per op (k/m/g suffixes); a multiple of 512 with O_DIRECT")
        ("iodepth,q", po::value(&o.iodepth)->default_value(o.iodepth),
         "ops in flight per job (blocking: that many threads, one op each)")
        ("jobs,j", po::value(&o.jobs)->default_value(o.jobs), "threads, each with its own backend instance and iodepth")
        ("size,s", po::value(&size)->default_value("1G"), "bytes of the target file the run touches")
        ("runtime,t", po::value(&runtime)->default_value("10s"), "measured time per backend (after --ramp)")
        ("ops,n", po::value(&o.ops), "stop after N measured ops (all jobs together) instead of --runtime")
        ("ramp", po::value(&ramp)->default_value("1s"), "warm-up before measuring; not counted")
        ("file,f", po::value(&o.file), "target file or block device; created and prefilled if missing, kept afterwards")
        ("dir,d", po::value(&o.dir)->default_value(o.dir), "directory for a temporary target file, removed at exit")
        ("buffered", po::bool_switch(&o.buffered), "use the page cache (default is O_DIRECT)")
        ("rwmixread", po::value(&o.rwmixread)->default_value(o.rwmixread), "randrw: percentage of reads")
        ("fsync", po::value(&o.fsync_every)->default_value(0), "issue an fdatasync after every N writes (0 = never)")
        ("verify", po::bool_switch(&o.verify),
         "writes carry a per-offset pattern, reads check it; a mismatch fails the run with its offset")
        ("seed", po::value(&o.seed)->default_value(0), "random offset seed (0 = fixed default, runs are repeatable)")
        ("batch", po::value(&o.batch)->default_value(o.batch),
         "submit ops in groups of N and wait for at least N completions (default 1: each op goes to the kernel as soon as its slot is free, like fio; raise it for CPU-bound page-cache runs)")
        ("registered-files", po::bool_switch(&o.registered_files), "io_uring: register the target fds")
        ("fixed-buffers", po::bool_switch(&o.fixed_buffers), "io_uring: register the buffers, use READ/WRITE_FIXED")
        ("sqpoll-idle", po::value(&o.sqpoll_idle_ms)->default_value(o.sqpoll_idle_ms),
         "io_uring_sqpoll: ms the kernel poller spins before sleeping")
        ("sqpoll-cpu", po::value(&o.sqpoll_cpu)->default_value(o.sqpoll_cpu), "io_uring_sqpoll: pin the poller (-1 = no)")
        ("aio-notify", po::value(&notify)->default_value("suspend"),
         "posix_aio completion notification: suspend (aio_suspend) | signal (SIGEV_SIGNAL) | thread (SIGEV_THREAD)")
        ("output,o", po::value(&o.output), "write JSON results (schema iobench/1) to this file")
        ("quiet", po::bool_switch(&o.quiet), "no progress lines on stderr");
    return d;
}

void parse_run(const std::vector<std::string>& args, command_line& cl) {
    run_options& o = cl.run;
    std::string backend, bs, size, runtime, ramp, notify;
    auto desc = run_description(backend, bs, size, runtime, ramp, notify, o);
    desc.add_options()("help,h", "this text");
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    if (vm.count("help")) {
        std::ostringstream s;
        s << usage_head << "\n" << desc;
        cl.cmd = command_line::verb::help;
        cl.help_text = s.str();
        return;
    }
    po::notify(vm);
    cl.cmd = command_line::verb::run;

    if (backend == "all") {
        for (const auto& e : registry()) o.backends.emplace_back(e.name);
    } else {
        std::stringstream ss(backend);
        for (std::string name; std::getline(ss, name, ',');) {
            if (!find_backend(name)) throw usage_error("--backend: unknown backend '" + name + "' (known: " + backend_names() + ")");
            o.backends.push_back(name);
        }
        if (o.backends.empty()) throw usage_error("--backend: no backend named");
    }
    if (!parse_storage_pattern(o.workload))
        throw usage_error("--workload: unknown workload '" + o.workload + "' (storage: read, write, randread, randwrite, randrw)");

    const uint64_t bs_bytes = parse_size(bs, "--bs");
    if (bs_bytes == 0 || bs_bytes > (64u << 20)) throw usage_error("--bs: must be between 1 byte and 64 MiB");
    o.bs = static_cast<uint32_t>(bs_bytes);
    if (!o.buffered && o.bs % 512 != 0)
        throw usage_error("--bs " + bs + ": must be a multiple of 512 with O_DIRECT (or add --buffered)");
    if (o.verify && o.bs % 8 != 0) throw usage_error("--bs " + bs + ": --verify needs a multiple of 8");
    o.size = parse_size(size, "--size");
    if (o.size < o.bs) throw usage_error("--size " + size + ": smaller than --bs " + bs);
    o.size -= o.size % o.bs;
    o.runtime_ns = parse_duration_ns(runtime, "--runtime");
    o.ramp_ns = parse_duration_ns(ramp, "--ramp");
    if (o.runtime_ns == 0 && o.ops == 0) throw usage_error("--runtime: must be more than 0 (or give --ops)");
    if (vm.count("ops") && o.ops == 0) throw usage_error("--ops: must be more than 0");
    if (o.iodepth == 0 || o.iodepth > 4096) throw usage_error("--iodepth: must be between 1 and 4096");
    if (o.jobs == 0 || o.jobs > 256) throw usage_error("--jobs: must be between 1 and 256");
    if (o.rwmixread > 100) throw usage_error("--rwmixread: must be between 0 and 100");
    if (o.batch == 0 || o.batch > o.iodepth) throw usage_error("--batch: must be between 1 and --iodepth");
    if (!vm["file"].empty() && !vm["dir"].defaulted()) throw usage_error("--file and --dir: give one, not both");
    if (notify == "suspend") o.notify = aio_notify::suspend;
    else if (notify == "signal") o.notify = aio_notify::signal;
    else if (notify == "thread") o.notify = aio_notify::thread;
    else throw usage_error("--aio-notify: unknown mode '" + notify + "' (suspend, signal, thread)");
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
        else if (verb == "help" || verb == "--help" || verb == "-h") {
            std::ostringstream s;
            std::string a, b, c, d, e, f;
            run_options tmp;
            s << usage_head << "\n" << run_description(a, b, c, d, e, f, tmp);
            cl.help_text = s.str();
        } else {
            throw usage_error("unknown command '" + verb + "' (run, list, help)");
        }
    } catch (const po::error& e) {
        throw usage_error(e.what());
    }
    return cl;
}

}  // namespace iobench
