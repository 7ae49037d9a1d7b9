// Merging results files: check that the inputs describe the same runs, then
// add up what adds up (histogram buckets, counts, bytes, CPU time) and derive
// the rest (percentiles, rates, per-op CPU) from the sums.
#include "results/merge.hpp"

#include "results/json_params.hpp"

#include <algorithm>
#include <set>

namespace iobench {

namespace {

constexpr std::array<std::string_view, 2> mode_names{"concurrent", "repetitions"};

bool free_parameter(const std::string& key) {
    return std::find(merge_free_parameters.begin(), merge_free_parameters.end(), key) != merge_free_parameters.end();
}

std::string text_of(const parameter_map& m, const std::string& key) {
    const auto it = m.find(key);
    return it == m.end() ? "missing" : to_json(it->second).dump();
}

// Every key but the free ones must be in both maps with the same value.
void require_same_parameters(const parameter_map& a, const std::string& a_name, const parameter_map& b,
                             const std::string& b_name, const std::string& where) {
    std::set<std::string> keys;
    for (const auto& [k, v] : a) keys.insert(k);
    for (const auto& [k, v] : b) keys.insert(k);
    for (const auto& k : keys) {
        if (free_parameter(k)) continue;
        const auto ia = a.find(k), ib = b.find(k);
        if (ia != a.end() && ib != b.end() && ia->second == ib->second) continue;
        throw merge_mismatch(where + "." + k + " differs: " + text_of(b, k) + " in " + b_name + ", " + text_of(a, k) +
                             " in " + a_name);
    }
}

// The first input's parameters, without the free ones that differ between inputs.
parameter_map merged_parameters(const std::vector<const parameter_map*>& all) {
    parameter_map out = *all.front();
    for (const auto key : merge_free_parameters) {
        const std::string k(key);
        for (const auto* p : all)
            if (text_of(*p, k) != text_of(out, k)) {
                out.erase(k);
                break;
            }
    }
    return out;
}

// One value where all inputs agree; else each distinct one, in input order.
std::string join_distinct(const std::vector<std::string>& values, const char* sep = ", ") {
    std::vector<std::string> seen;
    for (const auto& v : values)
        if (std::find(seen.begin(), seen.end(), v) == seen.end()) seen.push_back(v);
    std::string out;
    for (const auto& v : seen) out += (out.empty() ? "" : sep) + v;
    return out;
}

// Where inputs disagree, each value says whose it is.
std::string attributed(const std::vector<std::string>& values, const std::vector<std::string>& names) {
    if (std::all_of(values.begin(), values.end(), [&](const auto& v) { return v == values.front(); })) return values.front();
    std::string out;
    for (size_t i = 0; i < values.size(); ++i) out += (i ? "; " : "") + names[i] + ": " + values[i];
    return out;
}

host_facts merged_host(const std::vector<merge_input>& in) {
    auto field = [&](auto member) {
        std::vector<std::string> v;
        for (const auto& i : in) v.push_back(i.file.context.host.*member);
        return join_distinct(v);
    };
    host_facts h;
    h.hostname = field(&host_facts::hostname);
    h.kernel = field(&host_facts::kernel);
    h.cpu_model = field(&host_facts::cpu_model);
    h.liburing_version = field(&host_facts::liburing_version);
    h.target_path = field(&host_facts::target_path);
    h.target_fs = field(&host_facts::target_fs);
    h.target_device = field(&host_facts::target_device);
    const unsigned cores = in.front().file.context.host.cores;
    const bool same = std::all_of(in.begin(), in.end(), [&](const auto& i) { return i.file.context.host.cores == cores; });
    h.cores = same ? cores : 0;  // 0: the inputs' hosts differ (each is in merged_from)
    return h;
}

class run_merger {
public:
    run_merger(std::vector<const run_result*> runs, const std::vector<std::string>& names, merge_mode mode)
        : runs_(std::move(runs)), names_(names), mode_(mode) {
        const run_result& f = *runs_.front();
        what_ = "results[" + f.backend + " " + f.workload + "]";
    }

    run_result merge() const {
        const run_result& first = *runs_.front();
        run_result m;  // from empty, field by field (see merge.hpp)
        m.backend = first.backend;
        m.workload = first.workload;
        std::vector<const parameter_map*> params;
        for (size_t i = 0; i < runs_.size(); ++i) {
            require_same_parameters(first.parameters, names_[0], runs_[i]->parameters, names_[i], what_ + ".parameters");
            params.push_back(&runs_[i]->parameters);
        }
        m.parameters = merged_parameters(params);
        m.setup = attributed(each([](const run_result& r) { return r.setup; }), names_);
        m.notes = notes();
        if (status(m)) return m;  // unsupported everywhere: nothing measured to add up

        const bool concurrent = mode_ == merge_mode::concurrent;
        for (const run_result* r : runs_) {
            m.ops += r->ops;
            m.bytes += r->bytes;
            m.errors += r->errors;
            m.read_ops += r->read_ops;
            m.write_ops += r->write_ops;
            m.fsyncs += r->fsyncs;
            m.latency.merge(r->latency);
            m.censored += r->censored;  // ops in flight at a window's end: in the histogram, not in ops
            m.cpu += r->cpu;
            m.duration_s = concurrent ? std::max(m.duration_s, r->duration_s) : m.duration_s + r->duration_s;
            m.threads = concurrent ? m.threads + r->threads : std::max(m.threads, r->threads);
            if (concurrent) {  // hosts at once: their rates and their ops in flight add up
                m.iops += r->iops;
                m.bytes_per_sec += r->bytes_per_sec;
                m.achieved_iodepth += r->achieved_iodepth;
            } else {
                m.achieved_iodepth += r->achieved_iodepth * r->duration_s;  // time-weighted below
            }
            add_counters(m.counters, r->counters);
        }
        if (!concurrent) {
            m.iops = rate(static_cast<double>(m.ops), m.duration_s);
            m.bytes_per_sec = rate(static_cast<double>(m.bytes), m.duration_s);
            m.achieved_iodepth = rate(m.achieved_iodepth, m.duration_s);
        }
        m.cpu_per_op_ns = m.ops ? (m.cpu.user_s + m.cpu.sys_s) * 1e9 / static_cast<double>(m.ops) : 0.0;
        for (size_t i = 0; i < runs_.size(); ++i)
            if (runs_[i]->net.has_value() != first.net.has_value())
                differs("network", first.net ? "present" : "missing", i, runs_[i]->net ? "present" : "missing");
        if (first.net) m.net = network(m);
        if (first.transfer) m.transfer = transfer(m);
        return m;
    }

    // transfer (optional): counts and CPU add up; rates and per-GB figures follow the merged totals.
    transfer_facts transfer(const run_result& m) const {
        transfer_facts t = *runs_.front()->transfer;
        t.bytes = t.syscalls = t.bytes_zero_copied = t.bytes_copied = 0;
        t.sender_cpu = t.receiver_cpu = {};
        for (const run_result* r : runs_) {
            if (!r->transfer) continue;
            const transfer_facts& x = *r->transfer;
            t.bytes += x.bytes;
            t.syscalls += x.syscalls;
            t.bytes_zero_copied += x.bytes_zero_copied;
            t.bytes_copied += x.bytes_copied;
            t.sender_cpu += x.sender_cpu;
            t.receiver_cpu += x.receiver_cpu;
        }
        t.gbit_per_sec = m.bytes_per_sec * 8 / 1e9;
        const double gb = static_cast<double>(t.bytes) / 1e9;
        t.sender_user_s_per_gb = gb > 0 ? t.sender_cpu.user_s / gb : 0;
        t.sender_sys_s_per_gb = gb > 0 ? t.sender_cpu.sys_s / gb : 0;
        t.syscalls_per_mb = gb > 0 ? static_cast<double>(t.syscalls) / (gb * 1e3) : 0;
        return t;
    }

private:
    template <typename F>
    std::vector<std::string> each(F f) const {
        std::vector<std::string> v;
        for (const run_result* r : runs_) v.push_back(f(*r));
        return v;
    }

    static double rate(double n, double seconds) { return seconds > 0 ? n / seconds : 0.0; }

    [[noreturn]] void differs(const std::string& field, const std::string& a, size_t i, const std::string& b) const {
        throw merge_mismatch(what_ + "." + field + " differs: " + b + " in " + names_[i] + ", " + a + " in " + names_[0]);
    }

    // Sets the status and reason; true when the run was unsupported everywhere.
    bool status(run_result& m) const {
        const auto unsupported = std::count_if(runs_.begin(), runs_.end(),
                                               [](const run_result* r) { return r->status == run_status::unsupported; });
        if (unsupported == static_cast<long>(runs_.size())) {
            m.status = run_status::unsupported;
            m.reason = join_distinct(each([](const run_result& r) { return r.reason; }), "; ");
            return true;
        }
        for (size_t i = 0; i < runs_.size(); ++i)
            if ((runs_[i]->status == run_status::unsupported) != (runs_[0]->status == run_status::unsupported))
                differs("status", std::string(to_string(runs_[0]->status)), i, std::string(to_string(runs_[i]->status)));
        // The worst status wins: one host's failure is the merged run's failure.
        auto rank = [](run_status s) {
            return s == run_status::error ? 3 : s == run_status::interrupted ? 2 : s == run_status::suspect ? 1 : 0;
        };
        for (size_t i = 0; i < runs_.size(); ++i) {
            const run_result& r = *runs_[i];
            if (rank(r.status) > rank(m.status)) m.status = r.status;
            if (r.status != run_status::ok) m.reason += (m.reason.empty() ? "" : "; ") + names_[i] + ": " + r.reason;
        }
        return false;
    }

    // A note every input has is kept as it is; any other says whose it is.
    std::vector<std::string> notes() const {
        std::vector<std::string> out;
        for (size_t i = 0; i < runs_.size(); ++i)
            for (const auto& n : runs_[i]->notes) {
                const bool everywhere = std::all_of(runs_.begin(), runs_.end(), [&](const run_result* r) {
                    return std::find(r->notes.begin(), r->notes.end(), n) != r->notes.end();
                });
                const std::string note = everywhere ? n : names_[i] + ": " + n;
                if (std::find(out.begin(), out.end(), note) == out.end()) out.push_back(note);
            }
        return out;
    }

    static void add_counters(counter_list& into, const counter_list& from) {
        for (const auto& c : from) {
            auto it = std::find_if(into.begin(), into.end(), [&](const named_counter& x) { return x.name == c.name; });
            if (it == into.end()) into.push_back(c);
            else it->value += c.value;
        }
    }

    net_facts network(const run_result& m) const {
        const net_facts& f = *runs_.front()->net;
        for (size_t i = 0; i < runs_.size(); ++i) {
            const net_facts* n = &*runs_[i]->net;
            if (n->side != f.side) differs("network.side", f.side, i, n->side);
            if (n->mode != f.mode) differs("network.mode", f.mode, i, n->mode);
            if (n->client_backend != f.client_backend) differs("network.client_backend", f.client_backend, i, n->client_backend);
            if (n->msg_size != f.msg_size)
                differs("network.msg_size", std::to_string(f.msg_size), i, std::to_string(n->msg_size));
        }
        const bool concurrent = mode_ == merge_mode::concurrent;
        net_facts o;
        o.side = f.side;
        o.mode = f.mode;
        o.target = join_distinct(each([](const run_result& r) { return r.net->target; }));
        o.client_backend = f.client_backend;
        o.client_setup = attributed(each([](const run_result& r) { return r.net->client_setup; }), names_);
        o.msg_size = f.msg_size;
        o.live_connections = concurrent ? 0 : f.live_connections;
        for (const run_result* r : runs_) {
            const net_facts& n = *r->net;
            // Concurrent hosts: connections and rates add up. Repetitions: each
            // asked for the same; the fewest live connections any run ended with.
            o.connections = concurrent ? o.connections + n.connections : std::max(o.connections, n.connections);
            o.live_connections = concurrent ? o.live_connections + n.live_connections
                                            : std::min(o.live_connections, n.live_connections);
            o.target_rate = concurrent ? o.target_rate + n.target_rate : std::max(o.target_rate, n.target_rate);
            o.achieved_rate += concurrent ? n.achieved_rate : n.achieved_rate * r->duration_s;
            o.reconnects += n.reconnects;
            o.bytes_sent += n.bytes_sent;
            o.bytes_received += n.bytes_received;
            o.client_cpu += n.client_cpu;
            o.server_cpu += n.server_cpu;
            o.server_accepted += n.server_accepted;
            o.server_requests += n.server_requests;
            o.server_bytes_in += n.server_bytes_in;
            o.server_bytes_out += n.server_bytes_out;
            o.server_errors += n.server_errors;
        }
        if (!concurrent) o.achieved_rate = rate(o.achieved_rate, m.duration_s);
        o.gbit_per_sec = m.bytes_per_sec * 8 / 1e9;
        return o;
    }

    std::vector<const run_result*> runs_;
    const std::vector<std::string>& names_;
    merge_mode mode_;
    std::string what_;
};

const run_result* find_run(const result_file& f, const run_result& like, const std::string& name) {
    const run_result* found = nullptr;
    for (const auto& r : f.results) {
        if (r.backend != like.backend || r.workload != like.workload) continue;
        if (found)
            throw merge_mismatch("results: " + name + " has " + like.backend + " " + like.workload +
                                 " twice; merge matches runs by backend and workload");
        found = &r;
    }
    return found;
}

}  // namespace

std::string_view to_string(merge_mode m) { return mode_names[static_cast<size_t>(m)]; }

std::optional<merge_mode> parse_merge_mode(std::string_view s) {
    for (size_t i = 0; i < mode_names.size(); ++i)
        if (mode_names[i] == s) return static_cast<merge_mode>(i);
    return std::nullopt;
}

result_file merge_results(const std::vector<merge_input>& inputs, merge_mode mode, const std::string& command_line) {
    if (inputs.empty()) throw merge_mismatch("nothing to merge");
    const result_file& first = inputs.front().file;
    std::vector<std::string> names;
    std::vector<const parameter_map*> params;
    for (const auto& in : inputs) {
        require_same_parameters(first.context.parameters, inputs.front().name, in.file.context.parameters, in.name,
                                "parameters");
        names.push_back(in.name);
        params.push_back(&in.file.context.parameters);
    }

    result_file out;
    out.schema = schema_name;
    run_context& ctx = out.context;
    ctx.host = merged_host(inputs);
    ctx.command_line = command_line;
    ctx.parameters = merged_parameters(params);
    ctx.merge_mode = std::string(to_string(mode));
    ctx.started_at = first.context.started_at;
    for (const auto& in : inputs) {
        const run_context& c = in.file.context;
        ctx.started_at = std::min(ctx.started_at, c.started_at);  // ISO 8601 UTC sorts as text
        merge_source s{in.name, c.started_at, c.command_line, c.host, {}};
        for (const auto key : merge_free_parameters)
            if (const auto it = c.parameters.find(std::string(key)); it != c.parameters.end()) s.parameters.insert(*it);
        ctx.merged_from.push_back(std::move(s));
    }

    // Every input has the same runs: none missing, none extra.
    for (size_t i = 1; i < inputs.size(); ++i)
        for (const auto& r : inputs[i].file.results)
            if (!find_run(first, r, names[0]))
                throw merge_mismatch("results: " + names[i] + " has " + r.backend + " " + r.workload + ", " + names[0] +
                                     " has not");
    for (const auto& r : first.results) {
        std::vector<const run_result*> runs;
        for (size_t i = 0; i < inputs.size(); ++i) {
            const run_result* match = find_run(inputs[i].file, r, names[i]);
            if (!match)
                throw merge_mismatch("results: " + names[0] + " has " + r.backend + " " + r.workload + ", " + names[i] +
                                     " has not");
            runs.push_back(match);
        }
        out.results.push_back(run_merger(std::move(runs), names, mode).merge());
    }
    return out;
}

}  // namespace iobench
