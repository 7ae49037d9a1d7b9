// Folding repetitions into one run: medians, spread, exact histogram merge,
// totals, worst status, worst checks. Links only the results library.
#include "results/repetitions.hpp"
#include "tests/results_fixture.hpp"

#include <gtest/gtest.h>

using namespace iobench;
using namespace iobench::test;

namespace {

run_result rep(double iops, uint64_t scale, run_status s = run_status::ok, double ratio = 1.0) {
    run_result r;
    r.backend = "io_uring";
    r.workload = "randread";
    r.status = s;
    r.reason = s == run_status::ok ? "" : "bad";
    r.ops = 201;
    r.bytes = 201 * 4096;
    r.duration_s = 1;
    r.iops = iops;
    r.bytes_per_sec = iops * 4096;
    r.latency = fixed_histogram(scale);
    r.censored = 1;
    r.cpu = {0.5, 0.25};
    r.cpu_per_op_ns = iops / 100;
    r.counters = {{"submit_calls", 7}};
    r.checks = run_checks{littles_law_check{8, 8 * ratio, ratio, ratio > 0.9 && ratio < 1.1}, 0, true, false};
    return r;
}

TEST(repetitions, median_and_spread) {
    EXPECT_EQ(median_of({}), 0);
    EXPECT_EQ(median_of({3, 1, 2}), 2);
    EXPECT_EQ(median_of({4, 1, 2, 3}), 2.5);
    const double v[] = {90, 100, 110};
    const spread_stat s = spread_of(v);
    EXPECT_EQ(s.min, 90);
    EXPECT_EQ(s.max, 110);
    EXPECT_NEAR(s.cv, 8.16497 / 100, 1e-6);  // population stddev / mean
    const double zero[] = {0, 0};
    EXPECT_EQ(spread_of(zero).cv, 0);
}

TEST(repetitions, one_repetition_is_the_run_itself) {
    const run_result r = combine_repetitions({rep(100, 1)});
    EXPECT_TRUE(r.repetitions.empty());
    EXPECT_FALSE(r.spread.has_value());
    EXPECT_EQ(r.iops, 100);
}

TEST(repetitions, fold_into_medians_totals_and_an_exact_merge) {
    const run_result r = combine_repetitions({rep(300, 1), rep(100, 2), rep(200, 3)});
    ASSERT_EQ(r.repetitions.size(), 3u);
    EXPECT_EQ(r.repetitions[1].iops, 100);  // kept in the order they ran
    EXPECT_EQ(r.iops, 200);
    EXPECT_EQ(r.bytes_per_sec, 200 * 4096);
    EXPECT_EQ(r.cpu_per_op_ns, 2);
    EXPECT_EQ(r.ops, 603u);
    EXPECT_EQ(r.bytes, 603u * 4096);
    EXPECT_EQ(r.duration_s, 3);
    EXPECT_EQ(r.censored, 3u);
    EXPECT_EQ(r.cpu.user_s, 1.5);
    EXPECT_EQ(r.counters[0].value, 21u);
    histogram want = fixed_histogram(1);
    want.merge(fixed_histogram(2));
    want.merge(fixed_histogram(3));
    expect_same_histogram(r.latency, want);
    ASSERT_TRUE(r.spread.has_value());
    EXPECT_EQ(r.spread->iops.min, 100);
    EXPECT_EQ(r.spread->iops.max, 300);
    EXPECT_EQ(r.spread->p50.min, static_cast<double>(fixed_histogram(1).percentile(50)));
    EXPECT_EQ(r.spread->p99.max, static_cast<double>(fixed_histogram(3).percentile(99)));
    EXPECT_EQ(r.status, run_status::ok);
}

TEST(repetitions, the_worst_status_and_check_win) {
    const run_result r = combine_repetitions(
        {rep(100, 1), rep(100, 1, run_status::suspect, 1.5), rep(100, 1, run_status::ok, 0.95)});
    EXPECT_EQ(r.status, run_status::suspect);
    EXPECT_EQ(r.reason, "repetition 2: bad");
    ASSERT_TRUE(r.checks && r.checks->littles_law);
    EXPECT_EQ(r.checks->littles_law->ratio, 1.5);
    EXPECT_FALSE(r.checks->littles_law->ok);
    const run_result e = combine_repetitions({rep(100, 1, run_status::suspect), rep(100, 1, run_status::error)});
    EXPECT_EQ(e.status, run_status::error);
}

TEST(repetitions, one_shortfall_note_for_the_run) {
    std::vector<run_result> reps{rep(100, 1), rep(100, 1), rep(100, 1)};
    for (size_t i = 0; i < 2; ++i) {
        reps[i].achieved = achieved_facts{32, 20, 20, 0, 0, 0, 0, {"iodepth"}};
        reps[i].notes = {"a fact", "achieved iodepth 20.0 of 32 requested (62%): ..."};
    }
    reps[2].achieved = achieved_facts{32, 31, 31, 0, 0, 0, 0, {}};
    const run_result r = combine_repetitions(std::move(reps));
    ASSERT_TRUE(r.achieved);
    EXPECT_EQ(r.achieved->below_request, std::vector<std::string>{"iodepth"});
    EXPECT_EQ(r.achieved->iodepth_mean, 20);  // the median
    EXPECT_EQ(r.notes, (std::vector<std::string>{
                           "a fact", "achieved iodepth below 95% of the request in 2 of 3 repetitions (see repetitions[].achieved)"}));
}

}  // namespace
