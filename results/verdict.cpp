// The gate's verdicts: rank tests per metric, one false-discovery correction
// across the run, then the rule that turns the numbers into a word.
#include "results/verdict.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace iobench {

namespace {

double median(std::span<const double> s) {
    std::vector<double> v(s.begin(), s.end());
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double relative(double x, double base) { return base != 0 ? x / std::abs(base) : 0; }

}  // namespace

std::string_view to_string(verdict v) {
    switch (v) {
    case verdict::regression: return "regression";
    case verdict::improvement: return "improvement";
    case verdict::equivalent: return "equivalent";
    case verdict::inconclusive: return "inconclusive";
    case verdict::insufficient: return "insufficient";
    }
    return "?";
}

metric_comparison compare_samples(std::span<const double> base, std::span<const double> fresh, better direction,
                                  const gate_options& o) {
    metric_comparison c;
    c.direction = direction;
    c.base_n = base.size();
    c.new_n = fresh.size();
    c.base_median = median(base);
    c.new_median = median(fresh);
    c.change = relative(c.new_median - c.base_median, c.base_median);
    // "New is smaller" is worse for throughput and better for latency.
    const double p_new_smaller = mann_whitney_less(fresh, base).p;
    const double p_new_larger = mann_whitney_less(base, fresh).p;
    c.p_worse = direction == better::higher ? p_new_smaller : p_new_larger;
    c.p_better = direction == better::higher ? p_new_larger : p_new_smaller;
    c.q_worse = c.p_worse;
    c.q_better = c.p_better;
    c.shift = hodges_lehmann(base, fresh, o.confidence);
    c.shift_rel = relative(c.shift.shift, c.base_median);
    c.lower_rel = relative(c.shift.lower, c.base_median);
    c.upper_rel = relative(c.shift.upper, c.base_median);
    return c;
}

void decide(std::span<metric_comparison> all, const gate_options& o) {
    std::vector<double> worse, improved;
    for (const metric_comparison& c : all) {
        worse.push_back(c.p_worse);
        improved.push_back(c.p_better);
    }
    const std::vector<double> qw = benjamini_hochberg(worse), qb = benjamini_hochberg(improved);
    for (size_t i = 0; i < all.size(); ++i) {
        metric_comparison& c = all[i];
        c.q_worse = qw[i];
        c.q_better = qb[i];
        if (c.base_n == 0 || c.new_n == 0 || smallest_p(c.base_n, c.new_n) >= o.alpha) {
            c.result = verdict::insufficient;
            c.needed_per_side = 1;
            while (smallest_p(c.needed_per_side, c.needed_per_side) >= o.alpha) ++c.needed_per_side;
            continue;
        }
        // A bad change is a fall for "higher is better" and a rise for "lower is better".
        const double bad = c.direction == better::higher ? -c.change : c.change;
        // A comparison's own (auto) threshold raises the bar for a change;
        // evidence of no change still means inside the gate's own threshold,
        // so a noisy metric is never "equivalent" by a wide margin.
        const double threshold = c.threshold > 0 ? c.threshold : o.threshold;
        const double margin = std::min(threshold, o.threshold);
        if (bad > threshold && c.q_worse < o.alpha) c.result = verdict::regression;
        else if (-bad > threshold && c.q_better < o.alpha) c.result = verdict::improvement;
        else if (c.shift.bounded && c.lower_rel >= -margin && c.upper_rel <= margin)
            c.result = verdict::equivalent;
        else c.result = verdict::inconclusive;
    }
}

double auto_threshold(std::span<const double> base, double confidence, double k) {
    std::vector<double> even, odd;  // alternate halves: drift over the run hits both
    for (size_t i = 0; i < base.size(); ++i) (i % 2 ? odd : even).push_back(base[i]);
    if (even.empty() || odd.empty()) return 0.03;
    shift_estimate aa = hodges_lehmann(even, odd, confidence);
    if (!aa.bounded) {  // the interval of all pairwise differences
        aa.lower = aa.upper = odd.front() - even.front();
        for (const double a : even)
            for (const double b : odd) aa.lower = std::min(aa.lower, b - a), aa.upper = std::max(aa.upper, b - a);
    }
    const double m = median(base);
    const double noise = std::max(std::abs(relative(aa.lower, m)), std::abs(relative(aa.upper, m)));
    return std::max(0.03, k * noise);
}

}  // namespace iobench
