// CSV: one flat row per run (backend x workload, per job), every document of
// the invocation in order, RFC 4180 quoting (LF line ends). The header is fixed and new
// columns only ever go at the end (results/EXPORTS.md lists them).
#include "results/exports.hpp"

#include <charconv>
#include <string>

namespace iobench {

namespace {

constexpr const char* columns[] = {
    "job", "started_at", "hostname", "backend", "workload", "kind", "status", "reason", "bs", "iodepth", "jobs",
    "connections", "msg_size", "repeat", "ops", "bytes", "errors", "duration_s", "iops", "bytes_per_sec",
    "lat_min_ns", "lat_mean_ns", "lat_p50_ns", "lat_p90_ns", "lat_p99_ns", "lat_p99_9_ns", "lat_p99_99_ns",
    "lat_max_ns", "cpu_user_s", "cpu_sys_s", "cpu_per_op_ns", "achieved_iodepth", "iops_min", "iops_max", "iops_cv",
    "p99_cv"};

// The shortest fixed-point text that reads back as the same double.
std::string number(double v) {
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    return res.ec == std::errc() ? std::string(buf, res.ptr) : std::string("nan");
}

std::string quoted(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

// A parameter as text: empty where the run does not have it (bs of an echo run).
std::string param(const parameter_map& p, const char* key) {
    const auto it = p.find(key);
    if (it == p.end()) return {};
    const param_value& v = it->second;
    if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
    if (const auto* u = std::get_if<uint64_t>(&v)) return std::to_string(*u);
    if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&v)) return number(*d);
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    return {};
}

class row {
public:
    row& text(const std::string& s) { return cell(quoted(s)); }
    row& num(double v) { return cell(number(v)); }
    row& uint(uint64_t v) { return cell(std::to_string(v)); }
    const std::string& str() const { return line_; }

private:
    row& cell(const std::string& c) {
        if (any_) line_ += ',';
        line_ += c;
        any_ = true;
        return *this;
    }
    std::string line_;
    bool any_ = false;
};

std::string csv_row(const run_context& ctx, const run_result& r) {
    const histogram& h = r.latency;
    const spread_stat none{};
    const spread_stat& iops = r.spread ? r.spread->iops : none;
    row x;
    x.text(ctx.job).text(ctx.started_at).text(ctx.host.hostname).text(r.backend).text(r.workload);
    x.text(param(r.parameters, "kind")).text(std::string(to_string(r.status))).text(r.reason);
    for (const char* k : {"bs", "iodepth", "jobs", "connections", "msg_size", "repeat"}) x.text(param(r.parameters, k));
    x.uint(r.ops).uint(r.bytes).uint(r.errors).num(r.duration_s).num(r.iops).num(r.bytes_per_sec);
    x.uint(h.min()).num(h.mean());
    for (double p : {50.0, 90.0, 99.0, 99.9, 99.99}) x.uint(h.percentile(p));
    x.uint(h.max()).num(r.cpu.user_s).num(r.cpu.sys_s).num(r.cpu_per_op_ns).num(r.achieved_iodepth);
    if (r.spread) x.num(iops.min).num(iops.max).num(iops.cv).num(r.spread->p99.cv);
    else x.text("").text("").text("").text("");  // one repetition: no spread
    return x.str();
}

}  // namespace

void write_csv(std::ostream& out, const std::vector<result_file>& docs) {
    row header;
    for (const char* c : columns) header.text(c);
    out << header.str() << "\n";
    for (const result_file& d : docs)
        for (const run_result& r : d.results) out << csv_row(d.context, r) << "\n";
}

}  // namespace iobench
