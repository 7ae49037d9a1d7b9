// Google Benchmark JSON into the result model: one run per benchmark, its
// "iteration" entries as repetitions (see gbench_reader.hpp).
#include "results/gbench_reader.hpp"

#include "results/repetitions.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string_view>

namespace iobench {

namespace {

using json = nlohmann::ordered_json;

// Google Benchmark appends these to a name for its own settings; they say
// nothing about what was measured.
bool settings_suffix(std::string_view part) {
    for (std::string_view s : {"process_time", "real_time", "manual_time"})
        if (part == s) return true;
    for (std::string_view s : {"threads:", "repeats:", "min_time:", "iterations:", "min_warmup_time:"})
        if (part.starts_with(s)) return true;
    return false;
}

struct benchmark_name {
    std::string workload, backend;
};

// "read_4k_pagecache/qd:32/batch:8/io_uring/process_time/real_time/threads:8"
//   -> workload "read_4k_pagecache/qd:32/batch:8", backend "io_uring".
benchmark_name split_name(const std::string& run_name) {
    std::vector<std::string> parts;
    for (size_t from = 0;;) {
        const size_t at = run_name.find('/', from);
        parts.push_back(run_name.substr(from, at == std::string::npos ? std::string::npos : at - from));
        if (at == std::string::npos) break;
        from = at + 1;
    }
    while (parts.size() > 1 && settings_suffix(parts.back())) parts.pop_back();
    benchmark_name n;
    if (parts.size() == 1) {  // no backend in the name: the whole name is the workload
        n.workload = parts[0];
        return n;
    }
    n.backend = parts.back();
    parts.pop_back();
    for (const std::string& p : parts) n.workload += (n.workload.empty() ? "" : "/") + p;
    return n;
}

// A number field, 0 when absent or not a number (Google Benchmark's NaN, read as null).
double num(const json& b, const char* key) {
    const auto it = b.find(key);
    if (it == b.end() || !it->is_number()) return 0.0;
    // Times, rates and counts are never negative; read as such they would make
    // a run the results schema refuses (a merge or plot of it would fail later).
    const double v = it->get<double>();
    if (v < 0) throw std::runtime_error(std::string("benchmark field '") + key + "' is negative");
    return v;
}

double ns_per_unit(const json& b) {
    const std::string u = b.value("time_unit", "ns");
    if (u == "ns") return 1;
    if (u == "us") return 1e3;
    if (u == "ms") return 1e6;
    if (u == "s") return 1e9;
    throw std::runtime_error("benchmark " + b.value("name", "?") + ": unknown time_unit '" + u + "'");
}

// One "iteration" entry as one repetition.
run_result repetition_of(const json& b) {
    run_result r;
    const double iterations = num(b, "iterations");
    const double real_ns = num(b, "real_time") * ns_per_unit(b);  // per iteration
    const double cpu_ns = num(b, "cpu_time") * ns_per_unit(b);
    // Items per iteration: what items_per_second says, else one per iteration.
    double items = 1;
    if (num(b, "items_per_second") > 0 && real_ns > 0) items = num(b, "items_per_second") * real_ns / 1e9;
    r.duration_s = iterations * real_ns / 1e9;
    r.ops = static_cast<uint64_t>(iterations * items + 0.5);
    r.iops = real_ns > 0 ? items * 1e9 / real_ns : 0;
    r.bytes_per_sec = num(b, "bytes_per_second");
    r.bytes = static_cast<uint64_t>(r.bytes_per_sec * r.duration_s + 0.5);
    r.cpu_per_op_ns = items > 0 ? cpu_ns / items : 0;
    return r;
}

}  // namespace

std::string gbench_nan_as_null(const std::string& text) {
    // The length of a bare NaN/inf value at `v` (after ": "), 0 if there is none;
    // a string value starts with a quote, so text inside strings is never taken.
    auto bare_value = [&](size_t v) -> size_t {
        const size_t sign = v < text.size() && text[v] == '-' ? 1 : 0;
        for (std::string_view tok : {"NaN", "nan", "Infinity", "inf"})
            if (text.compare(v + sign, tok.size(), tok) == 0) return sign + tok.size();
        return 0;
    };
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        if (text.compare(i, 2, ": ") == 0) {
            if (const size_t n = bare_value(i + 2)) {
                out += ": null";
                i += 2 + n;
                continue;
            }
        }
        out += text[i++];
    }
    return out;
}

bool is_gbench_document(const json& doc) {
    return doc.is_object() && !doc.contains("schema") && doc.contains("context") && doc["context"].is_object() &&
           doc.contains("benchmarks") && doc["benchmarks"].is_array();
}

result_file read_gbench(const json& doc) {
    if (!is_gbench_document(doc)) throw std::runtime_error("not a Google Benchmark JSON document (context, benchmarks[])");
    result_file f;
    f.schema = gbench_schema_name;
    const json& c = doc["context"];
    host_facts& h = f.context.host;
    h.hostname = c.value("host_name", "");
    h.kernel = c.value("kernel", "");  // iobench-micro adds it; Google Benchmark itself does not
    h.liburing_version = c.value("liburing", "");
    h.cores = c.value("num_cpus", 0u);
    f.context.started_at = c.value("date", "");
    f.context.command_line = c.value("executable", "");

    // Runs in the order their first entry appears; entries of one run share run_name.
    std::vector<std::string> order;
    std::map<std::string, std::vector<const json*>> entries;
    for (const json& b : doc["benchmarks"]) {
        if (!b.is_object() || !b.contains("name")) throw std::runtime_error("a benchmarks[] entry without a name");
        if (b.value("run_type", "iteration") != "iteration") continue;  // aggregates: ours are computed
        const std::string run = b.value("run_name", b["name"].get<std::string>());
        if (!entries.contains(run)) order.push_back(run);
        entries[run].push_back(&b);
    }
    for (const std::string& run : order) {
        const benchmark_name n = split_name(run);
        std::vector<run_result> reps;
        std::string error;
        for (const json* b : entries[run]) {
            if (b->value("error_occurred", false)) error = b->value("error_message", "error");
            else reps.push_back(repetition_of(*b));
        }
        run_result r;
        if (reps.empty()) {
            r.status = run_status::unsupported;  // SkipWithError: the benchmark's reason, never a number
            r.reason = error;
        } else {
            r = reps.size() == 1 ? std::move(reps.front()) : combine_repetitions(std::move(reps));
        }
        r.backend = n.backend;
        r.workload = n.workload;
        // As a native run carries it: a merge or a rewrite of this file must pass the schema check.
        r.parameters["backend"] = n.backend;
        r.parameters["benchmark"] = run;
        r.parameters["threads"] = static_cast<uint64_t>(std::max(1.0, num(*entries[run].front(), "threads")));
        f.results.push_back(std::move(r));
    }
    if (f.results.empty()) throw std::runtime_error("a Google Benchmark document with no benchmark in it");
    return f;
}

}  // namespace iobench
