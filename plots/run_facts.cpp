// Colours, units, host and parameter lines, grouping (plots/run_facts.hpp).
#include "plots/run_facts.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

namespace iobench::plots {

namespace {

// Tableau 10: distinct for the common forms of colour blindness, readable on white.
const std::map<std::string, std::string> known_colours{
    {"blocking", "#4e79a7"}, {"epoll", "#f28e2b"},         {"posix_aio", "#e15759"},      {"libaio", "#76b7b2"},
    {"io_uring", "#59a14f"}, {"io_uring_sqpoll", "#b07aa1"}, {"io_uring_iopoll", "#9c755f"},
};
const std::vector<std::string> spare_colours{"#edc948", "#ff9da7", "#bab0ac", "#1f3b73"};

std::string fixed(const char* fmt, double v, const char* unit) {
    char buf[48];
    std::snprintf(buf, sizeof buf, fmt, v);
    return std::string(buf) + unit;
}

const param_value* find_param(const run_result& r, const std::string& key) {
    const auto it = r.parameters.find(key);
    return it == r.parameters.end() ? nullptr : &it->second;
}

std::string param_or_empty(const run_result& r, const std::string& key) {
    const auto* v = find_param(r, key);
    return v ? param_text(*v, key) : "";
}

std::string host_of(const host_facts& h) {
    std::string s = h.hostname;
    for (const std::string& part : {h.kernel, h.cpu_model}) if (!part.empty()) s += " · " + part;
    if (h.cores) s += " · " + std::to_string(h.cores) + " cores";
    if (!h.target_device.empty()) s += " · " + h.target_device + " (" + h.target_fs + ")";
    return s;
}

// Swept-key values of a run, as text, for grouping.
std::string sweep_values(const run_result& r, const std::string& skip = {}) {
    std::string s;
    for (const auto& k : sweep_keys)
        if (k != skip) s += k + "=" + param_or_empty(r, k) + ";";
    return s;
}

}  // namespace

std::string backend_colour(const std::string& backend) {
    if (const auto it = known_colours.find(backend); it != known_colours.end()) return it->second;
    return spare_colours[std::hash<std::string>{}(backend) % spare_colours.size()];
}

std::string si_rate(double v) {
    if (v >= 1e9) return fixed("%.2f", v / 1e9, "G");
    if (v >= 1e6) return fixed("%.2f", v / 1e6, "M");
    if (v >= 1e3) return fixed("%.1f", v / 1e3, "k");
    return fixed("%.0f", v, "");
}

std::string latency_text(double ns) {
    if (ns <= 0) return "-";
    if (ns >= 1e9) return fixed("%.2f", ns / 1e9, "s");
    if (ns >= 1e6) return fixed("%.2f", ns / 1e6, "ms");
    if (ns >= 1e3) return fixed("%.1f", ns / 1e3, "us");
    return fixed("%.0f", ns, "ns");
}

std::string mb_text(double bytes_per_sec) { return fixed("%.1f", bytes_per_sec / 1e6, ""); }

std::string param_text(const param_value& v, const std::string& key) {
    if (std::holds_alternative<std::monostate>(v)) return "-";
    if (const auto* b = std::get_if<bool>(&v)) return *b ? "yes" : "no";
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
    const bool size = key == "bs" || key == "size" || key == "msg_size" || key == "buf_size";
    if (const auto* u = std::get_if<uint64_t>(&v)) {
        if (size) {
            const char* units[] = {"", "k", "M", "G", "T"};
            uint64_t n = *u;
            unsigned k = 0;
            while (n >= 1024 && n % 1024 == 0 && k < 4) n /= 1024, ++k;
            return std::to_string(n) + units[k];
        }
        return std::to_string(*u);
    }
    const double d = std::get<double>(v);
    const bool seconds = key == "runtime" || key == "ramp" || key == "interval";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g%s", d, seconds ? "s" : "");
    return buf;
}

bool is_network(const run_result& r) { return r.net.has_value() || param_or_empty(r, "kind") == "network"; }
std::string rate_unit(const run_result& r) { return is_network(r) ? "req/s" : "IOPS"; }

std::string run_label(const plot_run& r, bool several_series) {
    return several_series ? r.run->backend + " (" + r.from->label + ")" : r.run->backend;
}

std::string host_line(const std::vector<plot_run>& runs) {
    std::vector<std::string> hosts;
    for (const auto& r : runs) {
        const std::string h = host_of(r.file->doc.context.host);
        if (std::find(hosts.begin(), hosts.end(), h) == hosts.end()) hosts.push_back(h);
    }
    std::string s;
    for (const auto& h : hosts) s += (s.empty() ? "" : "  |  ") + h;
    return s;
}

std::string parameters_line(const std::vector<plot_run>& runs) {
    if (runs.empty()) return {};
    static const std::vector<std::string> storage{"bs", "iodepth", "jobs", "direct", "size", "runtime", "repeat"};
    static const std::vector<std::string> network{"connections", "msg_size", "mode", "rate", "pipeline",
                                                  "client_backend", "runtime", "repeat"};
    std::string s;
    for (const auto& k : is_network(*runs.front().run) ? network : storage) {
        const std::string first = param_or_empty(*runs.front().run, k);
        const bool shared = std::all_of(runs.begin(), runs.end(), [&](const plot_run& r) {
            return param_or_empty(*r.run, k) == first;
        });
        // rate 0 is closed loop, as mode says; "-" is a parameter that does not apply.
        if (!shared || first.empty() || first == "-" || (k == "rate" && first == "0")) continue;
        if (!s.empty()) s += "  ";
        s += k + "=" + first;
    }
    return s;
}

std::optional<double> number_param(const run_result& r, const std::string& key) {
    const auto* v = find_param(r, key);
    if (!v) return std::nullopt;
    if (const auto* u = std::get_if<uint64_t>(v)) return static_cast<double>(*u);
    if (const auto* i = std::get_if<int64_t>(v)) return static_cast<double>(*i);
    if (const auto* d = std::get_if<double>(v)) return *d;
    return std::nullopt;
}

std::vector<run_group> group_runs(const std::vector<plot_run>& runs) {
    std::vector<run_group> out;
    std::map<std::pair<std::string, std::string>, size_t> at;
    std::map<std::string, std::set<std::string>> values_of_workload;
    for (const auto& r : runs) values_of_workload[r.run->workload].insert(sweep_values(*r.run));
    for (const auto& r : runs) {
        const std::string v = sweep_values(*r.run);
        const auto [it, fresh] = at.try_emplace({r.run->workload, v}, out.size());
        if (fresh) {
            run_group g{r.run->workload, r.run->workload, r.run->workload, {}};
            if (values_of_workload[r.run->workload].size() > 1) {
                // Name the group by the swept keys that tell it from its siblings.
                for (const auto& k : sweep_keys) {
                    std::set<std::string> seen;
                    for (const auto& o : runs)
                        if (o.run->workload == g.workload) seen.insert(param_or_empty(*o.run, k));
                    if (seen.size() < 2) continue;
                    const std::string val = param_or_empty(*r.run, k);
                    g.key += "-" + k + "-" + val;
                    g.title += " " + k + "=" + val;
                }
            }
            out.push_back(std::move(g));
        }
        out[it->second].runs.push_back(r);
    }
    return out;
}

std::vector<sweep_group> find_sweeps(const std::vector<plot_run>& runs) {
    std::vector<sweep_group> out;
    std::set<std::string> workloads;
    for (const auto& r : runs) workloads.insert(r.run->workload);
    for (const auto& w : workloads) {
        std::vector<plot_run> of;
        for (const auto& r : runs)
            if (r.run->workload == w) of.push_back(r);
        for (const auto& k : sweep_keys) {
            std::set<std::string> values, others;
            for (const auto& r : of) values.insert(param_or_empty(*r.run, k)), others.insert(sweep_values(*r.run, k));
            // A sweep: this key takes several numeric values, every other swept key one.
            if (values.size() < 2 || others.size() != 1) continue;
            if (!std::all_of(of.begin(), of.end(), [&](const plot_run& r) { return number_param(*r.run, k).has_value(); }))
                continue;
            out.push_back({w, k, of});
        }
    }
    return out;
}

}  // namespace iobench::plots
