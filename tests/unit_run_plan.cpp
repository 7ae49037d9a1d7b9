// The run plan's pieces on their own: --steady-state syntax and band test,
// the interval recorder (slot rotation, ops in flight split at edges), the
// timeline merge, the median depth, the self-checks, and the interleaved
// repetition order. Nothing here times anything.
#include "harness/cli/errors.hpp"
#include "harness/run/interval_timeline.hpp"
#include "harness/run/run_checks.hpp"
#include "harness/run/run_plan.hpp"
#include "harness/run/steady_state.hpp"

#include <gtest/gtest.h>

using namespace iobench;

namespace {

constexpr uint64_t ms = 1'000'000;

TEST(steady_state, syntax) {
    const auto s = parse_steady_state("iops:5%");
    EXPECT_TRUE(s.enabled);
    EXPECT_DOUBLE_EQ(s.band, 0.05);
    EXPECT_EQ(s.intervals, steady_state_default_intervals);
    EXPECT_EQ(s.text, "iops:5%:5");
    EXPECT_EQ(parse_steady_state("iops:2.5%:8").intervals, 8u);
    EXPECT_EQ(parse_steady_state("iops:2.5%:8").text, "iops:2.5%:8");
    for (const char* bad : {"bw:5%", "iops:5", "iops:%", "iops:0%", "iops:500%", "iops:5%:", "iops:5%:1", "iops:5%x",
                            "iops:5%:3x", "iops:abc%"}) {
        try {
            parse_steady_state(bad);
            ADD_FAILURE() << bad << " accepted";
        } catch (const usage_error& e) {
            EXPECT_NE(std::string(e.what()).find("--steady-state"), std::string::npos) << e.what();
        }
    }
}

TEST(steady_state, the_last_n_intervals_must_lie_in_the_band) {
    steady_state_detector d(parse_steady_state("iops:10%:3"));
    EXPECT_FALSE(d.add(50));
    EXPECT_FALSE(d.add(100));
    EXPECT_FALSE(d.add(100));  // 50, 100, 100: 50 is 40% off the mean
    EXPECT_FALSE(d.add(80));   // 100, 100, 80: mean 93.3, 80 is 14% off
    EXPECT_FALSE(d.add(95));   // 100, 80, 95: mean 91.7, 80 is 12.7% off
    EXPECT_FALSE(d.add(96));   // 80, 95, 96: mean 90.3, 80 is 11.4% off
    EXPECT_TRUE(d.add(100));   // 95, 96, 100: all within 3% of 97
    EXPECT_TRUE(d.add(1));     // once reached, it stays reached
}

TEST(interval_recorder, rotates_on_the_clock_and_splits_inflight_at_edges) {
    interval_recorder r;
    r.setup(3, 10 * ms);
    const uint64_t t0 = 1000 * ms;
    r.begin(t0);
    r.record(t0 + 1 * ms, 500, 4096);
    r.record(t0 + 9 * ms, 700, 4096);
    r.add_inflight(t0 + 5 * ms, t0 + 15 * ms, 4);  // 5 ms in slot 0, 5 ms in slot 1
    r.record(t0 + 15 * ms, 900, 4096);
    r.record(t0 + 45 * ms, 1100, 4096);  // beyond the last slot: the last one takes it
    const auto s = r.slots();
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s[0].ops, 2u);
    EXPECT_EQ(s[1].ops, 1u);
    EXPECT_EQ(s[2].ops, 1u);
    EXPECT_EQ(s[0].bytes, 8192u);
    EXPECT_DOUBLE_EQ(s[0].inflight_ns_sum, 4.0 * 5 * ms);
    EXPECT_DOUBLE_EQ(s[1].inflight_ns_sum, 4.0 * 5 * ms);
    EXPECT_EQ(r.merged().count(), 4u);
    EXPECT_EQ(r.merged().max(), 1100u);
}

TEST(interval_recorder, without_an_interval_one_slot_holds_everything) {
    interval_recorder r;
    r.setup(timeline_shape_for(1'000 * ms, 0, 1).slots, 0);
    r.begin(0);
    r.record(5, 100, 1);
    r.record(50'000 * ms, 200, 1);
    EXPECT_EQ(r.slots().size(), 1u);
    EXPECT_EQ(r.merged().count(), 2u);
    const interval_recorder* w[] = {&r};
    EXPECT_TRUE(merge_timeline(w, 1'000 * ms).empty());
}

TEST(interval_recorder, merged_timeline_adds_workers_per_interval) {
    interval_recorder a, b;
    for (auto* r : {&a, &b}) {
        r->setup(4, 100 * ms);
        r->begin(0);
    }
    // Each worker's calls come in time order, as its clock reads do.
    a.add_inflight(0, 10 * ms, 2);
    a.record(10 * ms, 1000, 10);
    a.add_inflight(10 * ms, 250 * ms, 2);
    b.add_inflight(0, 20 * ms, 1);
    b.record(20 * ms, 3000, 10);
    b.add_inflight(20 * ms, 150 * ms, 1);
    b.record(150 * ms, 2000, 10);
    b.add_inflight(150 * ms, 250 * ms, 1);
    const interval_recorder* w[] = {&a, &b};
    const auto t = merge_timeline(w, 250 * ms);
    ASSERT_EQ(t.size(), 3u);  // 0-100, 100-200, 200-250 ms
    EXPECT_EQ(t[0].ops, 2u);
    EXPECT_EQ(t[0].bytes, 20u);
    EXPECT_EQ(t[0].max_ns, 3000u);
    EXPECT_EQ(t[1].ops, 1u);
    EXPECT_DOUBLE_EQ(t[2].t_s, 0.2);
    EXPECT_DOUBLE_EQ(t[2].dur_s, 0.05);
    EXPECT_DOUBLE_EQ(t[1].inflight_mean, 3.0);
    EXPECT_DOUBLE_EQ(t[2].inflight_mean, 3.0);
}

TEST(interval_recorder, shape_fits_the_memory_budget) {
    const auto t = timeline_shape_for(2'000 * ms, 1'000 * ms, 1);
    EXPECT_EQ(t.slots, 3u);
    EXPECT_FALSE(t.widened);
    const auto wide = timeline_shape_for(3600'000 * ms, 10 * ms, 256);  // an hour at 10 ms, 256 threads
    EXPECT_TRUE(wide.widened);
    EXPECT_GT(wide.interval_ns, 10 * ms);
    EXPECT_LE(uint64_t{wide.slots} * 256 * sizeof(interval_slot), 64ull << 20);
}

TEST(depth_histogram, median_over_time) {
    depth_histogram d;
    d.setup(32);
    d.add(32, 60);
    d.add(1, 40);
    EXPECT_EQ(d.median(), 32u);
    d.add(0, 90);  // 90 of 190 at 0, 130 at 0 or 1
    EXPECT_EQ(d.median(), 1u);
}

check_inputs inflight(double mean) {
    check_inputs in;
    in.inflight_mean = mean;
    return in;
}

check_inputs negative(uint64_t n) {
    check_inputs in;
    in.negative_latencies = n;
    return in;
}

achieved_facts depth(double requested, double mean, double p50 = 0) {
    achieved_facts a;
    a.iodepth_requested = requested;
    a.iodepth_mean = mean;
    a.iodepth_p50 = p50;
    return a;
}

run_result measured(uint64_t latency_ns, uint64_t n, double seconds) {
    run_result r;
    for (uint64_t i = 0; i < n; ++i) r.latency.record(latency_ns);
    r.ops = n;
    r.duration_s = seconds;
    r.iops = static_cast<double>(n) / seconds;
    return r;
}

TEST(run_checks, littles_law_holds_or_the_run_is_suspect) {
    run_result ok = measured(100'000, 10'000, 1);  // 10k IOPS x 100 us = 1 in flight
    apply_checks(ok, inflight(1.02));
    EXPECT_EQ(ok.status, run_status::ok) << ok.reason;
    ASSERT_TRUE(ok.checks && ok.checks->littles_law);
    EXPECT_TRUE(ok.checks->littles_law->ok);
    EXPECT_NEAR(ok.checks->littles_law->iops_x_latency, 1.0, 0.01);

    run_result bad = measured(100'000, 10'000, 1);
    apply_checks(bad, inflight(1.5));
    EXPECT_EQ(bad.status, run_status::suspect);
    EXPECT_NE(bad.reason.find("Little's law"), std::string::npos) << bad.reason;
    EXPECT_FALSE(bad.checks->littles_law->ok);

    run_result none = measured(100'000, 10, 1);
    apply_checks(none, {});
    EXPECT_FALSE(none.checks->littles_law.has_value());  // nothing integrated: no claim either way
    EXPECT_EQ(none.status, run_status::ok);
}

TEST(run_checks, a_negative_stamp_makes_the_run_suspect_but_not_an_error) {
    run_result r = measured(1000, 100, 1);
    apply_checks(r, negative(1));
    EXPECT_EQ(r.status, run_status::suspect);
    EXPECT_NE(r.reason.find("below zero"), std::string::npos) << r.reason;
    run_result e = measured(1000, 100, 1);
    e.status = run_status::error;
    e.reason = "I/O error";
    apply_checks(e, negative(1));
    EXPECT_EQ(e.status, run_status::error);  // an error stays an error; the check becomes a note
    EXPECT_EQ(e.reason, "I/O error");
}

TEST(run_checks, censored_ops_are_folded_in_and_flag_a_moved_p99) {
    run_result r = measured(1000, 1000, 1);
    check_inputs in;
    for (int i = 0; i < 5; ++i) in.censored.record(1000);  // as old as the rest: p99 stays
    in.censored_oldest_ns = 1000;
    apply_checks(r, in);
    EXPECT_EQ(r.status, run_status::ok) << r.reason;
    EXPECT_EQ(r.censored, 5u);
    EXPECT_EQ(r.latency.count(), 1005u);
    ASSERT_TRUE(r.at_end);
    EXPECT_EQ(r.at_end->count, 5u);

    run_result moved = measured(1000, 1000, 1);
    check_inputs old;
    for (int i = 0; i < 50; ++i) old.censored.record(5'000'000);  // 5% of the samples, far older
    old.censored_oldest_ns = 5'000'000;
    apply_checks(moved, old);
    EXPECT_EQ(moved.status, run_status::suspect);
    EXPECT_TRUE(moved.checks->censored_moves_p99);
    EXPECT_NE(moved.reason.find("in flight at the window's end"), std::string::npos) << moved.reason;
}

TEST(run_checks, achieved_below_the_request_is_named_and_noted) {
    run_result r = measured(1000, 10, 1);
    apply_achieved(r, depth(32, 20, 21));
    ASSERT_TRUE(r.achieved);
    EXPECT_EQ(r.achieved->below_request, std::vector<std::string>{"iodepth"});
    ASSERT_EQ(r.notes.size(), 1u);
    EXPECT_NE(r.notes[0].find("achieved iodepth 20.0 of 32"), std::string::npos) << r.notes[0];
    run_result full = measured(1000, 10, 1);
    apply_achieved(full, depth(32, 31.9));
    EXPECT_TRUE(full.achieved->below_request.empty());
    EXPECT_TRUE(full.notes.empty());
}

TEST(run_plan, repetitions_interleave_across_backends) {
    run_plan p;
    p.repeat = 3;
    std::string order;
    std::vector<std::string> done;
    run_interleaved(
        {"a", "b", "c"}, p,
        [&](const std::string& name, unsigned) {
            order += name;
            run_result r;
            r.backend = name;
            if (name == "b") {
                r.status = run_status::unsupported;
                r.reason = "no";
            }
            r.iops = static_cast<double>(order.size());
            return r;
        },
        [&](run_result r) { done.push_back(r.backend + ":" + std::to_string(r.repetitions.size())); });
    EXPECT_EQ(order, "abcacac");  // b is unsupported: never run again
    EXPECT_EQ(done, (std::vector<std::string>{"a:3", "b:0", "c:3"}));
}

TEST(run_plan, the_window_follows_the_plan) {
    run_plan p;
    p.ramp_ns = 100;
    p.runtime_ns = 1000;
    const auto w = open_window(p, 5000);
    EXPECT_EQ(w.measure_start_ns, 5100u);
    EXPECT_EQ(w.stop_ns, 6100u);
    p.runtime_ns = 0;  // --ops
    EXPECT_EQ(open_window(p, 5000).stop_ns, 0u);
}

}  // namespace
