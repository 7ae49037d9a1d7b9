// Rank tests for the regression gate. The exact path counts, for every way of
// choosing which m of the N pooled values are x's, the sum of their ranks: a
// small dynamic programme over doubled (integer) midranks, so ties are exact
// too (scipy's "exact" ignores ties; this does not).
#include "results/rank_tests.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <numeric>

namespace iobench {

namespace {

// Doubled midranks (1-based ranks x 2, integers even with ties) of x then y in
// the pooled sample, and the tie term sum(t^3 - t) over groups of equal values.
struct pooled_ranks {
    std::vector<unsigned> doubled;  // x's first, then y's
    double tie_term = 0;
};

pooled_ranks rank(std::span<const double> x, std::span<const double> y) {
    const size_t n = x.size() + y.size();
    std::vector<double> v(x.begin(), x.end());
    v.insert(v.end(), y.begin(), y.end());
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
    pooled_ranks r;
    r.doubled.resize(n);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && v[order[j + 1]] == v[order[i]]) ++j;
        for (size_t k = i; k <= j; ++k) r.doubled[order[k]] = static_cast<unsigned>(i + j + 2);
        const double t = static_cast<double>(j - i + 1);
        r.tie_term += t * t * t - t;
        i = j + 1;
    }
    return r;
}

// counts[s]: the number of m-subsets of `doubled` whose sum is s.
std::vector<double> subset_sum_counts(std::span<const unsigned> doubled, size_t m) {
    const unsigned total = std::accumulate(doubled.begin(), doubled.end(), 0u);
    std::vector<std::vector<double>> dp(m + 1, std::vector<double>(total + 1, 0.0));
    dp[0][0] = 1;
    for (size_t t = 0; t < doubled.size(); ++t) {
        const unsigned r = doubled[t];
        for (size_t k = std::min(m, t + 1); k >= 1; --k)
            for (unsigned s = total; s >= r; --s) dp[k][s] += dp[k - 1][s - r];
    }
    return std::move(dp[m]);
}

// P(sum of x's doubled ranks <= s_obs) under H0.
double exact_lower_tail(std::span<const unsigned> doubled, size_t m, unsigned s_obs) {
    const std::vector<double> counts = subset_sum_counts(doubled, m);
    double below = 0, all = 0;
    for (size_t s = 0; s < counts.size(); ++s) {
        all += counts[s];
        if (s <= s_obs) below += counts[s];
    }
    return all > 0 ? below / all : 1.0;
}

double normal_sf(double z) { return boost::math::cdf(boost::math::complement(boost::math::normal_distribution<>(), z)); }

}  // namespace

u_test mann_whitney_less(std::span<const double> x, std::span<const double> y, u_method method) {
    u_test out;
    const size_t m = x.size(), n = y.size();
    if (m == 0 || n == 0) return out;
    const pooled_ranks pr = rank(x, y);
    const unsigned s_obs = std::accumulate(pr.doubled.begin(), pr.doubled.begin() + static_cast<long>(m), 0u);
    const double mm = static_cast<double>(m), nn = static_cast<double>(n), total = mm + nn;
    out.u = s_obs / 2.0 - mm * (mm + 1) / 2;
    out.exact = method == u_method::exact || (method == u_method::automatic && m + n <= exact_limit);
    if (out.exact) {
        out.p = exact_lower_tail(pr.doubled, m, s_obs);
        return out;
    }
    // As scipy.stats.mannwhitneyu(method="asymptotic", use_continuity=True)
    // computes the "less" side: the upper tail of the other sample's U.
    const double u2 = mm * nn - out.u;
    const double sigma = std::sqrt(mm * nn / 12 * ((total + 1) - pr.tie_term / (total * (total - 1))));
    out.p = sigma > 0 ? normal_sf((u2 - mm * nn / 2 - 0.5) / sigma) : 1.0;
    return out;
}

double smallest_p(size_t m, size_t n) {
    // 1 / C(m+n, m), built as a product so it never overflows.
    double p = 1;
    for (size_t i = 1; i <= m; ++i) p *= static_cast<double>(i) / static_cast<double>(n + i);
    return p;
}

std::vector<double> benjamini_hochberg(std::span<const double> p) {
    const size_t k = p.size();
    std::vector<size_t> order(k);
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
    std::vector<double> q(k);
    double running = 1.0;  // q_(i) = min over j >= i of p_(j) * k / j
    for (size_t i = k; i-- > 0;) {
        running = std::min(running, p[order[i]] * static_cast<double>(k) / static_cast<double>(i + 1));
        q[order[i]] = running;
    }
    return q;
}

shift_estimate hodges_lehmann(std::span<const double> x, std::span<const double> y, double confidence) {
    shift_estimate out;
    const size_t m = x.size(), n = y.size();
    if (m == 0 || n == 0) return out;
    std::vector<double> d;
    d.reserve(m * n);
    for (const double a : x)
        for (const double b : y) d.push_back(b - a);
    std::sort(d.begin(), d.end());
    const size_t mn = d.size();
    out.shift = mn % 2 ? d[mn / 2] : (d[mn / 2 - 1] + d[mn / 2]) / 2;
    // The interval is [D_(c), D_(mn+1-c)] (1-based), c the largest count with
    // P(U <= c-1) <= alpha/2 under H0 for these sizes (no ties assumed, as
    // the textbook interval does).
    const double half_alpha = (1 - confidence) / 2;
    const double mm = static_cast<double>(m), nn = static_cast<double>(n);
    size_t c = 0;
    if (m + n <= exact_limit) {
        std::vector<unsigned> doubled(m + n);
        for (size_t i = 0; i < doubled.size(); ++i) doubled[i] = static_cast<unsigned>(2 * (i + 1));
        const std::vector<double> counts = subset_sum_counts(doubled, m);
        const double all = std::accumulate(counts.begin(), counts.end(), 0.0);
        // U = S/2 - m(m+1)/2; without ties every S is even, so U = u is S = m(m+1) + 2u.
        const size_t base = m * (m + 1);
        double below = 0;
        for (size_t u = 0; u < mn && base + 2 * u < counts.size(); ++u) {
            below += counts[base + 2 * u];
            if (below / all > half_alpha) break;
            c = u + 1;  // P(U <= c-1) <= alpha/2 still holds
        }
    } else {
        const double z = boost::math::quantile(boost::math::normal_distribution<>(), 1 - half_alpha);
        const double k = std::floor(mm * nn / 2 - z * std::sqrt(mm * nn * (mm + nn + 1) / 12));
        c = k >= 1 ? static_cast<size_t>(k) : 0;
    }
    if (c >= 1 && c <= mn) {
        out.lower = d[c - 1];
        out.upper = d[mn - c];
        out.bounded = true;
    }
    return out;
}

}  // namespace iobench
