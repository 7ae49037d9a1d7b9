// The gate's verdict rule on constructed repetitions: each verdict, the
// direction of each metric kind, BH across a run, and --threshold auto.
#include "results/verdict.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace iobench {
namespace {

using v = std::vector<double>;

const v base_iops{100.0, 101.2, 99.1, 100.6, 99.4, 100.2, 99.7, 100.9, 99.9, 100.4};

v scaled(const v& x, double f) {
    v out;
    for (const double e : x) out.push_back(e * f);
    return out;
}

verdict one(const v& base, const v& fresh, better dir, gate_options o = {}) {
    metric_comparison c = compare_samples(base, fresh, dir, o);
    decide(std::span(&c, 1), o);
    return c.result;
}

TEST(verdict, ten_percent_fewer_iops_is_a_regression) {
    metric_comparison c = compare_samples(base_iops, scaled(base_iops, 0.9), better::higher);
    decide(std::span(&c, 1));
    EXPECT_EQ(c.result, verdict::regression);
    EXPECT_NEAR(c.change, -0.1, 0.005);
    EXPECT_LT(c.q_worse, 0.05);
    EXPECT_TRUE(c.shift.bounded);
    EXPECT_LT(c.upper_rel, -0.05) << "the whole interval is a fall";
}

TEST(verdict, direction_follows_the_metric) {
    // The same numbers: more is a regression for latency, an improvement for IOPS.
    EXPECT_EQ(one(base_iops, scaled(base_iops, 1.2), better::lower), verdict::regression);
    EXPECT_EQ(one(base_iops, scaled(base_iops, 1.2), better::higher), verdict::improvement);
    EXPECT_EQ(one(base_iops, scaled(base_iops, 0.8), better::lower), verdict::improvement);
}

TEST(verdict, the_same_distribution_is_equivalent_with_evidence) {
    const v again{100.3, 99.6, 100.8, 99.2, 100.1, 100.7, 99.5, 100.0, 101.0, 99.8};
    EXPECT_EQ(one(base_iops, again, better::higher), verdict::equivalent);
}

TEST(verdict, a_real_but_small_change_is_not_a_regression) {
    // 2% lower and significant, but inside the 5% threshold: never a regression.
    EXPECT_NE(one(base_iops, scaled(base_iops, 0.98), better::higher), verdict::regression);
}

TEST(verdict, noisy_samples_are_inconclusive) {
    const v noisy_base{100, 80, 120, 95, 110, 70, 130, 90};
    const v noisy_new{96, 75, 118, 92, 105, 66, 127, 85};
    EXPECT_EQ(one(noisy_base, noisy_new, better::higher), verdict::inconclusive);
}

TEST(verdict, three_against_three_cannot_reach_alpha) {
    metric_comparison c = compare_samples(v{100, 101, 99}, v{50, 51, 49}, better::higher);
    decide(std::span(&c, 1));
    EXPECT_EQ(c.result, verdict::insufficient);
    EXPECT_EQ(c.needed_per_side, 4u);  // 1/C(8,4) = 1/70 < 0.05
}

TEST(verdict, benjamini_hochberg_keeps_noise_from_failing_a_gate_run) {
    // 18 comparisons (6 backends x 3 metrics) of the same distribution: p-values
    // vary, but after BH none is a regression.
    std::vector<metric_comparison> all;
    const v shifts[] = {{100.1, 99.8, 100.4, 99.9, 100.2, 99.7, 100.3, 100.0},
                        {99.6, 100.5, 99.9, 100.2, 100.1, 99.8, 100.6, 99.5}};
    for (int i = 0; i < 18; ++i) all.push_back(compare_samples(shifts[i % 2], shifts[(i + 1) % 2], better::higher));
    decide(all);
    for (const metric_comparison& c : all) EXPECT_NE(c.result, verdict::regression);
}

TEST(verdict, auto_threshold_is_at_least_three_percent_and_grows_with_noise) {
    EXPECT_DOUBLE_EQ(auto_threshold(base_iops), 0.03);
    const v noisy{100, 85, 118, 92, 107, 76, 124, 95, 111, 88};
    EXPECT_GT(auto_threshold(noisy), 0.05);
}

TEST(verdict, auto_threshold_bounds_a_five_repetition_base_and_scales_with_k) {
    // Halves {100, 98, 100} and {104, 102} cannot bound a 95% interval; all
    // their differences span +2..+6, so the noise is 6% of the median 100.
    const v five{100, 104, 98, 102, 100};
    EXPECT_NEAR(auto_threshold(five, 0.95, 1), 0.06, 1e-12);
    EXPECT_NEAR(auto_threshold(five, 0.95, 2), 0.12, 1e-12);
    EXPECT_DOUBLE_EQ(auto_threshold(v{100}), 0.03) << "one repetition has no A/A";
}

TEST(verdict, a_comparisons_own_threshold_wins_over_the_gates) {
    metric_comparison c = compare_samples(base_iops, scaled(base_iops, 0.9), better::higher);
    c.threshold = 0.2;  // --threshold auto found the base this noisy
    decide(std::span(&c, 1));
    EXPECT_NE(c.result, verdict::regression);
}

TEST(verdict, a_wide_auto_threshold_never_makes_a_big_change_equivalent) {
    // -10% with a 20% own threshold: not a regression, and not "equivalent"
    // either, since the interval is far outside the gate's 5%.
    metric_comparison c = compare_samples(base_iops, scaled(base_iops, 0.9), better::higher);
    c.threshold = 0.2;
    decide(std::span(&c, 1));
    EXPECT_EQ(c.result, verdict::inconclusive);
    metric_comparison same = compare_samples(base_iops, base_iops, better::higher);
    same.threshold = 0.2;
    decide(std::span(&same, 1));
    EXPECT_EQ(same.result, verdict::equivalent);
}

TEST(verdict, names) {
    EXPECT_EQ(to_string(verdict::regression), "regression");
    EXPECT_EQ(to_string(verdict::equivalent), "equivalent");
    EXPECT_EQ(to_string(verdict::insufficient), "insufficient");
}

}  // namespace
}  // namespace iobench
