// Google Benchmark's JSON (json_schema_version 1), as its JSONReporter writes
// it, so tools/compare.py and dashboards built for it read iobench results.
// One op is one iteration: real_time is wall time per op (1e9 / IOPS, ns),
// cpu_time the process CPU per op; latency percentiles are user counters.
// Each repetition is a run_type "iteration" entry named like its run; with
// more than one, median, mean and stddev "aggregate" entries follow
// (NAME_median ...), as --benchmark_repetitions makes them.
#include "results/exports.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace iobench {

namespace {

using nlohmann::ordered_json;

// What one entry reports; an aggregate holds the same fields over repetitions.
struct figures {
    double real_time = 0, cpu_time = 0, items = 0, bytes = 0, p50 = 0, p99 = 0, p999 = 0, mean = 0;
    uint64_t iterations = 0;
};

figures figures_of(const run_result& r) {
    figures f;
    f.real_time = r.iops > 0 ? 1e9 / r.iops : 0;
    f.cpu_time = r.cpu_per_op_ns;
    f.items = r.iops;
    f.bytes = r.bytes_per_sec;
    f.p50 = static_cast<double>(r.latency.percentile(50));
    f.p99 = static_cast<double>(r.latency.percentile(99));
    f.p999 = static_cast<double>(r.latency.percentile(99.9));
    f.mean = r.latency.mean();
    f.iterations = r.ops;
    return f;
}

void put_figures(ordered_json& j, const figures& f) {
    j["iterations"] = f.iterations;
    j["real_time"] = f.real_time;
    j["cpu_time"] = f.cpu_time;
    j["time_unit"] = "ns";
    j["bytes_per_second"] = f.bytes;
    j["items_per_second"] = f.items;
    j["latency_p50_ns"] = f.p50;
    j["latency_p99_ns"] = f.p99;
    j["latency_p99_9_ns"] = f.p999;
    j["latency_mean_ns"] = f.mean;
}

// median, mean or stddev of one field over the repetitions (stddev: the
// sample standard deviation, n - 1, as Google Benchmark computes it).
double aggregate(std::vector<double> v, const std::string& how) {
    if (v.empty()) return 0;
    const double n = static_cast<double>(v.size());
    double mean = 0;
    for (double x : v) mean += x / n;
    if (how == "mean") return mean;
    if (how == "median") {
        std::sort(v.begin(), v.end());
        const size_t m = v.size() / 2;
        return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
    }
    if (v.size() < 2) return 0;
    double ss = 0;
    for (double x : v) ss += (x - mean) * (x - mean);
    return std::sqrt(ss / (n - 1));
}

figures aggregate_of(const std::vector<figures>& reps, const std::string& how) {
    auto field = [&](double figures::*m) {
        std::vector<double> v;
        for (const figures& f : reps) v.push_back(f.*m);
        return aggregate(std::move(v), how);
    };
    figures a;
    a.real_time = field(&figures::real_time);
    a.cpu_time = field(&figures::cpu_time);
    a.items = field(&figures::items);
    a.bytes = field(&figures::bytes);
    a.p50 = field(&figures::p50);
    a.p99 = field(&figures::p99);
    a.p999 = field(&figures::p999);
    a.mean = field(&figures::mean);
    a.iterations = reps.size();  // as Google Benchmark: an aggregate's iterations are its repetitions
    return a;
}

ordered_json entry_head(const std::string& name, const std::string& run_name, size_t family, const char* type,
                        size_t repetitions) {
    ordered_json j;
    j["name"] = name;
    j["family_index"] = family;
    j["per_family_instance_index"] = 0;
    j["run_name"] = run_name;
    j["run_type"] = type;
    j["repetitions"] = repetitions;
    return j;
}

void add_run(ordered_json& out, const run_context& ctx, const run_result& r, size_t family) {
    const std::string name = export_run_name(ctx, r);
    const unsigned threads = std::max(1u, r.threads);
    std::vector<figures> reps;
    if (r.repetitions.empty()) reps.push_back(figures_of(r));
    for (const run_result& x : r.repetitions)
        if (export_has_measurement(x)) reps.push_back(figures_of(x));
    for (size_t i = 0; i < reps.size(); ++i) {
        ordered_json j = entry_head(name, name, family, "iteration", reps.size());
        j["repetition_index"] = i;
        j["threads"] = threads;
        put_figures(j, reps[i]);
        out.push_back(std::move(j));
    }
    if (reps.size() < 2) return;
    for (const char* how : {"mean", "median", "stddev"}) {
        ordered_json j = entry_head(name + "_" + how, name, family, "aggregate", reps.size());
        j["threads"] = threads;
        j["aggregate_name"] = how;
        j["aggregate_unit"] = "time";
        put_figures(j, aggregate_of(reps, how));
        out.push_back(std::move(j));
    }
}

ordered_json context_of(const std::vector<result_file>& docs) {
    const run_context empty;
    const run_context& c = docs.empty() ? empty : docs.front().context;
    ordered_json j;
    j["date"] = c.started_at;
    j["host_name"] = c.host.hostname;
    j["executable"] = "iobench";
    j["num_cpus"] = c.host.cores;
    j["mhz_per_cpu"] = 0;  // not measured
    j["cpu_scaling_enabled"] = !c.host.cpufreq_governor.empty() && c.host.cpufreq_governor != "performance" &&
                               c.host.cpufreq_governor != "unavailable";
    j["caches"] = ordered_json::array();
    j["load_avg"] = ordered_json::array();
    j["library_build_type"] = "release";
    j["json_schema_version"] = 1;
    // iobench's own, beside Google Benchmark's fields.
    j["iobench_schema"] = schema_name;
    j["kernel"] = c.host.kernel;
    j["cpu_model"] = c.host.cpu_model;
    j["liburing_version"] = c.host.liburing_version;
    return j;
}

}  // namespace

void write_gbench_json(std::ostream& out, const std::vector<result_file>& docs) {
    ordered_json doc;
    doc["context"] = context_of(docs);
    ordered_json benchmarks = ordered_json::array();
    size_t family = 0;
    for (const result_file& d : docs)
        for (const run_result& r : d.results)
            if (export_has_measurement(r)) add_run(benchmarks, d.context, r, family++);
    doc["benchmarks"] = std::move(benchmarks);
    out << doc.dump(2) << '\n';
}

}  // namespace iobench
