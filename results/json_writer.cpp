// Native JSON results, schema "iobench/2" (results/SCHEMA.md). The histogram
// is stored sparse ([bucket index, count] pairs) so plots can draw percentile
// spectra and runs from several hosts can be merged exactly.
#include "results/json_params.hpp"
#include "results/writer.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace iobench {

namespace {

using nlohmann::ordered_json;

ordered_json latency_json(const histogram& h) {
    ordered_json j;
    j["min"] = h.min();
    j["mean"] = h.mean();
    j["p50"] = h.percentile(50);
    j["p90"] = h.percentile(90);
    j["p99"] = h.percentile(99);
    j["p99.9"] = h.percentile(99.9);
    j["p99.99"] = h.percentile(99.99);
    j["max"] = h.max();
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
        j["ops"] = r.ops;
        j["bytes"] = r.bytes;
        j["duration_s"] = r.duration_s;
        j["iops"] = r.iops;
        j["bytes_per_sec"] = r.bytes_per_sec;
        j["latency_ns"] = latency_json(r.latency);
        j["errors"] = r.errors;
        j["read_ops"] = r.read_ops;
        j["write_ops"] = r.write_ops;
        j["fsyncs"] = r.fsyncs;
        j["threads"] = r.threads;
        j["achieved_iodepth"] = r.achieved_iodepth;
        j["cpu"] = {{"user_s", r.cpu.user_s}, {"sys_s", r.cpu.sys_s}, {"per_op_ns", r.cpu_per_op_ns}};
        ordered_json counters = ordered_json::object();
        for (const auto& c : r.counters) counters[c.name] = c.value;
        j["counters"] = std::move(counters);
        if (r.net) j["network"] = network_json(*r.net);
        if (r.target_cached_fraction) j["target_cached_fraction"] = *r.target_cached_fraction;
        if (r.neighbour) j["neighbour_busy"] = {{"cpu_fraction", r.neighbour->cpu_fraction}, {"busy", r.neighbour->busy}};
        j["histogram"] = histogram_json(r.latency);
        doc_["results"].push_back(std::move(j));
    }

    void end() override { out_ << doc_.dump(2) << '\n'; }

private:
    std::ostream& out_;
    ordered_json doc_;
};

}  // namespace

std::unique_ptr<results_writer> make_json_writer(std::ostream& out) { return std::make_unique<json_writer>(out); }

}  // namespace iobench
