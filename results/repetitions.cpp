// Folding repetitions into one run (see repetitions.hpp).
#include "results/repetitions.hpp"

#include <algorithm>
#include <cmath>

namespace iobench {

namespace {

int severity(run_status s) {
    switch (s) {
    case run_status::error: return 4;
    case run_status::unsupported: return 3;
    case run_status::interrupted: return 2;
    case run_status::suspect: return 1;
    case run_status::ok: return 0;
    }
    return 0;
}

template <typename F>
std::vector<double> each(const std::vector<run_result>& reps, F f) {
    std::vector<double> v;
    v.reserve(reps.size());
    for (const auto& r : reps) v.push_back(f(r));
    return v;
}

double littles_off(const run_result& r) {
    if (!r.checks || !r.checks->littles_law) return 0;
    return std::abs(r.checks->littles_law->ratio - 1.0);
}

}  // namespace

double median_of(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

spread_stat spread_of(std::span<const double> v) {
    spread_stat s;
    if (v.empty()) return s;
    s.min = *std::min_element(v.begin(), v.end());
    s.max = *std::max_element(v.begin(), v.end());
    double mean = 0;
    for (double x : v) mean += x;
    mean /= static_cast<double>(v.size());
    double var = 0;
    for (double x : v) var += (x - mean) * (x - mean);
    var /= static_cast<double>(v.size());
    s.cv = mean != 0 ? std::sqrt(var) / mean : 0;
    return s;
}

run_result combine_repetitions(std::vector<run_result> reps) {
    if (reps.size() == 1) return std::move(reps.front());
    run_result r;
    const run_result& first = reps.front();
    r.backend = first.backend;
    r.workload = first.workload;
    r.setup = first.setup;
    // Each repetition's own shortfall note is replaced by one for the run (below).
    for (const auto& n : first.notes)
        if (!n.starts_with("achieved ")) r.notes.push_back(n);
    r.parameters = first.parameters;
    r.threads = first.threads;
    r.net = first.net;
    r.transfer = first.transfer;
    r.counters = first.counters;
    for (auto& c : r.counters) c.value = 0;
    int worst = -1;
    for (size_t i = 0; i < reps.size(); ++i) {
        const run_result& x = reps[i];
        if (severity(x.status) > worst) {
            worst = severity(x.status);
            r.status = x.status;
            r.reason = x.reason.empty() ? "" : "repetition " + std::to_string(i + 1) + ": " + x.reason;
        }
        r.ops += x.ops;
        r.bytes += x.bytes;
        r.errors += x.errors;
        r.read_ops += x.read_ops;
        r.write_ops += x.write_ops;
        r.fsyncs += x.fsyncs;
        r.duration_s += x.duration_s;
        r.cpu += x.cpu;
        r.latency.merge(x.latency);
        r.censored += x.censored;
        for (const auto& c : x.counters)
            for (auto& mine : r.counters)
                if (mine.name == c.name) mine.value += c.value;
        for (const auto& n : x.notes)
            if (!n.starts_with("achieved ") && std::find(r.notes.begin(), r.notes.end(), n) == r.notes.end())
                r.notes.push_back(n);
    }
    const auto iops = each(reps, [](const run_result& x) { return x.iops; });
    const auto bps = each(reps, [](const run_result& x) { return x.bytes_per_sec; });
    const auto p50 = each(reps, [](const run_result& x) { return static_cast<double>(x.latency.percentile(50)); });
    const auto p99 = each(reps, [](const run_result& x) { return static_cast<double>(x.latency.percentile(99)); });
    const auto cpu = each(reps, [](const run_result& x) { return x.cpu_per_op_ns; });
    r.iops = median_of(iops);
    r.bytes_per_sec = median_of(bps);
    r.cpu_per_op_ns = median_of(cpu);
    r.achieved_iodepth = median_of(each(reps, [](const run_result& x) { return x.achieved_iodepth; }));
    r.spread = run_spread{spread_of(iops), spread_of(bps), spread_of(p50), spread_of(p99), spread_of(cpu)};
    if (r.net) {
        r.net->achieved_rate = median_of(each(reps, [](const run_result& x) { return x.net ? x.net->achieved_rate : 0; }));
        r.net->gbit_per_sec = r.bytes_per_sec * 8 / 1e9;
    }
    if (r.transfer) {  // medians of the per-repetition rates; counts are the first repetition's
        auto tf = [&](double transfer_facts::*f) {
            return median_of(each(reps, [f](const run_result& x) { return x.transfer ? (*x.transfer).*f : 0; }));
        };
        r.transfer->gbit_per_sec = tf(&transfer_facts::gbit_per_sec);
        r.transfer->sender_user_s_per_gb = tf(&transfer_facts::sender_user_s_per_gb);
        r.transfer->sender_sys_s_per_gb = tf(&transfer_facts::sender_sys_s_per_gb);
        r.transfer->syscalls_per_mb = tf(&transfer_facts::syscalls_per_mb);
        r.transfer->cached_fraction = tf(&transfer_facts::cached_fraction);
    }

    // The checks of the worst repetition, with every repetition's failures kept.
    const auto worst_check = std::max_element(
        reps.begin(), reps.end(), [](const run_result& a, const run_result& b) { return littles_off(a) < littles_off(b); });
    if (worst_check->checks) {
        r.checks = worst_check->checks;
        for (const auto& x : reps) {
            if (!x.checks) continue;
            r.checks->negative_latencies = std::max(r.checks->negative_latencies, x.checks->negative_latencies);
            r.checks->percentiles_ordered = r.checks->percentiles_ordered && x.checks->percentiles_ordered;
            r.checks->censored_moves_p99 = r.checks->censored_moves_p99 || x.checks->censored_moves_p99;
        }
    }
    // Achieved: medians of the figures, the union of the shortfalls.
    if (first.achieved) {
        achieved_facts a = *first.achieved;
        a.iodepth_mean = median_of(each(reps, [](const run_result& x) { return x.achieved ? x.achieved->iodepth_mean : 0; }));
        a.iodepth_p50 = median_of(each(reps, [](const run_result& x) { return x.achieved ? x.achieved->iodepth_p50 : 0; }));
        a.rate = median_of(each(reps, [](const run_result& x) { return x.achieved ? x.achieved->rate : 0; }));
        a.below_request.clear();
        for (const auto& x : reps)
            if (x.achieved)
                for (const auto& b : x.achieved->below_request)
                    if (std::find(a.below_request.begin(), a.below_request.end(), b) == a.below_request.end())
                        a.below_request.push_back(b);
        for (const auto& b : a.below_request) {
            const auto n = std::count_if(reps.begin(), reps.end(), [&](const run_result& x) {
                return x.achieved && std::find(x.achieved->below_request.begin(), x.achieved->below_request.end(), b) !=
                                         x.achieved->below_request.end();
            });
            r.notes.push_back("achieved " + b + " below 95% of the request in " + std::to_string(n) + " of " +
                              std::to_string(reps.size()) + " repetitions (see repetitions[].achieved)");
        }
        r.achieved = std::move(a);
    }
    for (auto& x : reps) {
        x.parameters.clear();  // the run's own; a repetition carries its measured fields only
        x.notes.clear();
        x.net.reset();
    }
    r.repetitions = std::move(reps);
    return r;
}

}  // namespace iobench
