// The self-checks and achieved-vs-requested (see run_checks.hpp).
#include "harness/run/run_checks.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string>

namespace iobench {

namespace {

std::string fmt(const char* f, double a, double b = 0, double c = 0) {
    char buf[256];
    std::snprintf(buf, sizeof buf, f, a, b, c);
    return buf;
}

void mark_suspect(run_result& r, const std::string& why) {
    if (r.status != run_status::ok && r.status != run_status::suspect) {
        r.notes.push_back("check failed: " + why);
        return;
    }
    r.status = run_status::suspect;
    r.reason += (r.reason.empty() ? "" : "; ") + why;
}

constexpr double below_fraction = 0.95;

}  // namespace

void apply_checks(run_result& r, const check_inputs& in) {
    run_checks& k = r.checks.emplace();
    k.negative_latencies = in.negative_latencies;
    if (in.negative_latencies)
        mark_suspect(r, std::to_string(in.negative_latencies) +
                            " completion(s) with a latency below zero (completion stamped before its submit)");

    if (in.inflight_mean && *in.inflight_mean > 0 && r.ops > 0) {
        littles_law_check l;
        l.inflight_mean = *in.inflight_mean;
        l.iops_x_latency = r.iops * r.latency.mean() / 1e9;
        l.ratio = l.iops_x_latency / l.inflight_mean;
        l.ok = l.ratio >= littles_law_low && l.ratio <= littles_law_high;
        if (!l.ok)
            mark_suspect(r, fmt("Little's law off: iops x mean latency = %.3f, mean in flight = %.3f (ratio %.3f, "
                                "outside 0.9-1.1)",
                                l.iops_x_latency, l.inflight_mean, l.ratio));
        k.littles_law = l;
    }

    // Ops in flight at the window's end, as censored samples (their age then, a lower bound).
    r.at_end = inflight_at_end{in.censored.count(), in.censored_oldest_ns};
    if (in.censored.count()) {
        const uint64_t p99_without = r.latency.percentile(99);
        histogram with = r.latency;
        with.merge(in.censored);
        const uint64_t p99_with = with.percentile(99);
        const long moved = std::labs(static_cast<long>(histogram::index_of(p99_with)) -
                                     static_cast<long>(histogram::index_of(p99_without)));
        if (r.ops > 0 && moved > 1) {
            k.censored_moves_p99 = true;
            mark_suspect(r, std::to_string(in.censored.count()) + " op(s) still in flight at the window's end (oldest " +
                                fmt("%.3f ms", static_cast<double>(in.censored_oldest_ns) / 1e6) +
                                ") move p99 from " + std::to_string(p99_without) + " ns to " + std::to_string(p99_with) +
                                " ns");
        }
        r.latency = with;
        r.censored = in.censored.count();
    }

    const histogram& h = r.latency;
    const uint64_t q[] = {h.min(), h.percentile(50), h.percentile(90), h.percentile(99), h.percentile(99.9),
                          h.percentile(99.99), h.max()};
    for (size_t i = 1; i < std::size(q); ++i)
        if (q[i - 1] > q[i]) k.percentiles_ordered = false;
    if (!k.percentiles_ordered) mark_suspect(r, "latency percentiles out of order (min <= p50 <= ... <= max fails)");
}

void apply_achieved(run_result& r, achieved_facts a) {
    a.below_request.clear();
    if (r.ops == 0) {  // nothing ran to compare (unsupported, failed at once)
        r.achieved = std::move(a);
        return;
    }
    auto below = [&](const char* name, double got, double asked, const char* what) {
        if (asked <= 0 || got >= below_fraction * asked) return;
        a.below_request.push_back(name);
        r.notes.push_back(std::string("achieved ") + name +
                          fmt(" %.1f of %.0f requested (%.1f%%): ", got, asked, 100 * got / asked) + what);
    };
    below("iodepth", a.iodepth_mean, a.iodepth_requested, "the backend held fewer ops in flight than asked");
    below("rate", a.rate, a.rate_requested, "the open loop fell behind its schedule");
    below("connections", a.connections_live, a.connections_requested, "connections were lost");
    r.achieved = std::move(a);
}

}  // namespace iobench
