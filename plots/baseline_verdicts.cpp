// Verdicts against a baseline from the gate itself (plots/baseline_verdicts.hpp).
#include "plots/baseline_verdicts.hpp"

#include "plots/run_facts.hpp"
#include "results/compare.hpp"

#include <cstdio>
#include <filesystem>
#include <map>

namespace iobench::plots {

namespace fs = std::filesystem;

namespace {

bool same_path(const std::string& a, const std::string& b) {
    return fs::path(a).lexically_normal() == fs::path(b).lexically_normal();
}

// The gate's view of a series already read: the same files, jobs named as
// read_compare_side names them.
compare_side side_of(const series& s) {
    compare_side side;
    side.given = s.path;
    std::error_code ec;
    side.directory = fs::is_directory(s.path, ec);
    for (const auto& f : s.files) side.files.push_back({f.path, job_of_file(f.path, f.doc, side.directory), f.doc});
    return side;
}

}  // namespace

baseline_verdicts compare_with_baseline(const std::string& baseline, const std::vector<series>& inputs,
                                        const std::vector<plot_run>& runs, double threshold) {
    compare_side base;
    try {
        base = read_compare_side(baseline);
    } catch (const compare_input_error& e) {
        throw bad_input(std::string("--baseline ") + e.what());
    }
    compare_settings settings;
    settings.threshold = threshold;
    baseline_verdicts out;
    for (const auto& s : inputs) {
        if (same_path(s.path, baseline)) continue;  // the baseline given as an input too is not compared with itself
        const compare_side fresh = side_of(s);
        compare_report rep;
        try {
            rep = compare_sides(base, fresh, settings);
        } catch (const compare_input_error& e) {
            out.problems.push_back("no verdicts for " + s.label + ": " + e.what());
            continue;
        }
        std::map<std::string, plot_run> by_key;
        const bool in_directory = fresh.directory;
        for (const auto& r : runs)
            if (r.from == &s) by_key.emplace(match_key(job_of_file(r.file->path, r.file->doc, in_directory), *r.run), r);
        for (const auto& row : rep.rows)
            if (const auto it = by_key.find(row.key); it != by_key.end())
                // The page's own rate names (IOPS, req/s); the gate's for the others (p99, cpu_per_op).
                out.rows.push_back({it->second,
                                    row.metric == metric_id::iops ? rate_unit(*it->second.run)
                                                                  : std::string(metric_label(row.metric, row.network)),
                                    row.c});
    }
    return out;
}

std::string verdicts_text(const std::vector<forest_row>& rows, const run_result& r) {
    std::string s;
    for (const auto& row : rows) {
        if (row.run.run != &r) continue;
        char buf[96];
        std::snprintf(buf, sizeof buf, "%s %s %+.1f%%", row.metric.c_str(), std::string(to_string(row.cmp.result)).c_str(),
                      row.cmp.change * 100);
        if (!s.empty()) s += "; ";
        s += buf;
    }
    return s;
}

}  // namespace iobench::plots
