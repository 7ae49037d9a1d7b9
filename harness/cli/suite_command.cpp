// iobench suite FILE.ini -o DIR: check every job, then run them one after
// another through cmd_run. SIGINT/SIGTERM stop the suite in the job that is
// running: its file is written with that run "interrupted" (as `run` does),
// finished files stay complete, later jobs do not run; exit 130/143.
#include "harness/cli/suite_command.hpp"

#include "harness/cli/errors.hpp"
#include "harness/cli/output_file.hpp"
#include "harness/cli/run_command.hpp"
#include "harness/cli/suite_file.hpp"
#include "harness/system/interrupt.hpp"
#include "results/exports.hpp"
#include "results/json_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

namespace fs = std::filesystem;

namespace iobench {

namespace {

// A storage job that names no target gets its temporary file in DIR, not in
// the directory the suite was started from.
bool names_a_target(const suite_job& j) {
    return std::any_of(j.keys.begin(), j.keys.end(), [](const suite_key& k) {
        return k.key == "file" || k.key == "f" || k.key == "dir" || k.key == "d";
    });
}

// The job as the `iobench run` command line that does the same.
std::string run_command_line(const suite_job& j, const std::string& json) {
    std::string s = "iobench";
    for (const std::string& a : j.args) s += " " + a;
    return s + " -o " + json;
}

int run_job(const suite_options& o, const suite_job& job, std::ostream& summary, std::vector<result_file>& finished) {
    const std::string json = (fs::path(o.dir) / (job.name + ".json")).string();
    std::vector<const char*> argv{"iobench"};
    for (const std::string& a : job.args) argv.push_back(a.c_str());
    try {
        command_line cl = parse_command_line(static_cast<int>(argv.size()), argv.data());
        run_options& r = cl.run;
        r.output = json;
        r.quiet = r.quiet || o.quiet;
        if (!names_a_target(job)) r.dir = o.dir;
        for (std::ostream* out : {static_cast<std::ostream*>(&std::cout), &summary}) *out << "[" << job.name << "]\n";
        const int rc = cmd_run(r, run_command_line(job, json), {job.name, &summary, &finished});
        for (std::ostream* out : {static_cast<std::ostream*>(&std::cout), &summary}) *out << "\n";
        return rc;
    } catch (const usage_error& e) {
        std::fprintf(stderr, "iobench: suite: job %s: %s\n", job.name.c_str(), e.what());
        return exit_usage;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "iobench: suite: job %s: error: %s\n", job.name.c_str(), e.what());
        return exit_failure;
    }
}

}  // namespace

int cmd_suite(const suite_options& o) {
    std::vector<suite_key> overrides;
    for (const std::string& set : o.sets) overrides.push_back(parse_suite_override(set));
    const suite s = read_suite(o.file, overrides);
    check_suite(s);  // every job parsed before DIR exists or anything runs
    std::error_code ec;
    if (fs::exists(o.dir, ec) && !fs::is_directory(o.dir, ec))
        throw usage_error("-o " + o.dir + ": exists and is not a directory");
    fs::create_directories(o.dir, ec);
    if (ec) throw usage_error("-o " + o.dir + ": cannot create the directory (" + ec.message() + ")");
    output_file summary((fs::path(o.dir) / "summary.txt").string());
    std::vector<std::pair<export_file, std::unique_ptr<output_file>>> exports;  // --format: one file each, every job
    for (export_file f : export_files(o.formats))
        exports.push_back({f, std::make_unique<output_file>((fs::path(o.dir) / export_name_in_dir(f)).string())});
    std::vector<result_file> finished;
    int worst = exit_ok;
    size_t ran = 0;
    for (const suite_job& job : s.jobs) {
        if (interrupted()) break;
        if (!o.quiet) std::fprintf(stderr, "suite: [%zu/%zu] %s\n", ran + 1, s.jobs.size(), job.name.c_str());
        worst = std::max(worst, run_job(o, job, *summary.stream(), finished));
        ++ran;
    }
    if (interrupted()) {
        std::fprintf(stderr, "iobench: suite: interrupted by %s in job %zu of %zu; it and the jobs before it are in %s\n",
                     interrupt_name(), ran, s.jobs.size(), o.dir.c_str());
        worst = interrupt_exit_code();
    }
    summary.commit();
    for (auto& [format, file] : exports) {
        write_export(*file->stream(), format, finished);
        file->commit();
    }
    if (!o.quiet) std::fprintf(stderr, "iobench: suite results in %s (%zu jobs)\n", o.dir.c_str(), finished.size());
    return worst;
}

}  // namespace iobench
