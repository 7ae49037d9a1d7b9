// iobench's entry point: parse the command line, dispatch to list or run,
// map failures to exit codes (0 ok, 1 a run failed, 2 bad input).
#include "backends/registry.hpp"
#include "harness/errors.hpp"
#include "harness/host_info.hpp"
#include "harness/interrupt.hpp"
#include "harness/options.hpp"
#include "harness/storage_runner.hpp"
#include "results/writer.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unistd.h>

namespace iobench {

namespace {

int cmd_list(const list_options& o) {
    if (!o.file.empty() && ::access(o.file.c_str(), R_OK) != 0)
        throw usage_error("--file " + o.file + ": cannot read it (" + std::string(std::strerror(errno)) + ")");
    std::printf("%-16s %-6s %-8s %s\n", "backend", "files", "sockets", "capabilities");
    for (const auto& e : registry()) {
        const probe_result file = e.probe({io_target::file, o.file, o.direct});
        const probe_result sock = e.probe({io_target::socket, {}, false});
        std::printf("%-16s %-6s %-8s %s\n", std::string(e.name).c_str(), file.ok ? "yes" : "no", sock.ok ? "yes" : "no",
                    caps_to_string(e.caps).c_str());
        std::printf("  %s\n", std::string(e.summary).c_str());
        if (!file.ok) std::printf("  files: %s\n", file.reason.c_str());
        if (!sock.ok) std::printf("  sockets: %s\n", sock.reason.c_str());
    }
    return exit_ok;
}

std::map<std::string, std::string> parameters_of(const run_options& o) {
    auto ns = [](uint64_t v) { return std::to_string(static_cast<double>(v) / 1e9) + "s"; };
    std::string backends;
    for (const auto& b : o.backends) backends += (backends.empty() ? "" : ",") + b;
    return {
        {"backend", backends}, {"workload", o.workload}, {"bs", std::to_string(o.bs)},
        {"iodepth", std::to_string(o.iodepth)}, {"jobs", std::to_string(o.jobs)}, {"size", std::to_string(o.size)},
        {"runtime", o.ops ? "" : ns(o.runtime_ns)}, {"ops", std::to_string(o.ops)}, {"ramp", ns(o.ramp_ns)},
        {"direct", o.buffered ? "false" : "true"}, {"rwmixread", std::to_string(o.rwmixread)},
        {"fsync", std::to_string(o.fsync_every)}, {"verify", o.verify ? "true" : "false"},
        {"seed", std::to_string(o.seed)}, {"batch", std::to_string(o.batch)},
        {"registered_files", o.registered_files ? "true" : "false"},
        {"fixed_buffers", o.fixed_buffers ? "true" : "false"}, {"sqpoll_idle_ms", std::to_string(o.sqpoll_idle_ms)},
        {"sqpoll_cpu", std::to_string(o.sqpoll_cpu)},
        {"aio_notify", o.notify == aio_notify::suspend ? "suspend" : o.notify == aio_notify::signal ? "signal" : "thread"},
        {"mode", "closed-loop"},
    };
}

// Results go to a temporary file renamed into place at the end, so a failed
// or interrupted run never leaves half a JSON document behind.
class output_file {
public:
    explicit output_file(std::string path) : path_(std::move(path)) {
        if (path_.empty()) return;
        tmp_ = path_ + ".partial." + std::to_string(::getpid());
        out_.open(tmp_);
        if (!out_) throw usage_error("-o " + path_ + ": cannot write there (" + std::strerror(errno) + ")");
    }
    ~output_file() {
        if (!tmp_.empty()) std::remove(tmp_.c_str());
    }
    std::ostream* stream() { return path_.empty() ? nullptr : &out_; }
    void commit() {
        out_.close();
        if (!out_ || std::rename(tmp_.c_str(), path_.c_str()) != 0)
            throw std::runtime_error("-o " + path_ + ": could not write the results");
        tmp_.clear();
    }

private:
    std::string path_, tmp_;
    std::ofstream out_;
};

int cmd_run(const run_options& o, const std::string& raw) {
    output_file json_out(o.output);
    test_file target({o.file, o.file.empty() ? o.dir : "", o.size, o.seed ^ 0x10be4c4b0b5eedull, o.verify});

    run_context ctx;
    ctx.host = collect_host_facts(target.path());
    ctx.command_line = raw;
    ctx.started_at = utc_timestamp();
    ctx.parameters = parameters_of(o);

    std::vector<std::unique_ptr<results_writer>> writers;
    writers.push_back(make_table_writer(std::cout));
    if (json_out.stream()) writers.push_back(make_json_writer(*json_out.stream()));
    for (auto& w : writers) w->begin(ctx);

    bool failed = false;
    for (const auto& name : o.backends) {
        if (interrupted()) break;
        if (!o.quiet) std::fprintf(stderr, "iobench: %s %s ...\n", name.c_str(), o.workload.c_str());
        const run_result r = run_storage_backend(name, o, target);
        failed = failed || r.status == "error";
        for (auto& w : writers) w->add(r);
    }
    for (auto& w : writers) w->end();
    if (interrupted()) {
        std::fprintf(stderr, "iobench: interrupted; no results file written\n");
        return exit_failure;
    }
    if (json_out.stream()) {
        json_out.commit();
        if (!o.quiet) std::fprintf(stderr, "iobench: results in %s\n", o.output.c_str());
    }
    return failed ? exit_failure : exit_ok;
}

}  // namespace

}  // namespace iobench

int main(int argc, char** argv) {
    using namespace iobench;
    try {
        const command_line cl = parse_command_line(argc, argv);
        switch (cl.cmd) {
        case command_line::verb::help: std::cout << cl.help_text; return exit_ok;
        case command_line::verb::version: std::cout << "iobench 0.1 (liburing " IOBENCH_LIBURING_VERSION ")\n"; return exit_ok;
        case command_line::verb::list: return cmd_list(cl.list);
        case command_line::verb::run: install_interrupt_handlers(); return cmd_run(cl.run, cl.raw);
        }
    } catch (const usage_error& e) {
        std::fprintf(stderr, "iobench: %s\n", e.what());
        return exit_usage;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "iobench: error: %s\n", e.what());
        return exit_failure;
    }
    return exit_failure;
}
