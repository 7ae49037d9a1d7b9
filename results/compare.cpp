// The gate: match the runs of two sides, check that their hosts are the same
// class, extract each metric's samples and decide every comparison together.
#include "results/compare.hpp"

#include "results/json_params.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace iobench {

namespace {

constexpr std::array<metric_info, 10> metrics{{
    {metric_id::iops, "iops", better::higher, false},
    {metric_id::bytes_per_sec, "bytes_per_sec", better::higher, false},
    {metric_id::p50, "p50", better::lower, true},
    {metric_id::p90, "p90", better::lower, true},
    {metric_id::p99, "p99", better::lower, true},
    {metric_id::p999, "p99.9", better::lower, true},
    {metric_id::p9999, "p99.99", better::lower, true},
    {metric_id::mean_latency, "mean_latency", better::lower, true},
    {metric_id::max_latency, "max_latency", better::lower, true},
    {metric_id::cpu_per_op, "cpu_per_op", better::lower, false},
}};

double value_of(const run_result& r, metric_id id) {
    switch (id) {
    case metric_id::iops: return r.iops;
    case metric_id::bytes_per_sec: return r.bytes_per_sec;
    case metric_id::p50: return static_cast<double>(r.latency.percentile(50));
    case metric_id::p90: return static_cast<double>(r.latency.percentile(90));
    case metric_id::p99: return static_cast<double>(r.latency.percentile(99));
    case metric_id::p999: return static_cast<double>(r.latency.percentile(99.9));
    case metric_id::p9999: return static_cast<double>(r.latency.percentile(99.99));
    case metric_id::mean_latency: return r.latency.mean();
    case metric_id::max_latency: return static_cast<double>(r.latency.max());
    case metric_id::cpu_per_op: return r.cpu_per_op_ns;
    }
    return 0;
}

bool free_parameter(const std::string& key) {
    return std::find(compare_free_parameters.begin(), compare_free_parameters.end(), key) !=
           compare_free_parameters.end();
}

// A parameter's value as matching sees it: a number is its value, whatever
// JSON type carried it (a file re-formatted by another tool may write 0.0 as 0).
std::string value_text(const param_value& v) {
    double d = 0;
    if (const auto* u = std::get_if<uint64_t>(&v)) return std::to_string(*u);
    if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
    if (const auto* x = std::get_if<double>(&v)) d = *x;
    else return to_json(v).dump();
    if (d == std::floor(d) && std::abs(d) < 9e15) return std::to_string(static_cast<int64_t>(d));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    return buf;
}

bool measured(run_status s) { return s == run_status::ok || s == run_status::suspect; }

// One run of one side, with what it is matched by. The same run in several
// files of one side (rounds of alternating suite runs: BASE/1/, BASE/2/) is
// pooled: its samples are the repetitions of every round.
struct side_run {
    std::vector<const compare_file*> files;
    std::vector<const run_result*> runs;
    std::string loose;  // job, backend, workload
    std::string key;    // ...and the parameters that must be equal
    const run_result& first() const { return *runs.front(); }
    const std::string& job() const { return files.front()->job; }
};

}  // namespace

std::string match_key(const std::string& job, const run_result& r) {
    std::string key = job + '\0' + r.backend + '\0' + r.workload;
    for (const auto& [k, v] : r.parameters)
        if (!free_parameter(k)) key += '\0' + k + '=' + value_text(v);
    return key;
}

namespace {

std::vector<side_run> runs_of(const compare_side& side) {
    std::vector<side_run> out;
    std::map<std::string, size_t> at;
    for (const compare_file& f : side.files) {
        for (const run_result& r : f.file.results) {
            std::string loose = f.job + '\0' + r.backend + '\0' + r.workload, key = match_key(f.job, r);
            const auto [it, fresh] = at.emplace(key, out.size());
            if (fresh) out.push_back({{}, {}, std::move(loose), std::move(key)});
            side_run& s = out[it->second];
            if (!s.files.empty() && s.files.back() == &f)
                throw compare_input_error(f.path + ": " + r.backend + " " + r.workload +
                                          " appears twice with the same parameters");
            s.files.push_back(&f);
            s.runs.push_back(&r);
        }
    }
    return out;
}

// The pooled runs' status: the first that did not measure, else suspect if any is.
// Other processes' CPU over the run (storage: measured per run) or before the
// first run (the preflight's warning, which network runs rely on).
bool busy_neighbour(const side_run& s) {
    for (size_t i = 0; i < s.runs.size(); ++i) {
        if (s.runs[i]->neighbour && s.runs[i]->neighbour->busy) return true;
        for (const auto& w : s.files[i]->file.context.warnings)
            if (w.starts_with("busy neighbour")) return true;
    }
    return false;
}

const run_result* unmeasured(const side_run& s) {
    for (const run_result* r : s.runs)
        if (!measured(r->status)) return r;
    return nullptr;
}

std::string status_of(const side_run& s) {
    if (const run_result* r = unmeasured(s)) return std::string(to_string(r->status));
    for (const run_result* r : s.runs)
        if (r->status == run_status::suspect) return "suspect";
    return "ok";
}

// A benchmark's JSON (Google Benchmark) stores no latency histogram: its
// percentiles are not zero, they are absent, and are not compared.
bool has_latency(const side_run& s) {
    for (const run_result* r : s.runs)
        if (r->latency.count() == 0) return false;
    return true;
}

std::vector<double> pooled_samples(const side_run& s, metric_id m) {
    std::vector<double> out;
    for (const run_result* r : s.runs) {
        const std::vector<double> one = samples_of(*r, m);
        out.insert(out.end(), one.begin(), one.end());
    }
    return out;
}

// "runtime 1 here, 2 there; bs ..." for a run whose twin differs in parameters.
std::string parameter_differences(const parameter_map& a, const parameter_map& b) {
    std::set<std::string> keys;
    for (const auto& [k, v] : a) keys.insert(k);
    for (const auto& [k, v] : b) keys.insert(k);
    std::string out;
    auto text = [](const parameter_map& m, const std::string& k) {
        const auto it = m.find(k);
        return it == m.end() ? std::string("missing") : value_text(it->second);
    };
    for (const auto& k : keys) {
        if (free_parameter(k) || text(a, k) == text(b, k)) continue;
        out += (out.empty() ? "" : ", ") + k + " " + text(a, k) + " vs " + text(b, k);
    }
    return out;
}

void report_unmatched(const std::vector<side_run>& mine, const std::vector<side_run>& theirs,
                      const std::set<std::string>& matched, const char* side, bool base_first,
                      std::vector<unmatched_run>& out) {
    for (const side_run& s : mine) {
        if (matched.count(s.key)) continue;
        unmatched_run u{side, s.job(), s.first().backend, s.first().workload, s.files.front()->path, {}};
        for (const side_run& t : theirs)
            if (t.loose == s.loose && !matched.count(t.key)) {
                const parameter_map &mine_p = s.first().parameters, &their_p = t.first().parameters;
                u.why = "parameters differ: " + (base_first ? parameter_differences(mine_p, their_p)
                                                            : parameter_differences(their_p, mine_p));
                break;
            }
        out.push_back(std::move(u));
    }
}

std::string fingerprint_value(const host_facts& h, std::string_view field) {
    if (field == "kernel") return h.kernel;
    if (field == "cpu_model") return h.cpu_model;
    if (field == "cores") return h.cores ? std::to_string(h.cores) : "";
    if (field == "device") return h.target_device;
    if (field == "filesystem") return h.target_fs;
    if (field == "scheduler") return h.queue_scheduler;
    return h.cpufreq_governor;
}

// A field one side did not record (older files, network runs without a
// target) cannot differ; two recorded values must be equal.
void check_hosts(const compare_file& b, const compare_file& n, std::vector<host_change>& out) {
    for (const auto field : fingerprint_fields) {
        const std::string bv = fingerprint_value(b.file.context.host, field);
        const std::string nv = fingerprint_value(n.file.context.host, field);
        if (bv.empty() || nv.empty() || bv == nv) continue;
        const bool known = std::any_of(out.begin(), out.end(), [&](const host_change& c) {
            return c.field == field && c.base_value == bv && c.new_value == nv;
        });
        if (!known) out.push_back({std::string(field), bv, nv, b.path, n.path});
    }
}

}  // namespace

std::span<const metric_info> compare_metrics() { return metrics; }

std::vector<metric_id> default_compare_metrics() {
    std::vector<metric_id> v(3);
    v[0] = metric_id::iops, v[1] = metric_id::p99, v[2] = metric_id::cpu_per_op;
    return v;
}

const metric_info& info_of(metric_id id) { return metrics[static_cast<size_t>(id)]; }

std::string_view metric_label(metric_id id, bool network) {
    return id == metric_id::iops && network ? "req/s" : info_of(id).name;
}

std::optional<metric_id> parse_metric(std::string_view name) {
    if (name == "req/s" || name == "req_per_sec") return metric_id::iops;
    for (const auto& m : metrics)
        if (m.name == name) return m.id;
    return std::nullopt;
}

std::vector<double> samples_of(const run_result& r, metric_id id) {
    std::vector<double> out;
    for (const run_result& rep : r.repetitions) out.push_back(value_of(rep, id));
    if (r.repetitions.empty()) out.push_back(value_of(r, id));
    return out;
}

compare_report compare_sides(const compare_side& base, const compare_side& fresh, const compare_settings& s) {
    compare_report rep;
    rep.base = base.given;
    rep.fresh = fresh.given;
    rep.settings = s;
    for (const auto* side : {&base, &fresh}) rep.skipped.insert(rep.skipped.end(), side->skipped.begin(), side->skipped.end());
    const std::vector<side_run> b_runs = runs_of(base), n_runs = runs_of(fresh);
    std::map<std::string, const side_run*> by_key;
    for (const side_run& n : n_runs) by_key[n.key] = &n;
    std::set<std::string> matched;
    std::vector<metric_comparison> all;
    const gate_options gate{s.threshold, s.alpha, s.confidence};
    for (const side_run& b : b_runs) {
        const auto it = by_key.find(b.key);
        if (it == by_key.end()) continue;
        const side_run& n = *it->second;
        matched.insert(b.key);
        for (const compare_file* bf : b.files)
            for (const compare_file* nf : n.files) check_hosts(*bf, *nf, rep.host_changes);
        const run_result& br = b.first();
        const run_result *b_bad = unmeasured(b), *n_bad = unmeasured(n);
        if (b_bad || n_bad) {
            rep.uncompared.push_back({b.job(), br.backend, br.workload, status_of(b), status_of(n),
                                      n_bad ? n_bad->reason : b_bad->reason});
            continue;
        }
        ++rep.compared_runs;
        rep.busy_base_runs += busy_neighbour(b);
        rep.busy_new_runs += busy_neighbour(n);
        for (const metric_id m : s.metrics) {
            if (info_of(m).latency && !(has_latency(b) && has_latency(n))) continue;
            const std::vector<double> bs = pooled_samples(b, m), ns = pooled_samples(n, m);
            compare_row row{b.key, b.job(), br.backend, br.workload, m, br.net.has_value(), status_of(b), status_of(n), {}};
            row.c = compare_samples(bs, ns, info_of(m).direction, gate);
            row.c.threshold = s.auto_threshold ? auto_threshold(bs, s.confidence, s.auto_k) : s.threshold;
            rep.rows.push_back(std::move(row));
            all.push_back(rep.rows.back().c);
        }
    }
    if (!rep.host_changes.empty() && !s.allow_host_change) {
        const host_change& c = rep.host_changes.front();
        throw compare_input_error("host " + c.field + " differs: '" + c.base_value + "' in " + c.base_file + ", '" +
                                  c.new_value + "' in " + c.new_file +
                                  " (not a fair comparison; --allow-host-change compares anyway)");
    }
    if (matched.empty())
        throw compare_input_error("nothing to compare: no run of " + base.given + " matches one of " + fresh.given +
                                  " (same job, backend, workload and parameters)");
    if (rep.rows.empty())
        throw compare_input_error("nothing to compare: no run matched between " + base.given + " and " + fresh.given +
                                  " was measured on both sides (" + rep.uncompared.front().backend + ": " +
                                  rep.uncompared.front().base_status + " / " + rep.uncompared.front().new_status + ")");
    report_unmatched(b_runs, n_runs, matched, "base", true, rep.unmatched);
    report_unmatched(n_runs, b_runs, matched, "new", false, rep.unmatched);
    decide(all, gate);
    double best = 1;
    for (size_t i = 0; i < all.size(); ++i) {
        rep.rows[i].c = all[i];
        best = std::min(best, smallest_p(all[i].base_n, all[i].new_n));
    }
    const double m = static_cast<double>(all.size());
    if (best * m >= s.alpha && best < s.alpha) {
        size_t n = 1;
        while (smallest_p(n, n) * m >= s.alpha) ++n;
        rep.lone_regression_needs_per_side = n;
    }
    return rep;
}

size_t count(const compare_report& r, verdict v) {
    return static_cast<size_t>(std::count_if(r.rows.begin(), r.rows.end(), [v](const compare_row& x) { return x.c.result == v; }));
}

compare_outcome outcome_of(const compare_report& r) {
    if (count(r, verdict::regression)) return compare_outcome::regression;
    if (!r.rows.empty() && count(r, verdict::insufficient) == r.rows.size()) return compare_outcome::undecided;
    return compare_outcome::pass;
}

std::string_view to_string(compare_outcome o) {
    switch (o) {
    case compare_outcome::pass: return "pass";
    case compare_outcome::regression: return "regression";
    case compare_outcome::undecided: return "undecided";
    }
    return "?";
}

}  // namespace iobench
