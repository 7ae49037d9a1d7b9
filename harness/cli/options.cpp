// The verbs' command lines: each verb's flag groups assembled, parsed and
// checked (the groups and checks are in harness/cli/option_parts.hpp).
#include "harness/cli/options.hpp"

#include "harness/cli/errors.hpp"
#include "harness/cli/option_parts.hpp"
#include "harness/cli/plot_command.hpp"
#include "harness/cli/verb_parse.hpp"
#include "harness/net/net_address.hpp"
#include "results/merge.hpp"
#include "workloads/net_workload.hpp"
#include "workloads/storage_workload.hpp"
#include "workloads/transfer_method.hpp"

#include <algorithm>
#include <sstream>

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
        refuse_flags(vm, transfer_only_flags, "--workload transfer only");
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
    refuse_flags(vm, transfer_only_flags, "--workload transfer only");
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
    refuse_flags(vm, transfer_only_flags, "--workload transfer only");
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
