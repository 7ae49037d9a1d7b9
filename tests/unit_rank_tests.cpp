// The regression gate's statistics against published values: the one-sided
// Mann-Whitney U test (scipy.stats.mannwhitneyu 1.10, alternative="less",
// method="exact" / "asymptotic"; the exact value with ties from a brute-force
// enumeration of all C(15,7) splits), Benjamini-Hochberg and Hodges-Lehmann.
#include "results/rank_tests.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace iobench {
namespace {

using v = std::vector<double>;

const v a5{1.1, 2.2, 3.3, 4.4, 5.5}, b5{6.6, 7.7, 8.8, 9.9, 10.1};
const v a6{10.0, 12.5, 11.2, 14.1, 9.8, 13.3}, b7{12.9, 15.2, 14.8, 16.1, 13.7, 17.0, 15.5};
const v ties7{1, 2, 2, 3, 3, 3, 4}, ties8{2, 3, 4, 4, 5, 5, 6, 6};
// numpy default_rng(7): normal(100, 5) and normal(103, 5), rounded to 0.01 (with ties).
const v x25{100.01, 101.49, 98.63, 95.55, 97.73, 95.04, 100.3,  106.7, 97.54, 96.9,  102.45, 101.78, 100.53,
            95.35,  99.85,  103.48, 93.28, 97.71, 90.49, 93.55, 90.79, 98.82, 93.66, 101.36, 100.78};
const v y25{102.07, 90.42,  100.31, 102.76, 103.57, 95.35, 100.61, 98.11, 98.96, 108.3, 98.96, 102.84, 107.42,
            100.08, 102.44, 103.55, 103.32, 96.87, 103.38, 109.79, 95.26, 107.3, 103.6, 99.79, 113.0};

TEST(mann_whitney, exact_matches_scipy_without_ties) {
    const u_test r = mann_whitney_less(a5, b5, u_method::exact);
    EXPECT_TRUE(r.exact);
    EXPECT_DOUBLE_EQ(r.u, 0.0);
    EXPECT_NEAR(r.p, 0.003968253968253968, 1e-12);
    EXPECT_NEAR(mann_whitney_less(a6, b7, u_method::exact).p, 0.004079254079254079, 1e-12);
    EXPECT_DOUBLE_EQ(mann_whitney_less(a6, b7).u, 3.0);
    EXPECT_NEAR(mann_whitney_less(v{1, 2, 3}, v{4, 5, 6}, u_method::exact).p, 0.05, 1e-12);
    // The other direction: scipy's "greater" of (a, b) is "less" of (b, a).
    EXPECT_NEAR(mann_whitney_less(b5, a5, u_method::exact).p, 1.0, 1e-12);
    EXPECT_NEAR(mann_whitney_less(b7, a6, u_method::exact).p, 0.9976689976689977, 1e-12);
}

TEST(mann_whitney, exact_counts_ties_exactly) {
    const u_test r = mann_whitney_less(ties7, ties8, u_method::exact);
    EXPECT_DOUBLE_EQ(r.u, 8.5);
    EXPECT_NEAR(r.p, 86.0 / 6435.0, 1e-12);  // brute force; scipy's tie-blind "exact" says 0.01445
}

TEST(mann_whitney, asymptotic_matches_scipy_with_tie_and_continuity_correction) {
    EXPECT_NEAR(mann_whitney_less(a5, b5, u_method::asymptotic).p, 0.006092890177672406, 1e-12);
    EXPECT_NEAR(mann_whitney_less(a6, b7, u_method::asymptotic).p, 0.006209665325776132, 1e-12);
    EXPECT_NEAR(mann_whitney_less(ties7, ties8, u_method::asymptotic).p, 0.012572380586678684, 1e-12);
    EXPECT_NEAR(mann_whitney_less(x25, y25, u_method::asymptotic).p, 0.0023769724390553387, 1e-12);
    EXPECT_NEAR(mann_whitney_less(b5, a5, u_method::asymptotic).p, 0.9966923245172357, 1e-12);
    EXPECT_NEAR(mann_whitney_less(y25, x25, u_method::asymptotic).p, 0.9977630196659807, 1e-12);
    EXPECT_DOUBLE_EQ(mann_whitney_less(x25, y25).u, 166.5);
}

TEST(mann_whitney, automatic_is_exact_for_repetition_sized_samples) {
    EXPECT_TRUE(mann_whitney_less(x25, y25).exact);  // 50 values: within exact_limit
    const v big(40, 1.0), other(40, 2.0);
    EXPECT_FALSE(mann_whitney_less(big, other).exact);
    EXPECT_DOUBLE_EQ(mann_whitney_less(v{}, b5).p, 1.0);
    EXPECT_DOUBLE_EQ(mann_whitney_less(v{3, 3}, v{3, 3}, u_method::asymptotic).p, 1.0) << "all tied: no evidence";
}

TEST(mann_whitney, smallest_p_says_when_alpha_is_out_of_reach) {
    EXPECT_NEAR(smallest_p(3, 3), 0.05, 1e-15);  // 3 vs 3 can never go below 0.05
    EXPECT_NEAR(smallest_p(5, 5), 1.0 / 252, 1e-15);
    EXPECT_NEAR(smallest_p(1, 1), 0.5, 1e-15);
}

TEST(benjamini_hochberg, adjusts_in_the_given_order) {
    const std::vector<double> q = benjamini_hochberg(v{0.01, 0.04, 0.03, 0.005});
    ASSERT_EQ(q.size(), 4u);
    EXPECT_NEAR(q[0], 0.02, 1e-15);
    EXPECT_NEAR(q[1], 0.04, 1e-15);
    EXPECT_NEAR(q[2], 0.04, 1e-15);
    EXPECT_NEAR(q[3], 0.02, 1e-15);
    EXPECT_TRUE(benjamini_hochberg(v{}).empty());
    EXPECT_NEAR(benjamini_hochberg(v{0.9, 0.5})[0], 0.9, 1e-15);  // never above the raw p's monotone envelope
}

TEST(hodges_lehmann, shift_and_interval) {
    const shift_estimate s = hodges_lehmann(a5, b5);
    EXPECT_DOUBLE_EQ(s.shift, 5.5);  // median of the 25 differences
    ASSERT_TRUE(s.bounded);
    // 5 vs 5 at 95%: c = 3 (P(U <= 2) = 4/252 <= 0.025 < P(U <= 3) = 7/252): D(3) and D(23).
    EXPECT_NEAR(s.lower, 2.2, 1e-12);
    EXPECT_NEAR(s.upper, 7.9, 1e-12);
    // A pure shift is found exactly, inside its interval.
    v moved;
    for (const double x : x25) moved.push_back(x + 5);
    const shift_estimate m = hodges_lehmann(x25, moved);
    EXPECT_NEAR(m.shift, 5.0, 1e-9);
    EXPECT_LE(m.lower, 5.0);
    EXPECT_GE(m.upper, 5.0);
    EXPECT_FALSE(hodges_lehmann(v{1, 2}, v{3, 4}).bounded) << "2 vs 2 cannot reach 95%";
}

}  // namespace
}  // namespace iobench
