// The reader for native results files: schema check, then field by field into
// the model. Derived values (percentiles, per_gb_s) are not read: they come
// back from the histogram and the byte counts.
#include "results/json_reader.hpp"

#include "results/gbench_reader.hpp"
#include "results/json_params.hpp"
#include "results/schema_check.hpp"

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace iobench {

namespace {

using nlohmann::ordered_json;

parameter_map parameters_of(const ordered_json& j, bool v1) {
    parameter_map m;
    for (const auto& [k, v] : j.items())
        m[k] = v1 ? param_from_v1_text(v.get<std::string>()) : param_from_json(v);
    return m;
}

cpu_usage cpu_of(const ordered_json& j) { return {j["user_s"].get<double>(), j["sys_s"].get<double>()}; }

histogram histogram_of(const ordered_json& h, const ordered_json& latency) {
    histogram out;
    const auto count = h["count"].get<uint64_t>();
    if (count == 0) return out;  // an empty histogram keeps its "no minimum yet" state
    for (const auto& b : h["buckets"]) out.set_bucket(b[0].get<unsigned>(), b[1].get<uint64_t>());
    const auto sum = h["sum"].get<uint64_t>(), min = latency["min"].get<uint64_t>(), max = latency["max"].get<uint64_t>();
    // The mean (sum / count) written back must lie in [min, max], or the file
    // this reading makes fails the schema check.
    const long double mean = static_cast<long double>(sum) / static_cast<long double>(count);
    if (mean < static_cast<long double>(min) || mean > static_cast<long double>(max))
        throw std::runtime_error("histogram: sum / count is outside latency_ns [min, max]");
    out.set_summary(count, sum, min, max, h["overflow"].get<uint64_t>());
    return out;
}

// The iobench/3 parts of `cpu`, when the file has them.
cpu_breakdown cpu_detail_of(const ordered_json& j) {
    cpu_breakdown d;
    if (!j.contains("by_thread")) return d;
    d.measured = true;
    for (const auto& [name, c] : j["by_thread"].items())
        d.by_thread.push_back({name, cpu_of(c), c["threads"].get<unsigned>(), c["voluntary_cs"].get<uint64_t>(),
                               c["involuntary_cs"].get<uint64_t>()});
    d.residue = cpu_of(j["residue"]);
    d.residue_in = j["residue"]["in"].get<std::string>();
    d.voluntary_cs = j["voluntary_cs"].get<uint64_t>();
    d.involuntary_cs = j["involuntary_cs"].get<uint64_t>();
    const auto& p = j["per_op"];
    d.per_op_voluntary_cs = p["voluntary_cs"].get<double>();
    d.per_op_involuntary_cs = p["involuntary_cs"].get<double>();
    d.calls_measured = p.contains("submit_calls");
    if (d.calls_measured) {
        d.per_op_submit_calls = p["submit_calls"].get<double>();
        d.per_op_reap_calls = p["reap_calls"].get<double>();
        d.per_op_enter_calls = p["enter_calls"].get<double>();
        d.cqes_per_enter = j["cqes_per_enter"].get<double>();
    }
    return d;
}

net_facts network_of(const ordered_json& j) {
    net_facts n;
    n.side = j["side"].get<std::string>();
    n.mode = j["mode"].get<std::string>();
    n.target = j["target"].get<std::string>();
    n.client_backend = j["client_backend"].get<std::string>();
    n.client_setup = j["client_setup"].get<std::string>();
    n.connections = j["connections"].get<unsigned>();
    n.live_connections = j["live_connections"].get<unsigned>();
    n.reconnects = j["reconnects"].get<uint64_t>();
    n.msg_size = j["msg_size"].get<uint32_t>();
    n.target_rate = j["target_rate"].get<double>();
    n.achieved_rate = j["achieved_rate"].get<double>();
    n.bytes_sent = j["bytes_sent"].get<uint64_t>();
    n.bytes_received = j["bytes_received"].get<uint64_t>();
    n.gbit_per_sec = j["gbit_per_sec"].get<double>();
    n.client_cpu = cpu_of(j["client_cpu"]);
    n.server_cpu = cpu_of(j["server_cpu"]);
    const auto& s = j["server"];
    n.server_accepted = s["accepted"].get<uint64_t>();
    n.server_requests = s["requests"].get<uint64_t>();
    n.server_bytes_in = s["bytes_in"].get<uint64_t>();
    n.server_bytes_out = s["bytes_out"].get<uint64_t>();
    n.server_errors = s["errors"].get<uint64_t>();
    return n;
}

transfer_facts transfer_of(const ordered_json& j) {
    transfer_facts t;
    t.method = j["method"].get<std::string>();
    t.cache = j["cache"].get<std::string>();
    t.direct = j["direct"].get<bool>();
    t.file_size = j["file_size"].get<uint64_t>();
    t.chunk = j["chunk"].get<uint32_t>();
    t.receivers = j["receivers"].get<unsigned>();
    t.bytes = j["bytes"].get<uint64_t>();
    t.gbit_per_sec = j["gbit_per_sec"].get<double>();
    t.cached_fraction = j["cached_fraction"].get<double>();
    const auto& s = j["sender_cpu"];
    t.sender_cpu = {s["user_s"].get<double>(), s["sys_s"].get<double>()};
    t.sender_user_s_per_gb = s["user_s_per_gb"].get<double>();
    t.sender_sys_s_per_gb = s["sys_s_per_gb"].get<double>();
    t.receiver_cpu = {j["receiver_cpu"]["user_s"].get<double>(), j["receiver_cpu"]["sys_s"].get<double>()};
    t.syscalls = j["syscalls"].get<uint64_t>();
    t.syscalls_per_mb = j["syscalls_per_mb"].get<double>();
    t.syscalls_counted = j["syscalls_counted"].get<std::string>();
    if (j.contains("zerocopy")) {
        t.zerocopy_reported = true;
        t.bytes_zero_copied = j["zerocopy"]["bytes_zero_copied"].get<uint64_t>();
        t.bytes_copied = j["zerocopy"]["bytes_copied"].get<uint64_t>();
    }
    return t;
}

spread_stat spread_stat_of(const ordered_json& j) {
    return {j["min"].get<double>(), j["max"].get<double>(), j["cv"].get<double>()};
}

// The iobench/3 additions, where the document has them.
void read_v3_fields(const ordered_json& j, run_result& r) {
    if (j.contains("inflight_at_end")) {
        const auto& e = j["inflight_at_end"];
        r.at_end = inflight_at_end{e["count"].get<uint64_t>(), e["oldest_ns"].get<uint64_t>()};
    }
    if (j.contains("checks")) {
        const auto& c = j["checks"];
        run_checks& k = r.checks.emplace();
        if (c.contains("littles_law")) {
            const auto& l = c["littles_law"];
            k.littles_law = littles_law_check{l["inflight_mean"].get<double>(), l["iops_x_latency"].get<double>(),
                                              l["ratio"].get<double>(), l["ok"].get<bool>()};
        }
        k.negative_latencies = c["negative_latencies"].get<uint64_t>();
        k.percentiles_ordered = c["percentiles_ordered"].get<bool>();
        k.censored_moves_p99 = c["censored_moves_p99"].get<bool>();
    }
    if (j.contains("achieved")) {
        const auto& a = j["achieved"];
        achieved_facts& f = r.achieved.emplace();
        f.iodepth_requested = a["iodepth_requested"].get<double>();
        f.iodepth_mean = a["iodepth_mean"].get<double>();
        f.iodepth_p50 = a["iodepth_p50"].get<double>();
        f.rate_requested = a["rate_requested"].get<double>();
        f.rate = a["rate"].get<double>();
        f.connections_requested = a["connections_requested"].get<unsigned>();
        f.connections_live = a["connections_live"].get<unsigned>();
        f.below_request = a["below_request"].get<std::vector<std::string>>();
    }
    if (j.contains("steady_state")) {
        const auto& s = j["steady_state"];
        r.steady_state = steady_state_result{s["reached"].get<bool>(), s["at_s"].get<double>(),
                                             s["criterion"].get<std::string>()};
    }
    if (j.contains("timeline"))
        for (const auto& p : j["timeline"]) {
            timeline_point t{p["t_s"].get<double>(),    p["dur_s"].get<double>(),  p["ops"].get<uint64_t>(),
                             p["bytes"].get<uint64_t>(), p["p50_ns"].get<uint64_t>(), p["p99_ns"].get<uint64_t>(),
                             p["max_ns"].get<uint64_t>(), p["inflight_mean"].get<double>()};
            if (p.contains("histogram")) {  // iobench/4
                t.has_histogram = true;
                t.min_ns = p["min_ns"].get<uint64_t>();
                for (const auto& b : p["histogram"]) t.histogram.emplace_back(b[0].get<uint32_t>(), b[1].get<uint64_t>());
            }
            r.timeline.push_back(std::move(t));
        }
}

// What a run and each of its repetitions measured.
void read_measured(const ordered_json& j, run_result& r) {
    r.ops = j["ops"].get<uint64_t>();
    r.bytes = j["bytes"].get<uint64_t>();
    r.errors = j["errors"].get<uint64_t>();
    r.read_ops = j["read_ops"].get<uint64_t>();
    r.write_ops = j["write_ops"].get<uint64_t>();
    r.fsyncs = j["fsyncs"].get<uint64_t>();
    r.duration_s = j["duration_s"].get<double>();
    r.iops = j["iops"].get<double>();
    r.bytes_per_sec = j["bytes_per_sec"].get<double>();
    r.latency = histogram_of(j["histogram"], j["latency_ns"]);
    r.censored = j["latency_ns"].value("censored", uint64_t{0});
    r.cpu = cpu_of(j["cpu"]);
    r.cpu_per_op_ns = j["cpu"]["per_op_ns"].get<double>();
    r.cpu_detail = cpu_detail_of(j["cpu"]);
    r.achieved_iodepth = j["achieved_iodepth"].get<double>();
    for (const auto& [k, v] : j["counters"].items()) r.counters.push_back({k, v.get<uint64_t>()});
    read_v3_fields(j, r);
}

// The iobench/3 host facts, where the file has them.
void read_host_v3(const ordered_json& h, host_facts& host) {
    if (!h.contains("glibc_version")) return;
    host.libaio_version = h["libaio_version"].get<std::string>();
    host.glibc_version = h["glibc_version"].get<std::string>();
    host.cpus_online = h["cpus_online"].get<unsigned>();
    host.cpufreq_governor = h["cpufreq"]["governor"].get<std::string>();
    host.cpufreq_boost = h["cpufreq"]["boost"].get<std::string>();
    if (!h.contains("queue")) return;
    const auto& q = h["queue"];
    host.queue_scheduler = q["scheduler"].get<std::string>();
    host.queue_rotational = q["rotational"].get<std::string>();
    host.queue_io_poll = q["io_poll"].get<std::string>();
    host.queue_nr_requests = q["nr_requests"].get<std::string>();
}

// A file's host, and a merged file's input hosts (merged_from[].host).
host_facts host_of(const ordered_json& h) {
    host_facts host;
    host.hostname = h["hostname"].get<std::string>();
    host.kernel = h["kernel"].get<std::string>();
    host.cpu_model = h["cpu_model"].get<std::string>();
    host.cores = h["cores"].get<unsigned>();
    host.liburing_version = h["liburing_version"].get<std::string>();
    host.target_path = h.value("target", "");
    host.target_fs = h.value("filesystem", "");
    host.target_device = h.value("device", "");
    read_host_v3(h, host);
    return host;
}

run_result result_of(const ordered_json& j, const run_context& ctx, bool v1) {
    run_result r;
    r.backend = j["backend"].get<std::string>();
    r.workload = j["workload"].get<std::string>();
    r.status = *parse_run_status(j["status"].get<std::string>());
    r.reason = j["reason"].get<std::string>();
    // iobench/1 had no status of its own for a run stopped by a signal.
    if (v1 && r.status == run_status::error && r.reason == "interrupted") r.status = run_status::interrupted;
    r.setup = j["setup"].get<std::string>();
    r.notes = j["notes"].get<std::vector<std::string>>();
    if (v1) {
        r.parameters = ctx.parameters;
        r.parameters["backend"] = r.backend;
    } else {
        r.parameters = parameters_of(j["parameters"], false);
    }
    read_measured(j, r);
    r.threads = j["threads"].get<unsigned>();
    if (j.contains("network")) r.net = network_of(j["network"]);
    if (j.contains("transfer")) r.transfer = transfer_of(j["transfer"]);
    if (j.contains("spread")) {
        const auto& s = j["spread"];
        r.spread = run_spread{spread_stat_of(s["iops"]), spread_stat_of(s["bytes_per_sec"]), spread_stat_of(s["p50"]),
                              spread_stat_of(s["p99"]), spread_stat_of(s["cpu_per_op"])};
    }
    if (j.contains("repetitions")) {
        for (const auto& x : j["repetitions"]) {
            run_result& rep = r.repetitions.emplace_back();
            rep.backend = r.backend;
            rep.workload = r.workload;
            rep.setup = r.setup;
            rep.threads = r.threads;
            rep.status = *parse_run_status(x["status"].get<std::string>());
            rep.reason = x["reason"].get<std::string>();
            read_measured(x, rep);
        }
    }
    if (j.contains("target_cached_fraction")) r.target_cached_fraction = j["target_cached_fraction"].get<double>();
    if (j.contains("neighbour_busy"))
        r.neighbour = neighbour_load{j["neighbour_busy"]["cpu_fraction"].get<double>(), j["neighbour_busy"]["busy"].get<bool>()};
    return r;
}

result_file read_checked_doc(const ordered_json& doc);

}  // namespace

ordered_json parse_results_text(const std::string& text) {
    try {
        return ordered_json::parse(text);
    } catch (const nlohmann::json::out_of_range& e) {  // a number beyond a double (1e999): still bad input
        throw std::runtime_error(std::string("not a JSON document: ") + e.what());
    } catch (const nlohmann::json::parse_error& e) {
        // Google Benchmark writes a counter it could not compute as a bare NaN
        // (not JSON); read as null, it is a value that is not there.
        const std::string cleaned = gbench_nan_as_null(text);
        if (cleaned == text) throw std::runtime_error(std::string("not a JSON document: ") + e.what());
        ordered_json doc = ordered_json::parse(cleaned, nullptr, false);
        if (doc.is_discarded() || !is_gbench_document(doc))
            throw std::runtime_error(std::string("not a JSON document: ") + e.what());
        return doc;
    }
}

bool is_beside_the_results(const ordered_json& doc) {
    return !(doc.is_object() && doc.contains("schema") && doc["schema"].is_string() &&
             doc["schema"].get<std::string>().starts_with("iobench/"));
}

result_file read_results_json(std::istream& in) {
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return read_results_doc(parse_results_text(text));
}

result_file read_results_doc(const ordered_json& doc) {
    // A field the schema check does not cover, of the wrong type, is bad
    // input too: a runtime_error as the rest (compare's input error), never
    // nlohmann's type_error escaping (found by tests/fuzz/fuzz_results_json).
    try {
        return read_checked_doc(doc);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(std::string("not a valid results document: ") + e.what());
    }
}

namespace {
result_file read_checked_doc(const ordered_json& doc) {
    // Google Benchmark's own JSON (iobench-micro, or an export): no schema of ours.
    if (is_gbench_document(doc)) return read_gbench(doc);
    if (const auto problems = check_results_schema(doc); !problems.empty()) {
        std::string msg = "not a valid results document:";
        for (const auto& p : problems) msg += "\n  " + p;
        throw std::runtime_error(msg);
    }
    result_file f;
    f.schema = doc["schema"].get<std::string>();
    const bool v1 = f.schema == schema_v1_name;
    f.context.host = host_of(doc["host"]);
    if (doc.contains("warnings")) f.context.warnings = doc["warnings"].get<std::vector<std::string>>();
    f.context.command_line = doc["command_line"].get<std::string>();
    f.context.started_at = doc["started_at"].get<std::string>();
    f.context.job = doc.value("job", "");
    f.context.parameters = parameters_of(doc["parameters"], v1);
    if (doc.contains("merged_from")) {
        f.context.merge_mode = doc["merge_mode"].get<std::string>();
        for (const auto& m : doc["merged_from"])
            f.context.merged_from.push_back({m["file"].get<std::string>(), m["started_at"].get<std::string>(),
                                             m["command_line"].get<std::string>(), host_of(m["host"]),
                                             parameters_of(m["parameters"], false)});
    }
    for (const auto& r : doc["results"]) f.results.push_back(result_of(r, f.context, v1));
    return f;
}

}  // namespace

result_file read_results_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot open it");
    try {
        return read_results_json(in);
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(path + ": " + e.what());
    }
}

}  // namespace iobench
