// Table, JSON and markdown for a comparison report. The table and markdown
// share the cells; JSON carries the raw numbers (ratios, not percent).
#include "results/compare_writers.hpp"

#include "results/units_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace iobench {

namespace {

std::string fmt(const char* f, double v) {
    char buf[48];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::string percent(double ratio) { return fmt("%+.1f%%", ratio * 100); }

std::string value_text(metric_id m, double v) {
    if (m == metric_id::iops) return si(v, "");
    if (m == metric_id::bytes_per_sec) return si(v, "B/s");
    return duration(v);
}

std::string threshold_text(const compare_settings& s) {
    if (s.auto_threshold) return "auto (per metric: max(3%, " + fmt("%g", s.auto_k) + " x the base's A/A noise))";
    return fmt("%g%%", s.threshold * 100);
}

struct cells {
    std::string metric, base, fresh, change, p, shift, threshold, verdict;
};

cells cells_of(const compare_row& r) {
    const metric_comparison& c = r.c;
    cells x;
    x.metric = std::string(metric_label(r.metric, r.network));
    x.base = value_text(r.metric, c.base_median);
    x.fresh = value_text(r.metric, c.new_median);
    x.change = percent(c.change);
    x.p = fmt("%.3g", c.q_worse);
    x.shift = percent(c.shift_rel) +
              (c.shift.bounded ? " [" + percent(c.lower_rel) + ", " + percent(c.upper_rel) + "]" : " [n/a]");
    x.threshold = fmt("%.1f%%", c.threshold * 100);
    x.verdict = std::string(to_string(c.result));
    if (c.result == verdict::insufficient) x.verdict += " (needs " + std::to_string(c.needed_per_side) + "/side)";
    return x;
}

bool any_job(const compare_report& r) {
    for (const auto& row : r.rows)
        if (!row.job.empty()) return true;
    return false;
}

std::string summary_text(const compare_report& r) {
    std::string s(to_string(outcome_of(r)));
    s += " (" + std::to_string(r.rows.size()) + " comparisons: ";
    const verdict all[] = {verdict::regression, verdict::improvement, verdict::equivalent, verdict::inconclusive,
                           verdict::insufficient};
    for (size_t i = 0; i < std::size(all); ++i)
        s += (i ? ", " : "") + std::to_string(count(r, all[i])) + " " + std::string(to_string(all[i]));
    return s + ")";
}

// Lines every text form ends with: host changes, left-out runs, the BH note.
std::vector<std::string> notes_of(const compare_report& r) {
    std::vector<std::string> n;
    for (const auto& h : r.host_changes)
        n.push_back("host changed (--allow-host-change): " + h.field + " '" + h.base_value + "' -> '" + h.new_value + "'");
    for (const auto& u : r.unmatched)
        n.push_back("only in " + u.side + ": " + (u.job.empty() ? "" : u.job + " ") + u.backend + " " + u.workload +
                    " (" + u.file + (u.why.empty() ? "" : "; " + u.why) + ")");
    for (const auto& u : r.uncompared)
        n.push_back("not compared: " + (u.job.empty() ? "" : u.job + " ") + u.backend + " " + u.workload + ": " +
                    u.base_status + " in base, " + u.new_status + " in new" + (u.reason.empty() ? "" : " (" + u.reason + ")"));
    for (const auto& s : r.skipped) n.push_back("skipped (not an iobench result): " + s);
    if (r.busy_base_runs || r.busy_new_runs)
        n.push_back("busy neighbour: other processes used the CPU during " + std::to_string(r.busy_base_runs) + " of " +
                    std::to_string(r.compared_runs) + " compared runs of base, " + std::to_string(r.busy_new_runs) +
                    " of new; their figures move with it (run the sides in alternating rounds, on a quiet machine)");
    if (r.lone_regression_needs_per_side)
        n.push_back("with " + std::to_string(r.rows.size()) + " comparisons a regression in one metric alone needs p < " +
                    fmt("%.2g", r.settings.alpha / static_cast<double>(r.rows.size())) + " after BH, which these repetitions cannot reach; " +
                    std::to_string(r.lone_regression_needs_per_side) + " per side can");
    return n;
}

}  // namespace

std::optional<compare_format> parse_compare_format(std::string_view s) {
    if (s == "table") return compare_format::table;
    if (s == "json") return compare_format::json;
    if (s == "markdown") return compare_format::markdown;
    return std::nullopt;
}

void write_compare_table(std::ostream& out, const compare_report& r) {
    const bool jobs = any_job(r), auto_t = r.settings.auto_threshold;
    char line[512];
    out << "base " << r.base << ", new " << r.fresh << "\n";
    out << "threshold " << threshold_text(r.settings) << ", alpha " << fmt("%g", r.settings.alpha)
        << "; p: one-sided Mann-Whitney U in the bad direction, Benjamini-Hochberg over " << r.rows.size()
        << " comparisons; HL: Hodges-Lehmann shift of new against base, " << fmt("%g", r.settings.confidence * 100)
        << "% interval\n";
    std::snprintf(line, sizeof line, "%-*s%-16s %-9s %-13s %9s %9s %8s %8s  %-26s %s%s\n", jobs ? 24 : 0,
                  jobs ? "job" : "", "backend", "workload", "metric", "base", "new", "change", "p", "HL shift [CI]",
                  auto_t ? "threshold " : "", "verdict");
    out << line;
    for (const auto& row : r.rows) {
        const cells x = cells_of(row);
        std::snprintf(line, sizeof line, "%-*s%-16s %-9s %-13s %9s %9s %8s %8s  %-26s %s%s\n", jobs ? 24 : 0,
                      jobs ? (row.job + " ").c_str() : "", row.backend.c_str(), row.workload.c_str(), x.metric.c_str(),
                      x.base.c_str(), x.fresh.c_str(), x.change.c_str(), x.p.c_str(), x.shift.c_str(),
                      auto_t ? (x.threshold + std::string(10 - std::min<size_t>(9, x.threshold.size()), ' ')).c_str() : "",
                      x.verdict.c_str());
        out << line;
    }
    for (const auto& n : notes_of(r)) out << n << "\n";
    out << "result: " << summary_text(r) << "\n";
}

void write_compare_markdown(std::ostream& out, const compare_report& r) {
    const compare_outcome o = outcome_of(r);
    const size_t regressions = count(r, verdict::regression);
    out << "### iobench compare: "
        << (o == compare_outcome::regression ? "**" + std::to_string(regressions) + " regression" +
                                                   (regressions == 1 ? "" : "s") + "**"
            : o == compare_outcome::undecided ? std::string("**cannot decide** (too few repetitions)")
                                              : std::string("no regression"))
        << "\n\n";
    out << "Base `" << r.base << "`, new `" << r.fresh << "`; threshold " << threshold_text(r.settings) << ", alpha "
        << fmt("%g", r.settings.alpha) << ". p: one-sided Mann-Whitney U in the bad direction, Benjamini-Hochberg over "
        << r.rows.size() << " comparisons. HL: Hodges-Lehmann shift, " << fmt("%g", r.settings.confidence * 100)
        << "% interval.\n\n";
    const bool jobs = any_job(r), auto_t = r.settings.auto_threshold;
    out << (jobs ? "| job " : "") << "| backend | workload | metric | base | new | change | p | HL shift [CI] |"
        << (auto_t ? " threshold |" : "") << " verdict |\n";
    out << (jobs ? "|---" : "") << "|---|---|---|---:|---:|---:|---:|---|" << (auto_t ? "---:|" : "") << "---|\n";
    for (const auto& row : r.rows) {
        const cells x = cells_of(row);
        const bool bad = row.c.result == verdict::regression;
        out << (jobs ? "| " + row.job + " " : "") << "| " << row.backend << " | " << row.workload << " | " << x.metric
            << " | " << x.base << " | " << x.fresh << " | " << x.change << " | " << x.p << " | " << x.shift << " |"
            << (auto_t ? " " + x.threshold + " |" : "") << " " << (bad ? "**" + x.verdict + "**" : x.verdict) << " |\n";
    }
    const auto notes = notes_of(r);
    if (!notes.empty()) out << "\n";
    for (const auto& n : notes) out << "- " << n << "\n";
    out << "\nResult: " << summary_text(r) << "\n";
}

void write_compare_json(std::ostream& out, const compare_report& r) {
    using nlohmann::ordered_json;
    const compare_settings& s = r.settings;
    ordered_json metrics = ordered_json::array();
    for (const metric_id m : s.metrics) metrics.push_back(info_of(m).name);
    ordered_json doc{{"schema", compare_schema_name}, {"base", r.base}, {"new", r.fresh}};
    doc["settings"] = {{"metrics", metrics},
                       {"threshold", s.auto_threshold ? ordered_json("auto") : ordered_json(s.threshold)},
                       {"auto_k", s.auto_k},
                       {"alpha", s.alpha},
                       {"confidence", s.confidence},
                       {"allow_host_change", s.allow_host_change}};
    ordered_json rows = ordered_json::array();
    for (const auto& row : r.rows) {
        const metric_comparison& c = row.c;
        auto num = [](double v) { return std::isfinite(v) ? ordered_json(v) : ordered_json(); };
        rows.push_back({{"job", row.job}, {"backend", row.backend}, {"workload", row.workload},
                        {"metric", info_of(row.metric).name}, {"label", metric_label(row.metric, row.network)},
                        {"better", c.direction == better::higher ? "higher" : "lower"},
                        {"base_status", row.base_status}, {"new_status", row.new_status},
                        {"base_n", c.base_n}, {"new_n", c.new_n}, {"base_median", num(c.base_median)},
                        {"new_median", num(c.new_median)}, {"change", num(c.change)}, {"p_worse", num(c.p_worse)},
                        {"q_worse", num(c.q_worse)}, {"p_better", num(c.p_better)}, {"q_better", num(c.q_better)},
                        {"shift", {{"value", num(c.shift.shift)}, {"lower", num(c.shift.lower)},
                                   {"upper", num(c.shift.upper)}, {"bounded", c.shift.bounded},
                                   {"relative", num(c.shift_rel)}, {"lower_relative", num(c.lower_rel)},
                                   {"upper_relative", num(c.upper_rel)}}},
                        {"threshold", num(c.threshold)}, {"verdict", to_string(c.result)},
                        {"needed_per_side", c.needed_per_side}});
    }
    doc["comparisons"] = rows;
    ordered_json hosts = ordered_json::array(), unmatched = ordered_json::array(), uncompared = ordered_json::array();
    for (const auto& h : r.host_changes)
        hosts.push_back({{"field", h.field}, {"base", h.base_value}, {"new", h.new_value}, {"base_file", h.base_file},
                         {"new_file", h.new_file}});
    for (const auto& u : r.unmatched)
        unmatched.push_back({{"side", u.side}, {"job", u.job}, {"backend", u.backend}, {"workload", u.workload},
                             {"file", u.file}, {"why", u.why}});
    for (const auto& u : r.uncompared)
        uncompared.push_back({{"job", u.job}, {"backend", u.backend}, {"workload", u.workload},
                              {"base_status", u.base_status}, {"new_status", u.new_status}, {"reason", u.reason}});
    doc["host_changes"] = hosts;
    doc["unmatched"] = unmatched;
    doc["not_compared"] = uncompared;
    doc["skipped"] = r.skipped;
    doc["lone_regression_needs_per_side"] = r.lone_regression_needs_per_side;
    doc["busy_neighbour"] = {{"compared_runs", r.compared_runs}, {"base_runs", r.busy_base_runs},
                             {"new_runs", r.busy_new_runs}};
    ordered_json counts;
    for (const verdict v : {verdict::regression, verdict::improvement, verdict::equivalent, verdict::inconclusive,
                            verdict::insufficient})
        counts[std::string(to_string(v))] = count(r, v);
    doc["summary"] = {{"outcome", to_string(outcome_of(r))}, {"verdicts", counts}};
    out << doc.dump(2) << "\n";
}

void write_compare(std::ostream& out, const compare_report& r, compare_format f) {
    switch (f) {
    case compare_format::table: write_compare_table(out, r); return;
    case compare_format::json: write_compare_json(out, r); return;
    case compare_format::markdown: write_compare_markdown(out, r); return;
    }
}

}  // namespace iobench
