// iobench compare BASE NEW [--metric LIST] [--threshold 5%|auto[:K]] [--alpha A]
//                 [--allow-host-change] [--format table|json|markdown] [-o FILE]
#include "harness/cli/compare_command.hpp"

#include "harness/cli/errors.hpp"
#include "results/compare_writers.hpp"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace po = boost::program_options;

namespace iobench {

namespace {

constexpr const char* compare_head =
    "iobench compare BASE NEW: the regression gate. BASE and NEW are results files or suite output directories\n"
    "(every iobench *.json below it; the job is the file's job field or name, and a job found in several files of\n"
    "one side, rounds in BASE/1/, BASE/2/, is pooled). Runs are matched by job x backend x workload x\n"
    "parameters; each metric's samples are the runs' repetitions (--repeat). A regression needs both: the median\n"
    "moved beyond --threshold in the bad direction AND a one-sided Mann-Whitney U test gives p < --alpha after a\n"
    "Benjamini-Hochberg correction across every comparison of this invocation. Verdicts: regression, improvement,\n"
    "equivalent (the Hodges-Lehmann shift's interval lies inside +-threshold), inconclusive, insufficient (the\n"
    "repetitions per side cannot reach alpha at all: 3 vs 3 gives p >= 0.05 whatever the data; it says how many can).\n"
    "BASE and NEW must come from the same host class: kernel, CPU model and count, device, filesystem, I/O\n"
    "scheduler, cpufreq governor.\n\n"
    "exit codes:\n"
    "  0  no regression (every comparison improvement, equivalent, inconclusive, or some insufficient)\n"
    "  1  at least one regression; stderr names each (backend, workload, metric, change, p)\n"
    "  2  bad input: a file unreadable, truncated or of another schema, a host fingerprint that differs (without\n"
    "     --allow-host-change), nothing comparable, a bad flag; one line naming the file or flag\n"
    "  3  cannot decide: no regression found, and EVERY comparison was insufficient (too few repetitions per\n"
    "     side for p < alpha); stderr says how many are needed. Mixed with decided ones: exit 0, and a warning\n\n";

struct parsed {
    std::string base, fresh, output, format = "table", metrics = "iops,p99,cpu_per_op", threshold = "5%";
    compare_settings settings;
    compare_format fmt = compare_format::table;
};

double number(const std::string& text, const std::string& flag) {
    size_t pos = 0;
    double v = 0;
    try {
        v = std::stod(text, &pos);
    } catch (const std::exception&) {
        pos = 0;
    }
    if (pos != text.size() || !(v > 0)) throw usage_error(flag + " " + text + ": not a positive number");
    return v;
}

// 5% or 0.05; auto, or auto:K for k x the base's own noise.
void parse_threshold(const std::string& t, compare_settings& s) {
    const std::string flag = "--threshold";
    if (t == "auto" || t.starts_with("auto:")) {
        s.auto_threshold = true;
        if (t.size() > 5) s.auto_k = number(t.substr(5), flag + " auto:");
        return;
    }
    const bool pct = t.ends_with('%');
    const double v = number(pct ? t.substr(0, t.size() - 1) : t, flag);
    if (!pct && v >= 1) throw usage_error(flag + " " + t + ": give a percentage (5%) or a fraction below 1 (0.05)");
    s.threshold = pct ? v / 100 : v;
    if (s.threshold >= 1) throw usage_error(flag + " " + t + ": must be below 100%");
}

void parse_metrics(const std::string& list, compare_settings& s) {
    s.metrics.clear();
    std::string names;
    for (const auto& m : compare_metrics()) names += (names.empty() ? "" : ", ") + std::string(m.name);
    std::stringstream in(list);
    for (std::string one; std::getline(in, one, ',');) {
        const auto id = parse_metric(one);
        if (!id) throw usage_error("--metric " + one + ": unknown metric (" + names + "; req/s = iops)");
        if (std::find(s.metrics.begin(), s.metrics.end(), *id) == s.metrics.end()) s.metrics.push_back(*id);
    }
    if (s.metrics.empty()) throw usage_error("--metric: name at least one metric (" + names + ")");
}

// Returns false (help text printed) when --help was asked.
bool parse(const std::vector<std::string>& args, parsed& p) {
    po::options_description desc("compare options");
    desc.add_options()
        ("metric,m", po::value(&p.metrics)->default_value(p.metrics),
         "metrics to compare, comma-separated: iops (req/s for network runs), bytes_per_sec, p50, p90, p99, p99.9, "
         "p99.99, mean_latency, max_latency, cpu_per_op. Higher is better for iops and bytes_per_sec, lower for the "
         "rest")
        ("threshold", po::value(&p.threshold)->default_value(p.threshold),
         "the change that matters: 5% (or 0.05); auto: per metric, the larger of 3% and k x the noise the base "
         "shows against itself (its repetitions split in alternate halves and compared, A/A: the widest end of "
         "their Hodges-Lehmann interval, or with fewer than 8 repetitions their widest pairwise difference), k = 1; "
         "auto:K sets k. auto only raises the bar for regression and improvement: equivalent still needs the "
         "interval inside +-5%")
        ("alpha", po::value(&p.settings.alpha)->default_value(p.settings.alpha),
         "false discovery rate across all comparisons of this invocation (Benjamini-Hochberg)")
        ("allow-host-change", po::bool_switch(&p.settings.allow_host_change),
         "compare even when the host fingerprints differ (a warning line, and the report says so)")
        ("format", po::value(&p.format)->default_value(p.format),
         "table | json (schema iobench-compare/1, results/SCHEMA.md) | markdown (GitHub table, for a CI job summary)")
        ("output,o", po::value(&p.output),
         "write the report in --format here (the table still goes to stdout); - or none: stdout")
        ("help,h", "this text");
    po::options_description all;
    all.add(desc).add_options()("input", po::value<std::vector<std::string>>());
    po::positional_options_description pos;
    pos.add("input", -1);
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    if (vm.count("help")) {
        std::cout << compare_head << desc;
        return false;
    }
    po::notify(vm);
    const auto inputs = vm.count("input") ? vm["input"].as<std::vector<std::string>>() : std::vector<std::string>{};
    if (inputs.size() != 2)
        throw usage_error("compare: give BASE and NEW (two results files or suite directories), got " +
                          std::to_string(inputs.size()));
    p.base = inputs[0];
    p.fresh = inputs[1];
    const auto f = parse_compare_format(p.format);
    if (!f) throw usage_error("--format " + p.format + ": unknown format (table, json, markdown)");
    p.fmt = *f;
    if (!(p.settings.alpha > 0 && p.settings.alpha < 1)) throw usage_error("--alpha: must lie between 0 and 1");
    parse_threshold(p.threshold, p.settings);
    parse_metrics(p.metrics, p.settings);
    return true;
}

// -o FILE: written beside the target and renamed into place.
void write_file(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".partial." + std::to_string(::getpid());
    {
        std::ofstream out(tmp);
        if (!out) throw usage_error("-o " + path + ": cannot write there (" + std::strerror(errno) + ")");
        out << text;
        if (!out.flush()) throw std::runtime_error("-o " + path + ": could not write the report");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw std::runtime_error("-o " + path + ": could not write the report");
    }
}

compare_side read_side(const std::string& path) {
    try {
        return read_compare_side(path);
    } catch (const compare_input_error& e) {
        throw usage_error(std::string("compare: ") + e.what());
    }
}

std::string row_name(const compare_row& r) {
    return (r.job.empty() ? "" : r.job + " ") + r.backend + " " + r.workload + " " +
           std::string(metric_label(r.metric, r.network));
}

// stderr: what made the exit code, one line each.
int verdict_lines(const compare_report& r) {
    for (const auto& h : r.host_changes)
        std::fprintf(stderr, "iobench: warning: host %s differs ('%s' in %s, '%s' in %s); compared anyway "
                     "(--allow-host-change)\n", h.field.c_str(), h.base_value.c_str(), h.base_file.c_str(),
                     h.new_value.c_str(), h.new_file.c_str());
    if (r.busy_base_runs || r.busy_new_runs)
        std::fprintf(stderr, "iobench: warning: busy neighbour during %zu of %zu compared runs of base, %zu of new: "
                     "verdicts may reflect other processes, not the build\n", r.busy_base_runs, r.compared_runs,
                     r.busy_new_runs);
    size_t insufficient = 0, needed = 0;
    for (const auto& row : r.rows)
        if (row.c.result == verdict::insufficient) ++insufficient, needed = std::max(needed, row.c.needed_per_side);
    switch (outcome_of(r)) {
    case compare_outcome::regression:
        for (const auto& row : r.rows)
            if (row.c.result == verdict::regression)
                std::fprintf(stderr, "iobench: regression: %s %+.1f%% (p = %.3g)\n", row_name(row).c_str(),
                             row.c.change * 100, row.c.q_worse);
        std::fprintf(stderr, "iobench: compare: %zu regression(s) in %zu comparisons\n", count(r, verdict::regression),
                     r.rows.size());
        return exit_failure;
    case compare_outcome::undecided:
        std::fprintf(stderr, "iobench: compare: cannot decide: every one of %zu comparisons has too few repetitions "
                     "to reach p < %g (%zu vs %zu); run %zu per side (--repeat)\n", r.rows.size(), r.settings.alpha,
                     r.rows.front().c.base_n, r.rows.front().c.new_n, needed);
        return exit_undecided;
    case compare_outcome::pass: break;
    }
    if (insufficient)
        std::fprintf(stderr, "iobench: warning: %zu of %zu comparisons have too few repetitions to decide (%zu per "
                     "side needed)\n", insufficient, r.rows.size(), needed);
    return exit_ok;
}

}  // namespace

int cmd_compare(const std::vector<std::string>& args) {
    parsed p;
    try {
        if (!parse(args, p)) return exit_ok;
    } catch (const po::error& e) {
        throw usage_error(std::string("compare: ") + e.what());
    }
    const compare_side base = read_side(p.base), fresh = read_side(p.fresh);
    compare_report report;
    try {
        report = compare_sides(base, fresh, p.settings);
    } catch (const compare_input_error& e) {
        throw usage_error(std::string("compare: ") + e.what());
    }
    if (p.output.empty() || p.output == "-") {
        write_compare(std::cout, report, p.fmt);
    } else {
        std::ostringstream text;
        write_compare(text, report, p.fmt);
        write_file(p.output, text.str());
        write_compare_table(std::cout, report);
    }
    std::cout.flush();
    return verdict_lines(report);
}

}  // namespace iobench
