// iobench's entry point: parse the command line, dispatch to list, run, merge,
// compare, suite or plot, map failures to exit codes (0 ok, 1 a run failed or, for
// compare, a regression, 2 bad input, 3 compare could not decide).
#include "backends/registry.hpp"
#include "harness/cli/errors.hpp"
#include "harness/cli/compare_command.hpp"
#include "harness/cli/merge_command.hpp"
#include "harness/cli/run_command.hpp"
#include "harness/cli/suite_command.hpp"
#include "harness/cli/plot_command.hpp"
#include "harness/system/host_info.hpp"
#include "harness/system/preflight.hpp"
#include "harness/system/fd_limit.hpp"
#include "harness/system/interrupt.hpp"
#include "harness/net/net_runner.hpp"
#include "harness/net/netns.hpp"
#include "harness/cli/options.hpp"
#include "harness/run/run_plan.hpp"
#include "harness/storage/storage_runner.hpp"
#include "results/writer.hpp"
#include "workloads/verify_pattern.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
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

}  // namespace

}  // namespace iobench

int main(int argc, char** argv) {
    using namespace iobench;
    try {
        const command_line cl = parse_command_line(argc, argv);
        raise_fd_limit();  // --connections in the thousands wants the hard limit, not the soft default
        switch (cl.cmd) {
        case command_line::verb::help: std::cout << cl.help_text; return exit_ok;
        case command_line::verb::version: std::cout << "iobench 0.1 (liburing " IOBENCH_LIBURING_VERSION ")\n"; return exit_ok;
        case command_line::verb::list: return cmd_list(cl.list);
        case command_line::verb::run: install_interrupt_handlers(); return cmd_run(cl.run, cl.raw);
        case command_line::verb::serve: install_interrupt_handlers(); return cmd_serve(cl.run, cl.raw);
        case command_line::verb::load: install_interrupt_handlers(); return cmd_load(cl.run, cl.raw);
        case command_line::verb::merge: return cmd_merge(cl.merge, cl.raw);
        case command_line::verb::compare: return cmd_compare(cl.compare_args);
        case command_line::verb::suite: install_interrupt_handlers(); return cmd_suite(cl.suite);
        case command_line::verb::plot: return cmd_plot(cl.plot);
        }
    } catch (const usage_error& e) {
        std::fprintf(stderr, "iobench: %s\n", e.what());
        return exit_usage;
    } catch (const std::exception& e) {
        if (interrupted()) {  // e.g. stopped while prefilling the target: nothing ran to keep
            std::fprintf(stderr, "iobench: interrupted by %s: %s\n", interrupt_name(), e.what());
            return interrupt_exit_code();
        }
        std::fprintf(stderr, "iobench: error: %s\n", e.what());
        return exit_failure;
    }
    return exit_failure;
}
