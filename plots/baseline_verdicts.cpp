// Verdicts against a baseline from the runs' repetitions (plots/baseline_verdicts.hpp).
#include "plots/baseline_verdicts.hpp"

#include "plots/run_facts.hpp"

#include <cstdio>

namespace iobench::plots {

namespace {

struct metric {
    const char* name;
    better direction;
    double (*of)(const run_result&);
};

const metric metrics[] = {
    {"rate", better::higher, [](const run_result& r) { return r.iops; }},
    {"p99", better::lower, [](const run_result& r) { return static_cast<double>(r.latency.percentile(99)); }},
    {"CPU/op", better::lower, [](const run_result& r) { return r.cpu_per_op_ns; }},
};

// One value per repetition, or the run's own when it had none.
std::vector<double> samples(const run_result& r, const metric& m) {
    std::vector<double> out;
    for (const auto& rep : r.repetitions) out.push_back(m.of(rep));
    if (out.empty()) out.push_back(m.of(r));
    return out;
}

std::string match_key(const run_result& r) {
    std::string k = r.workload + "|" + r.backend;
    for (const auto& s : sweep_keys)
        if (const auto it = r.parameters.find(s); it != r.parameters.end()) {
            k += '|';
            k += param_text(it->second, s);
        }
    return k;
}

}  // namespace

std::vector<forest_row> compare_with_baseline(const std::vector<plot_run>& base, const std::vector<plot_run>& fresh,
                                              const gate_options& o) {
    std::vector<forest_row> rows;
    for (const auto& n : fresh) {
        if (n.run->status != run_status::ok && n.run->status != run_status::suspect) continue;
        for (const auto& b : base) {
            if (match_key(*b.run) != match_key(*n.run) || b.run->status == run_status::unsupported ||
                b.run->status == run_status::error)
                continue;
            for (const auto& m : metrics) {
                const auto xs = samples(*b.run, m), ys = samples(*n.run, m);
                const std::string name = m.name == std::string("rate") ? rate_unit(*n.run) : m.name;
                rows.push_back({n, name, compare_samples(xs, ys, m.direction, o)});
            }
            break;
        }
    }
    std::vector<metric_comparison> all;
    for (const auto& r : rows) all.push_back(r.cmp);
    decide(all, o);
    for (size_t i = 0; i < rows.size(); ++i) rows[i].cmp = all[i];
    return rows;
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
