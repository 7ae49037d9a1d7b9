// The results schema as code (the prose is results/SCHEMA.md): one function
// per object, each adding what it finds wrong to a list.
#include "results/schema_check.hpp"

#include "results/histogram.hpp"
#include "results/run_result.hpp"

#include <cmath>
#include <initializer_list>

namespace iobench {

namespace {

using nlohmann::ordered_json;

enum class kind { text, uint, number, boolean, object, array };

// A JSON integer >= 0 (parsed files hold these as unsigned, built documents may not).
bool is_uint(const ordered_json& v) {
    return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
}

class checker {
public:
    std::vector<std::string> problems;

    void fail(const std::string& where, const std::string& what) { problems.push_back(where + ": " + what); }

    // True when j[name] exists and has the kind; otherwise records why not.
    bool has(const ordered_json& j, const std::string& where, const char* name, kind k) {
        const std::string at = where.empty() ? name : where + "." + name;
        const auto it = j.find(name);
        if (it == j.end()) {
            fail(at, "missing");
            return false;
        }
        if (!is(*it, k)) {
            fail(at, std::string("must be ") + kind_name(k) + ", is " + it->type_name());
            return false;
        }
        return true;
    }

    void all(const ordered_json& j, const std::string& where, std::initializer_list<const char*> names, kind k) {
        for (const char* n : names) has(j, where, n, k);
    }

    void one_of(const ordered_json& j, const std::string& where, const char* name,
                std::initializer_list<std::string_view> allowed) {
        if (!has(j, where, name, kind::text)) return;
        const auto& v = j[name].get_ref<const std::string&>();
        for (auto a : allowed)
            if (a == v) return;
        fail(where.empty() ? std::string(name) : where + "." + name, "'" + v + "' is not one of the allowed values");
    }

    void not_negative(const ordered_json& j, const std::string& where, std::initializer_list<const char*> names) {
        for (const char* n : names)
            if (has(j, where, n, kind::number) && j[n].get<double>() < 0) fail(where + "." + n, "must not be negative");
    }

private:
    static bool is(const ordered_json& v, kind k) {
        switch (k) {
        case kind::text: return v.is_string();
        case kind::uint: return is_uint(v);
        case kind::number: return v.is_number();
        case kind::boolean: return v.is_boolean();
        case kind::object: return v.is_object();
        case kind::array: return v.is_array();
        }
        return false;
    }
    static const char* kind_name(kind k) {
        switch (k) {
        case kind::text: return "a string";
        case kind::uint: return "an unsigned integer";
        case kind::number: return "a number";
        case kind::boolean: return "a boolean";
        case kind::object: return "an object";
        case kind::array: return "an array";
        }
        return "?";
    }
};

void check_parameters(checker& c, const ordered_json& p, const std::string& where, bool v1) {
    for (const auto& [k, v] : p.items()) {
        if (v1 ? !v.is_string() : !(v.is_null() || v.is_boolean() || v.is_number() || v.is_string()))
            c.fail(where + "." + k, v1 ? "iobench/1 parameters are strings" : "must be null, a boolean, a number or a string");
    }
}

void check_host(checker& c, const ordered_json& h) {
    c.all(h, "host", {"hostname", "kernel", "cpu_model", "liburing_version"}, kind::text);
    c.has(h, "host", "cores", kind::uint);
    for (const char* n : {"target", "filesystem", "device"})
        if (h.contains(n)) c.has(h, "host", n, kind::text);
    // iobench/3 additions: all or none (a writer that has one has them all).
    if (!h.contains("glibc_version")) return;
    c.all(h, "host", {"libaio_version", "glibc_version"}, kind::text);
    c.has(h, "host", "cpus_online", kind::uint);
    if (c.has(h, "host", "cpufreq", kind::object)) c.all(h["cpufreq"], "host.cpufreq", {"governor", "boost"}, kind::text);
    if (h.contains("queue") && c.has(h, "host", "queue", kind::object))
        c.all(h["queue"], "host.queue", {"scheduler", "rotational", "io_poll", "nr_requests"}, kind::text);
}

// iobench/3 additions to a storage run, where present.
void check_run_samples(checker& c, const ordered_json& r, const std::string& where) {
    if (r.contains("target_cached_fraction") && c.has(r, where, "target_cached_fraction", kind::number)) {
        const double f = r["target_cached_fraction"].get<double>();
        if (f < 0 || f > 1) c.fail(where + ".target_cached_fraction", "must be between 0 and 1");
    }
    if (r.contains("neighbour_busy") && c.has(r, where, "neighbour_busy", kind::object)) {
        c.not_negative(r["neighbour_busy"], where + ".neighbour_busy", {"cpu_fraction"});
        c.has(r["neighbour_busy"], where + ".neighbour_busy", "busy", kind::boolean);
    }
}

void check_latency(checker& c, const ordered_json& l, const std::string& where) {
    static constexpr const char* order[] = {"min", "p50", "p90", "p99", "p99.9", "p99.99", "max"};
    bool typed = true;
    for (const char* n : order) typed = c.has(l, where, n, kind::uint) && typed;
    typed = c.has(l, where, "mean", kind::number) && typed;
    if (!typed) return;
    for (size_t i = 1; i < std::size(order); ++i)
        if (l[order[i - 1]].get<uint64_t>() > l[order[i]].get<uint64_t>())
            c.fail(where, std::string(order[i - 1]) + " is above " + order[i]);
    const double mean = l["mean"].get<double>();
    if (l["max"].get<uint64_t>() > 0 &&
        (mean < static_cast<double>(l["min"].get<uint64_t>()) || mean > static_cast<double>(l["max"].get<uint64_t>())))
        c.fail(where + ".mean", "outside [min, max]");
}

void check_histogram(checker& c, const ordered_json& h, const std::string& where) {
    c.one_of(h, where, "unit", {"ns"});
    if (c.has(h, where, "sub_buckets", kind::uint) && h["sub_buckets"].get<uint64_t>() != histogram::sub_count)
        c.fail(where + ".sub_buckets", "must be " + std::to_string(histogram::sub_count));
    const bool sums = c.has(h, where, "count", kind::uint) & c.has(h, where, "overflow", kind::uint);
    c.has(h, where, "sum", kind::uint);
    if (!c.has(h, where, "buckets", kind::array)) return;
    uint64_t total = 0;
    int64_t last = -1;
    for (size_t i = 0; i < h["buckets"].size(); ++i) {
        const auto& b = h["buckets"][i];
        const std::string at = where + ".buckets[" + std::to_string(i) + "]";
        if (!b.is_array() || b.size() != 2 || !is_uint(b[0]) || !is_uint(b[1])) {
            c.fail(at, "must be [bucket index, count], two unsigned integers");
            continue;
        }
        const auto idx = b[0].get<uint64_t>(), n = b[1].get<uint64_t>();
        if (idx >= histogram::bucket_count) c.fail(at, "bucket index beyond " + std::to_string(histogram::bucket_count - 1));
        if (static_cast<int64_t>(idx) <= last) c.fail(at, "bucket indices must increase");
        if (n == 0) c.fail(at, "empty buckets are left out");
        last = static_cast<int64_t>(idx);
        total += n;
    }
    if (sums && total + h["overflow"].get<uint64_t>() != h["count"].get<uint64_t>())
        c.fail(where, "bucket counts plus overflow differ from count");
}

void check_cpu_pair(checker& c, const ordered_json& j, const std::string& where, const char* name, const char* per) {
    if (!c.has(j, where, name, kind::object)) return;
    c.all(j[name], where + "." + name, {"user_s", "sys_s", per}, kind::number);
}

// The iobench/3 parts of `cpu`, checked when present: by_thread (every class,
// the classes adding up to the total), residue, context switches, per_op.
void check_cpu_detail(checker& c, const ordered_json& j, const std::string& where) {
    if (!j.contains("by_thread")) return;
    if (c.has(j, where, "by_thread", kind::object)) {
        const std::string at = where + ".by_thread";
        double user = 0, sys = 0;
        for (const char* name : {"harness", "iou-sqp", "iou-wrk", "aio-helpers", "load", "other"}) {
            if (!c.has(j["by_thread"], at, name, kind::object)) continue;
            const auto& k = j["by_thread"][name];
            const std::string kat = at + "." + name;
            c.all(k, kat, {"user_s", "sys_s"}, kind::number);
            c.all(k, kat, {"threads", "voluntary_cs", "involuntary_cs"}, kind::uint);
            if (k.contains("user_s") && k["user_s"].is_number()) user += k["user_s"].get<double>();
            if (k.contains("sys_s") && k["sys_s"].is_number()) sys += k["sys_s"].get<double>();
        }
        // Written as the classes' sum with the residue folded in: equal up to rounding.
        if (j.contains("user_s") && j["user_s"].is_number() && j.contains("sys_s") && j["sys_s"].is_number()) {
            const double total = j["user_s"].get<double>() + j["sys_s"].get<double>();
            if (std::abs(user + sys - total) > 1e-6 + 1e-9 * std::abs(total))
                c.fail(at, "the classes do not add up to user_s + sys_s");
        }
    }
    if (c.has(j, where, "residue", kind::object)) {
        c.all(j["residue"], where + ".residue", {"user_s", "sys_s"}, kind::number);
        c.one_of(j["residue"], where + ".residue", "in", {"harness", "iou-sqp", "iou-wrk", "aio-helpers", "load", "other"});
    }
    c.all(j, where, {"voluntary_cs", "involuntary_cs"}, kind::uint);
    if (c.has(j, where, "per_op", kind::object)) {
        const auto& p = j["per_op"];
        c.not_negative(p, where + ".per_op", {"voluntary_cs", "involuntary_cs"});
        if (p.contains("submit_calls") || p.contains("reap_calls") || p.contains("enter_calls")) {
            c.not_negative(p, where + ".per_op", {"submit_calls", "reap_calls", "enter_calls"});
            c.not_negative(j, where, {"cqes_per_enter"});
        }
    }
}

void check_network(checker& c, const ordered_json& n, const std::string& where) {
    c.one_of(n, where, "side", {"both", "server", "load"});
    c.all(n, where, {"mode", "target", "client_backend", "client_setup"}, kind::text);
    c.all(n, where, {"connections", "live_connections", "reconnects", "msg_size", "bytes_sent", "bytes_received"},
          kind::uint);
    c.not_negative(n, where, {"target_rate", "achieved_rate", "gbit_per_sec"});
    check_cpu_pair(c, n, where, "client_cpu", "per_gb_s");
    check_cpu_pair(c, n, where, "server_cpu", "per_gb_s");
    if (c.has(n, where, "server", kind::object))
        c.all(n["server"], where + ".server", {"accepted", "requests", "bytes_in", "bytes_out", "errors"}, kind::uint);
}

// iobench/4: an interval's sparse histogram, [index, count] pairs in index
// order, counting no more ops than the interval completed.
void check_interval_histogram(checker& c, const ordered_json& p, const std::string& at) {
    if (!c.has(p, at, "histogram", kind::array) || !c.has(p, at, "min_ns", kind::uint)) return;
    uint64_t sum = 0;
    int64_t last = -1;
    for (const auto& b : p["histogram"]) {
        if (!b.is_array() || b.size() != 2 || !is_uint(b[0]) || !is_uint(b[1]) ||
            b[0].get<uint64_t>() >= histogram::bucket_count) {
            c.fail(at + ".histogram", "every bucket is [index below " + std::to_string(histogram::bucket_count) + ", count]");
            return;
        }
        if (static_cast<int64_t>(b[0].get<uint64_t>()) <= last) {
            c.fail(at + ".histogram", "bucket indexes must rise");
            return;
        }
        last = static_cast<int64_t>(b[0].get<uint64_t>());
        sum += b[1].get<uint64_t>();
    }
    if (is_uint(p["ops"]) && sum > p["ops"].get<uint64_t>()) c.fail(at + ".histogram", "counts more ops than the interval's `ops`");
    if (is_uint(p["p50_ns"]) && p["min_ns"].get<uint64_t>() > p["p50_ns"].get<uint64_t>())
        c.fail(at, "min_ns <= p50_ns does not hold");
}

// iobench/3: each interval of a timeline, in time order.
void check_timeline(checker& c, const ordered_json& t, const std::string& where) {
    double last = -1;
    for (size_t i = 0; i < t.size(); ++i) {
        const std::string at = where + "[" + std::to_string(i) + "]";
        const auto& p = t[i];
        if (!p.is_object()) {
            c.fail(at, "must be an object");
            continue;
        }
        bool typed = true;
        for (const char* n : {"ops", "bytes", "p50_ns", "p99_ns", "max_ns"}) typed = c.has(p, at, n, kind::uint) && typed;
        c.not_negative(p, at, {"t_s", "dur_s", "inflight_mean"});
        if (!typed) continue;
        if (p.contains("histogram") || p.contains("min_ns")) check_interval_histogram(c, p, at);
        if (p["p50_ns"].get<uint64_t>() > p["p99_ns"].get<uint64_t>() || p["p99_ns"].get<uint64_t>() > p["max_ns"].get<uint64_t>())
            c.fail(at, "p50_ns <= p99_ns <= max_ns does not hold");
        if (p.contains("t_s") && p["t_s"].is_number()) {
            if (p["t_s"].get<double>() < last) c.fail(at + ".t_s", "intervals must be in time order");
            last = p["t_s"].get<double>();
        }
    }
}

void check_checks(checker& c, const ordered_json& k, const std::string& where) {
    c.has(k, where, "negative_latencies", kind::uint);
    c.all(k, where, {"percentiles_ordered", "censored_moves_p99"}, kind::boolean);
    if (!k.contains("littles_law")) return;
    if (!c.has(k, where, "littles_law", kind::object)) return;
    const auto& l = k["littles_law"];
    c.not_negative(l, where + ".littles_law", {"inflight_mean", "iops_x_latency", "ratio"});
    c.has(l, where + ".littles_law", "ok", kind::boolean);
}

void check_spread(checker& c, const ordered_json& s, const std::string& where) {
    for (const char* n : {"iops", "bytes_per_sec", "p50", "p99", "cpu_per_op"}) {
        if (!c.has(s, where, n, kind::object)) continue;
        const std::string at = where + "." + n;
        const auto& x = s[n];
        c.not_negative(x, at, {"min", "max", "cv"});
        if (x.contains("min") && x.contains("max") && x["min"].is_number() && x["max"].is_number() &&
            x["min"].get<double>() > x["max"].get<double>())
            c.fail(at, "min is above max");
    }
}

// The iobench/3 objects a run and each repetition may carry.
void check_v3_fields(checker& c, const ordered_json& r, const std::string& where) {
    if (r.contains("inflight_at_end") && c.has(r, where, "inflight_at_end", kind::object))
        c.all(r["inflight_at_end"], where + ".inflight_at_end", {"count", "oldest_ns"}, kind::uint);
    if (r.contains("checks") && c.has(r, where, "checks", kind::object)) check_checks(c, r["checks"], where + ".checks");
    if (r.contains("achieved") && c.has(r, where, "achieved", kind::object)) {
        const auto& a = r["achieved"];
        const std::string at = where + ".achieved";
        c.not_negative(a, at, {"iodepth_requested", "iodepth_mean", "iodepth_p50", "rate_requested", "rate"});
        c.all(a, at, {"connections_requested", "connections_live"}, kind::uint);
        if (c.has(a, at, "below_request", kind::array))
            for (const auto& b : a["below_request"])
                if (!b.is_string()) c.fail(at + ".below_request", "every entry is a string");
    }
    if (r.contains("steady_state") && c.has(r, where, "steady_state", kind::object)) {
        const auto& s = r["steady_state"];
        c.has(s, where + ".steady_state", "reached", kind::boolean);
        c.not_negative(s, where + ".steady_state", {"at_s"});
        c.has(s, where + ".steady_state", "criterion", kind::text);
    }
    if (r.contains("timeline") && c.has(r, where, "timeline", kind::array)) check_timeline(c, r["timeline"], where + ".timeline");
    if (r.contains("latency_ns") && r["latency_ns"].is_object() && r["latency_ns"].contains("censored"))
        c.has(r["latency_ns"], where + ".latency_ns", "censored", kind::uint);
}

// What a run (and each repetition) measured.
void check_measured(checker& c, const ordered_json& r, const std::string& where, bool v3) {
    c.all(r, where, {"ops", "bytes", "errors", "read_ops", "write_ops", "fsyncs"}, kind::uint);
    c.not_negative(r, where, {"duration_s", "iops", "bytes_per_sec", "achieved_iodepth"});
    if (c.has(r, where, "latency_ns", kind::object)) check_latency(c, r["latency_ns"], where + ".latency_ns");
    if (c.has(r, where, "cpu", kind::object)) {
        c.not_negative(r["cpu"], where + ".cpu", {"user_s", "sys_s", "per_op_ns"});
        check_cpu_detail(c, r["cpu"], where + ".cpu");
    }
    if (c.has(r, where, "counters", kind::object))
        for (const auto& [k, v] : r["counters"].items())
            if (!is_uint(v)) c.fail(where + ".counters." + k, "must be an unsigned integer");
    if (c.has(r, where, "histogram", kind::object)) check_histogram(c, r["histogram"], where + ".histogram");
    if (v3) check_v3_fields(c, r, where);
}

// transfer (optional, any schema version that has it): --workload transfer runs.
void check_transfer(checker& c, const ordered_json& t, const std::string& where) {
    c.all(t, where, {"method", "cache", "syscalls_counted"}, kind::text);
    c.one_of(t, where, "cache", {"warm", "cold"});
    c.has(t, where, "direct", kind::boolean);
    c.all(t, where, {"file_size", "chunk", "receivers", "bytes", "syscalls"}, kind::uint);
    c.not_negative(t, where, {"gbit_per_sec", "syscalls_per_mb"});
    c.has(t, where, "cached_fraction", kind::number);
    if (c.has(t, where, "sender_cpu", kind::object))
        c.not_negative(t["sender_cpu"], where + ".sender_cpu", {"user_s", "sys_s", "user_s_per_gb", "sys_s_per_gb"});
    if (c.has(t, where, "receiver_cpu", kind::object)) c.not_negative(t["receiver_cpu"], where + ".receiver_cpu", {"user_s", "sys_s"});
    if (t.contains("zerocopy") && c.has(t, where, "zerocopy", kind::object))
        c.all(t["zerocopy"], where + ".zerocopy", {"bytes_zero_copied", "bytes_copied"}, kind::uint);
}

void check_result(checker& c, const ordered_json& r, const std::string& where, bool v1, bool v3) {
    if (!r.is_object()) {
        c.fail(where, "must be an object");
        return;
    }
    c.all(r, where, {"backend", "workload", "reason", "setup"}, kind::text);
    if (v1) c.one_of(r, where, "status", {"ok", "unsupported", "error"});
    else c.one_of(r, where, "status", {"ok", "unsupported", "error", "suspect", "interrupted"});
    const auto status = r.find("status"), reason = r.find("reason");
    if (v3 && status != r.end() && *status == "suspect" && reason != r.end() && *reason == "")
        c.fail(where + ".reason", "a suspect run says why");
    if (c.has(r, where, "notes", kind::array))
        for (const auto& n : r["notes"])
            if (!n.is_string()) c.fail(where + ".notes", "every note is a string");
    if (!v1 && c.has(r, where, "parameters", kind::object)) {
        check_parameters(c, r["parameters"], where + ".parameters", false);
        const auto b = r["parameters"].find("backend");
        if (b == r["parameters"].end() || (r.contains("backend") && *b != r["backend"]))
            c.fail(where + ".parameters.backend", "must name this run's backend");
    }
    c.has(r, where, "threads", kind::uint);
    check_measured(c, r, where, v3);
    if (r.contains("network")) {
        if (c.has(r, where, "network", kind::object)) check_network(c, r["network"], where + ".network");
    }
    if (r.contains("transfer") && c.has(r, where, "transfer", kind::object))
        check_transfer(c, r["transfer"], where + ".transfer");
    check_run_samples(c, r, where);
    if (!v3) return;
    if (r.contains("repetitions") && c.has(r, where, "repetitions", kind::array)) {
        if (!r.contains("spread")) c.fail(where + ".spread", "missing (a run with repetitions has a spread)");
        const auto& reps = r["repetitions"];
        for (size_t i = 0; i < reps.size(); ++i) {
            const std::string at = where + ".repetitions[" + std::to_string(i) + "]";
            if (!reps[i].is_object()) {
                c.fail(at, "must be an object");
                continue;
            }
            c.one_of(reps[i], at, "status", {"ok", "unsupported", "error", "suspect", "interrupted"});
            c.has(reps[i], at, "reason", kind::text);
            check_measured(c, reps[i], at, true);
        }
    }
    if (r.contains("spread") && c.has(r, where, "spread", kind::object)) check_spread(c, r["spread"], where + ".spread");
}

// A merged file (iobench merge): merge_mode and merged_from come together.
void check_merge(checker& c, const ordered_json& doc) {
    if (!doc.contains("merge_mode") && !doc.contains("merged_from")) return;
    c.one_of(doc, "", "merge_mode", {"concurrent", "repetitions"});
    if (!c.has(doc, "", "merged_from", kind::array)) return;
    if (doc["merged_from"].empty()) c.fail("merged_from", "a merged file names at least one input");
    for (size_t i = 0; i < doc["merged_from"].size(); ++i) {
        const auto& m = doc["merged_from"][i];
        const std::string at = "merged_from[" + std::to_string(i) + "]";
        if (!m.is_object()) {
            c.fail(at, "must be an object");
            continue;
        }
        c.all(m, at, {"file", "started_at", "command_line"}, kind::text);
        if (c.has(m, at, "host", kind::object)) {  // the host's own fields, as at the top
            c.all(m["host"], at + ".host", {"hostname", "kernel", "cpu_model", "liburing_version"}, kind::text);
            c.has(m["host"], at + ".host", "cores", kind::uint);
        }
        if (c.has(m, at, "parameters", kind::object)) check_parameters(c, m["parameters"], at + ".parameters", false);
    }
}

}  // namespace

std::vector<std::string> check_results_schema(const ordered_json& doc) {
    checker c;
    if (!doc.is_object()) {
        c.fail("document", "must be a JSON object");
        return c.problems;
    }
    c.one_of(doc, "", "schema", {schema_v1_name, schema_v2_name, schema_v3_name, schema_name});
    if (!c.problems.empty()) return c.problems;  // an unknown schema: nothing else can be checked
    const bool v1 = doc["schema"] == schema_v1_name;
    const bool v3 = doc["schema"] == schema_name || doc["schema"] == schema_v3_name;  // iobench/3 or later
    c.all(doc, "", {"started_at", "command_line"}, kind::text);
    if (doc.contains("job") && c.has(doc, "", "job", kind::text) && doc["job"].get<std::string>().empty())
        c.fail("job", "must name the suite job (absent outside a suite)");
    check_merge(c, doc);
    if (c.has(doc, "", "host", kind::object)) check_host(c, doc["host"]);
    if (c.has(doc, "", "parameters", kind::object)) check_parameters(c, doc["parameters"], "parameters", v1);
    if (doc.contains("warnings") && c.has(doc, "", "warnings", kind::array))
        for (const auto& w : doc["warnings"])
            if (!w.is_string()) c.fail("warnings", "every warning is a string");
    if (c.has(doc, "", "results", kind::array))
        for (size_t i = 0; i < doc["results"].size(); ++i)
            check_result(c, doc["results"][i], "results[" + std::to_string(i) + "]", v1, v3);
    return c.problems;
}

std::vector<std::string> check_results_text(std::string_view text) {
    ordered_json doc;
    try {
        doc = ordered_json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        return {std::string("not JSON: ") + e.what()};
    }
    return check_results_schema(doc);
}

}  // namespace iobench
