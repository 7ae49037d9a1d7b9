// Native JSON results, schema "iobench/4" (results/SCHEMA.md). The histogram
// is stored sparse ([bucket index, count] pairs) so plots can draw percentile
// spectra and runs from several hosts can be merged exactly.
#include "results/json_params.hpp"
#include "results/writer.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace iobench {

namespace {

using nlohmann::ordered_json;

// dump(2) with every array that holds only numbers (and arrays of numbers) on
// one line: a histogram's buckets, one line each, not four lines per bucket.
std::string numbers_on_one_line(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    bool in_string = false;
    for (size_t i = 0; i < s.size(); ++i) {
        const char ch = s[i];
        if (in_string) {
            out += ch;
            if (ch == '\\') out += s[++i];
            else if (ch == '"') in_string = false;
            continue;
        }
        if (ch == '"') in_string = true;
        if (ch != '[') {
            out += ch;
            continue;
        }
        size_t end = i, depth = 0;
        bool numeric = true;
        for (; end < s.size(); ++end) {
            const char e = s[end];
            if (e == '"' || e == '{') {
                numeric = false;
                break;
            }
            if (e == '[') ++depth;
            if (e == ']' && --depth == 0) break;
        }
        if (!numeric || end == s.size()) {
            out += ch;
            continue;
        }
        for (size_t k = i; k <= end; ++k) {  // drop each newline and its indent; ", " stays
            if (s[k] == '\n') {
                while (k + 1 <= end && s[k + 1] == ' ') ++k;
                continue;
            }
            out += s[k];
            if (s[k] == ',') out += ' ';
        }
        i = end;
    }
    return out;
}

ordered_json latency_json(const histogram& h, uint64_t censored) {
    ordered_json j;
    j["min"] = h.min();
    j["mean"] = h.mean();
    j["p50"] = h.percentile(50);
    j["p90"] = h.percentile(90);
    j["p99"] = h.percentile(99);
    j["p99.9"] = h.percentile(99.9);
    j["p99.99"] = h.percentile(99.99);
    j["max"] = h.max();
    j["censored"] = censored;  // iobench/3: of `count`, ops still in flight at the window's end (their age then)
    return j;
}

ordered_json histogram_json(const histogram& h) {
    ordered_json j;
    j["unit"] = "ns";
    j["sub_buckets"] = histogram::sub_count;
    j["count"] = h.count();
    j["sum"] = h.sum();
    j["overflow"] = h.overflow();
    ordered_json buckets = ordered_json::array();
    const auto& b = h.buckets();
    for (unsigned i = 0; i < b.size(); ++i)
        if (b[i]) buckets.push_back({i, b[i]});
    j["buckets"] = std::move(buckets);
    return j;
}

ordered_json network_json(const net_facts& n) {
    ordered_json j;
    j["side"] = n.side;
    j["mode"] = n.mode;
    j["target"] = n.target;
    j["client_backend"] = n.client_backend;
    j["client_setup"] = n.client_setup;
    j["connections"] = n.connections;
    j["live_connections"] = n.live_connections;
    j["reconnects"] = n.reconnects;
    j["msg_size"] = n.msg_size;
    j["target_rate"] = n.target_rate;
    j["achieved_rate"] = n.achieved_rate;
    j["bytes_sent"] = n.bytes_sent;
    j["bytes_received"] = n.bytes_received;
    j["gbit_per_sec"] = n.gbit_per_sec;
    // CPU seconds per GB of payload moved, each side on its own.
    const double gb = static_cast<double>(std::max(n.bytes_sent, n.bytes_received)) / 1e9;
    auto cpu = [gb](const cpu_usage& c) {
        return ordered_json{{"user_s", c.user_s}, {"sys_s", c.sys_s}, {"per_gb_s", gb > 0 ? (c.user_s + c.sys_s) / gb : 0.0}};
    };
    j["client_cpu"] = cpu(n.client_cpu);
    j["server_cpu"] = cpu(n.server_cpu);
    j["server"] = {{"accepted", n.server_accepted}, {"requests", n.server_requests}, {"bytes_in", n.server_bytes_in},
                   {"bytes_out", n.server_bytes_out}, {"errors", n.server_errors}};
    return j;
}

// transfer: what the method moved, what it cost the sender, and what the kernel says it copied.
ordered_json transfer_json(const transfer_facts& t) {
    ordered_json j;
    j["method"] = t.method;
    j["cache"] = t.cache;
    j["direct"] = t.direct;
    j["file_size"] = t.file_size;
    j["chunk"] = t.chunk;
    j["receivers"] = t.receivers;
    j["bytes"] = t.bytes;
    j["gbit_per_sec"] = t.gbit_per_sec;
    j["cached_fraction"] = t.cached_fraction;
    j["sender_cpu"] = {{"user_s", t.sender_cpu.user_s}, {"sys_s", t.sender_cpu.sys_s},
                       {"user_s_per_gb", t.sender_user_s_per_gb}, {"sys_s_per_gb", t.sender_sys_s_per_gb}};
    j["receiver_cpu"] = {{"user_s", t.receiver_cpu.user_s}, {"sys_s", t.receiver_cpu.sys_s}};
    j["syscalls"] = t.syscalls;
    j["syscalls_per_mb"] = t.syscalls_per_mb;
    j["syscalls_counted"] = t.syscalls_counted;
    if (t.zerocopy_reported)
        j["zerocopy"] = {{"bytes_zero_copied", t.bytes_zero_copied}, {"bytes_copied", t.bytes_copied}};
    return j;
}

// cpu: the process total, then (iobench/3) where it went and what it cost per op.
ordered_json cpu_json(const run_result& r) {
    ordered_json j{{"user_s", r.cpu.user_s}, {"sys_s", r.cpu.sys_s}, {"per_op_ns", r.cpu_per_op_ns}};
    const cpu_breakdown& d = r.cpu_detail;
    if (!d.measured) return j;
    ordered_json by = ordered_json::object();
    for (const auto& c : d.by_thread)
        by[c.name] = {{"user_s", c.cpu.user_s}, {"sys_s", c.cpu.sys_s}, {"threads", c.threads},
                      {"voluntary_cs", c.voluntary_cs}, {"involuntary_cs", c.involuntary_cs}};
    j["by_thread"] = std::move(by);
    j["residue"] = {{"user_s", d.residue.user_s}, {"sys_s", d.residue.sys_s}, {"in", d.residue_in}};
    j["voluntary_cs"] = d.voluntary_cs;
    j["involuntary_cs"] = d.involuntary_cs;
    ordered_json per_op{{"voluntary_cs", d.per_op_voluntary_cs}, {"involuntary_cs", d.per_op_involuntary_cs}};
    if (d.calls_measured) {
        per_op["submit_calls"] = d.per_op_submit_calls;
        per_op["reap_calls"] = d.per_op_reap_calls;
        per_op["enter_calls"] = d.per_op_enter_calls;
    }
    j["per_op"] = std::move(per_op);
    if (d.calls_measured) j["cqes_per_enter"] = d.cqes_per_enter;
    return j;
}

ordered_json spread_json(const spread_stat& s) { return {{"min", s.min}, {"max", s.max}, {"cv", s.cv}}; }

// The iobench/3 additions a run and each of its repetitions carry.
void add_v3_fields(ordered_json& j, const run_result& r) {
    if (r.at_end) j["inflight_at_end"] = {{"count", r.at_end->count}, {"oldest_ns", r.at_end->oldest_ns}};
    if (r.checks) {
        ordered_json c;
        if (const auto& l = r.checks->littles_law)
            c["littles_law"] = {{"inflight_mean", l->inflight_mean}, {"iops_x_latency", l->iops_x_latency},
                                {"ratio", l->ratio}, {"ok", l->ok}};
        c["negative_latencies"] = r.checks->negative_latencies;
        c["percentiles_ordered"] = r.checks->percentiles_ordered;
        c["censored_moves_p99"] = r.checks->censored_moves_p99;
        j["checks"] = std::move(c);
    }
    if (r.achieved) {
        const achieved_facts& a = *r.achieved;
        j["achieved"] = {{"iodepth_requested", a.iodepth_requested}, {"iodepth_mean", a.iodepth_mean},
                         {"iodepth_p50", a.iodepth_p50}, {"rate_requested", a.rate_requested}, {"rate", a.rate},
                         {"connections_requested", a.connections_requested}, {"connections_live", a.connections_live},
                         {"below_request", a.below_request}};
    }
    if (r.steady_state)
        j["steady_state"] = {{"reached", r.steady_state->reached}, {"at_s", r.steady_state->at_s},
                             {"criterion", r.steady_state->criterion}};
    if (!r.timeline.empty()) {
        ordered_json t = ordered_json::array();
        for (const auto& p : r.timeline) {
            ordered_json i{{"t_s", p.t_s},       {"dur_s", p.dur_s},   {"ops", p.ops},
                           {"bytes", p.bytes},   {"p50_ns", p.p50_ns}, {"p99_ns", p.p99_ns},
                           {"max_ns", p.max_ns}, {"inflight_mean", p.inflight_mean}};
            if (p.has_histogram) {  // iobench/4; an interval merged from an older file has none
                i["min_ns"] = p.min_ns;
                i["histogram"] = ordered_json::array();  // sparse, as the run's own `histogram.buckets`
                for (const auto& [k, n] : p.histogram) i["histogram"].push_back({k, n});
            }
            t.push_back(std::move(i));
        }
        j["timeline"] = std::move(t);
    }
}

// What a run and each of its repetitions measured, in the schema's key order
// (a repetition has no `threads`: its run's).
void add_measured(ordered_json& j, const run_result& r, bool with_threads) {
    j["ops"] = r.ops;
    j["bytes"] = r.bytes;
    j["duration_s"] = r.duration_s;
    j["iops"] = r.iops;
    j["bytes_per_sec"] = r.bytes_per_sec;
    j["latency_ns"] = latency_json(r.latency, r.censored);
    j["errors"] = r.errors;
    j["read_ops"] = r.read_ops;
    j["write_ops"] = r.write_ops;
    j["fsyncs"] = r.fsyncs;
    if (with_threads) j["threads"] = r.threads;
    j["achieved_iodepth"] = r.achieved_iodepth;
    j["cpu"] = cpu_json(r);
    ordered_json counters = ordered_json::object();
    for (const auto& c : r.counters) counters[c.name] = c.value;
    j["counters"] = std::move(counters);
    add_v3_fields(j, r);
}

// One repetition: the measured fields of a run, its status and checks, its histogram.
ordered_json repetition_json(const run_result& r) {
    ordered_json j;
    j["status"] = to_string(r.status);
    j["reason"] = r.reason;
    add_measured(j, r, false);
    j["histogram"] = histogram_json(r.latency);
    return j;
}

void add_host_v3(ordered_json& host, const host_facts& h);

// A merged file's input hosts: the fields of the top-level host (begin()).
ordered_json host_json(const host_facts& h) {
    ordered_json host;
    host["hostname"] = h.hostname;
    host["kernel"] = h.kernel;
    host["cpu_model"] = h.cpu_model;
    host["cores"] = h.cores;
    host["liburing_version"] = h.liburing_version;
    if (!h.target_path.empty()) {
        host["target"] = h.target_path;
        host["filesystem"] = h.target_fs;
        host["device"] = h.target_device;
    }
    add_host_v3(host, h);
    return host;
}

// A merged file says how it was merged and from what (iobench merge).
void add_merge_json(ordered_json& doc, const run_context& ctx) {
    if (ctx.merged_from.empty()) return;
    doc["merge_mode"] = ctx.merge_mode;
    ordered_json from = ordered_json::array();
    for (const auto& m : ctx.merged_from)
        from.push_back({{"file", m.file}, {"started_at", m.started_at}, {"command_line", m.command_line},
                        {"host", host_json(m.host)}, {"parameters", to_json(m.parameters)}});
    doc["merged_from"] = std::move(from);
}

// The iobench/3 host facts; a context read from an older file has none.
void add_host_v3(ordered_json& host, const host_facts& h) {
    if (h.glibc_version.empty()) return;
    host["libaio_version"] = h.libaio_version;
    host["glibc_version"] = h.glibc_version;
    host["cpus_online"] = h.cpus_online;
    host["cpufreq"] = {{"governor", h.cpufreq_governor}, {"boost", h.cpufreq_boost}};
    if (!h.target_path.empty())
        host["queue"] = {{"scheduler", h.queue_scheduler}, {"rotational", h.queue_rotational},
                         {"io_poll", h.queue_io_poll}, {"nr_requests", h.queue_nr_requests}};
}

class json_writer final : public results_writer {
public:
    explicit json_writer(std::ostream& out) : out_(out) {}

    void begin(const run_context& ctx) override {
        doc_["schema"] = schema_name;
        doc_["started_at"] = ctx.started_at;
        doc_["command_line"] = ctx.command_line;
        if (!ctx.job.empty()) doc_["job"] = ctx.job;  // written by a suite job
        add_merge_json(doc_, ctx);
        ordered_json host;
        host["hostname"] = ctx.host.hostname;
        host["kernel"] = ctx.host.kernel;
        host["cpu_model"] = ctx.host.cpu_model;
        host["cores"] = ctx.host.cores;
        host["liburing_version"] = ctx.host.liburing_version;
        if (!ctx.host.target_path.empty()) {
            host["target"] = ctx.host.target_path;
            host["filesystem"] = ctx.host.target_fs;
            host["device"] = ctx.host.target_device;
        }
        add_host_v3(host, ctx.host);
        doc_["host"] = std::move(host);
        doc_["parameters"] = to_json(ctx.parameters);
        doc_["warnings"] = ctx.warnings;
        doc_["results"] = ordered_json::array();
    }

    void add(const run_result& r) override {
        ordered_json j;
        j["backend"] = r.backend;
        j["workload"] = r.workload;
        j["status"] = to_string(r.status);
        j["reason"] = r.reason;
        j["setup"] = r.setup;
        j["notes"] = r.notes;
        j["parameters"] = to_json(r.parameters);
        add_measured(j, r, true);
        if (r.spread) {
            const run_spread& s = *r.spread;
            j["spread"] = {{"iops", spread_json(s.iops)}, {"bytes_per_sec", spread_json(s.bytes_per_sec)},
                           {"p50", spread_json(s.p50)}, {"p99", spread_json(s.p99)}, {"cpu_per_op", spread_json(s.cpu_per_op)}};
        }
        if (!r.repetitions.empty()) {
            ordered_json reps = ordered_json::array();
            for (const auto& x : r.repetitions) reps.push_back(repetition_json(x));
            j["repetitions"] = std::move(reps);
        }
        if (r.net) j["network"] = network_json(*r.net);
        if (r.transfer) j["transfer"] = transfer_json(*r.transfer);
        if (r.target_cached_fraction) j["target_cached_fraction"] = *r.target_cached_fraction;
        if (r.neighbour) j["neighbour_busy"] = {{"cpu_fraction", r.neighbour->cpu_fraction}, {"busy", r.neighbour->busy}};
        j["histogram"] = histogram_json(r.latency);
        doc_["results"].push_back(std::move(j));
    }

    void end() override { out_ << numbers_on_one_line(doc_.dump(2)) << '\n'; }

private:
    std::ostream& out_;
    ordered_json doc_;
};

}  // namespace

std::unique_ptr<results_writer> make_json_writer(std::ostream& out) { return std::make_unique<json_writer>(out); }

}  // namespace iobench
