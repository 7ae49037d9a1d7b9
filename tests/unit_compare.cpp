// The gate over two sides, on made-up runs: matching by job x backend x
// workload x parameters, pooled rounds, host fingerprints, runs left out, the
// outcome that decides the exit code, and reading sides from disk.
#include "compare_fixture.hpp"
#include "results/compare.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace iobench {
namespace {

namespace fs = std::filesystem;
using test::gate_file;
using test::gate_run;
using test::gate_side;

const std::vector<double> base_iops{100'000, 101'200, 99'100, 100'600, 99'400};
const std::vector<double> again_iops{100'300, 99'600, 100'800, 99'200, 100'100};

std::vector<double> scaled(const std::vector<double>& v, double f) {
    std::vector<double> out;
    for (const double x : v) out.push_back(x * f);
    return out;
}

compare_report one_backend(const std::vector<double>& b, const std::vector<double>& n, compare_settings s = {}) {
    return compare_sides(gate_side({gate_file({gate_run("io_uring", b)})}),
                         gate_side({gate_file({gate_run("io_uring", n)})}), s);
}

TEST(compare, a_fifth_fewer_iops_is_a_regression_in_every_default_metric) {
    const compare_report r = one_backend(base_iops, scaled(base_iops, 0.8));
    ASSERT_EQ(r.rows.size(), 3u);
    for (const auto& row : r.rows) {
        EXPECT_EQ(row.c.result, verdict::regression) << info_of(row.metric).name;
        EXPECT_EQ(row.c.base_n, 5u);
    }
    EXPECT_EQ(r.rows[0].metric, metric_id::iops);
    EXPECT_NEAR(r.rows[0].c.change, -0.2, 0.01);
    EXPECT_GT(r.rows[1].c.change, 0.2) << "p99 rises";
    EXPECT_EQ(outcome_of(r), compare_outcome::regression);
}

TEST(compare, the_same_distribution_passes) {
    const compare_report r = one_backend(base_iops, again_iops);
    EXPECT_EQ(count(r, verdict::regression), 0u);
    EXPECT_EQ(outcome_of(r), compare_outcome::pass);
}

TEST(compare, three_repetitions_a_side_cannot_decide) {
    const compare_report r = one_backend({100, 101, 99}, {50, 51, 49});
    EXPECT_EQ(count(r, verdict::insufficient), r.rows.size());
    EXPECT_EQ(r.rows[0].c.needed_per_side, 4u);
    EXPECT_EQ(outcome_of(r), compare_outcome::undecided);
}

TEST(compare, metrics_by_name_and_direction) {
    EXPECT_EQ(parse_metric("req/s"), metric_id::iops);
    EXPECT_EQ(parse_metric("req_per_sec"), metric_id::iops);
    EXPECT_EQ(parse_metric("p99.9"), metric_id::p999);
    EXPECT_FALSE(parse_metric("p98"));
    EXPECT_EQ(metric_label(metric_id::iops, true), "req/s");
    EXPECT_EQ(metric_label(metric_id::iops, false), "iops");
    EXPECT_EQ(info_of(metric_id::bytes_per_sec).direction, better::higher);
    EXPECT_EQ(info_of(metric_id::cpu_per_op).direction, better::lower);
    run_result single = gate_run("epoll", {1234});
    EXPECT_EQ(samples_of(single, metric_id::iops), std::vector<double>{1234}) << "no repetitions: one sample";
    EXPECT_EQ(samples_of(gate_run("epoll", base_iops), metric_id::iops), base_iops);
}

TEST(compare, where_and_when_a_run_ran_does_not_unmatch_it_but_its_workload_does) {
    run_result b = gate_run("io_uring", base_iops), n = gate_run("io_uring", again_iops);
    n.parameters["seed"] = uint64_t{7};
    n.parameters["repeat"] = uint64_t{6};
    n.parameters["target"] = std::string("127.0.0.1:4000");
    b.parameters["rate"] = 0.0;  // as the writer has it
    n.parameters["rate"] = uint64_t{0};  // as a reformatting tool (jq -c) leaves it
    run_result b2 = gate_run("libaio", base_iops), n2 = gate_run("libaio", again_iops);
    n2.parameters["bs"] = uint64_t{8192};
    const compare_report r = compare_sides(gate_side({gate_file({b, b2})}), gate_side({gate_file({n, n2})}), {});
    ASSERT_EQ(r.rows.size(), 3u);
    EXPECT_EQ(r.rows[0].backend, "io_uring");
    ASSERT_EQ(r.unmatched.size(), 2u);
    EXPECT_EQ(r.unmatched[0].side, "base");
    EXPECT_EQ(r.unmatched[0].backend, "libaio");
    EXPECT_EQ(r.unmatched[0].why, "parameters differ: bs 4096 vs 8192");
    EXPECT_EQ(r.unmatched[1].side, "new");
    EXPECT_EQ(r.unmatched[1].why, "parameters differ: bs 4096 vs 8192") << "always base's value first";
}

TEST(compare, jobs_are_part_of_the_match) {
    EXPECT_THROW(compare_sides(gate_side({gate_file({gate_run("io_uring", base_iops)}, "qd32")}),
                               gate_side({gate_file({gate_run("io_uring", base_iops)}, "qd1")}), {}),
                 compare_input_error);
}

TEST(compare, a_different_host_is_refused_naming_the_field_unless_allowed) {
    compare_file b = gate_file({gate_run("io_uring", base_iops)}, "", "base.json");
    compare_file n = gate_file({gate_run("io_uring", again_iops)}, "", "new.json");
    n.file.context.host.kernel = "6.2.0-other";
    try {
        compare_sides(gate_side({b}), gate_side({n}), {});
        FAIL() << "a kernel change was compared";
    } catch (const compare_input_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("kernel"), std::string::npos) << what;
        EXPECT_NE(what.find("new.json"), std::string::npos) << what;
        EXPECT_NE(what.find("--allow-host-change"), std::string::npos) << what;
    }
    compare_settings s;
    s.allow_host_change = true;
    const compare_report r = compare_sides(gate_side({b}), gate_side({n}), s);
    ASSERT_EQ(r.host_changes.size(), 1u);
    EXPECT_EQ(r.host_changes[0].field, "kernel");
    EXPECT_EQ(r.host_changes[0].new_value, "6.2.0-other");
    EXPECT_EQ(r.rows.size(), 3u);
}

TEST(compare, a_fact_one_side_did_not_record_is_no_difference) {
    compare_file b = gate_file({gate_run("io_uring", base_iops)});
    compare_file n = gate_file({gate_run("io_uring", again_iops)});
    n.file.context.host.queue_scheduler.clear();  // an older file, or a network run
    n.file.context.host.hostname = "another-runner";  // not part of the fingerprint
    EXPECT_TRUE(compare_sides(gate_side({b}), gate_side({n}), {}).host_changes.empty());
}

TEST(compare, runs_that_did_not_measure_are_listed_not_compared) {
    run_result n_bad = gate_run("io_uring_iopoll", {1});
    n_bad.status = run_status::unsupported;
    n_bad.reason = "no poll queues";
    const compare_report r =
        compare_sides(gate_side({gate_file({gate_run("io_uring", base_iops), gate_run("io_uring_iopoll", base_iops)})}),
                      gate_side({gate_file({gate_run("io_uring", again_iops), n_bad})}), {});
    EXPECT_EQ(r.rows.size(), 3u);
    ASSERT_EQ(r.uncompared.size(), 1u);
    EXPECT_EQ(r.uncompared[0].backend, "io_uring_iopoll");
    EXPECT_EQ(r.uncompared[0].base_status, "ok");
    EXPECT_EQ(r.uncompared[0].new_status, "unsupported");
    EXPECT_EQ(r.uncompared[0].reason, "no poll queues");
}

TEST(compare, nothing_in_common_is_bad_input) {
    EXPECT_THROW(compare_sides(gate_side({gate_file({gate_run("io_uring", base_iops)})}),
                               gate_side({gate_file({gate_run("epoll", base_iops)})}), {}),
                 compare_input_error);
}

TEST(compare, the_same_run_twice_in_one_file_is_bad_input) {
    EXPECT_THROW(compare_sides(gate_side({gate_file({gate_run("io_uring", base_iops), gate_run("io_uring", base_iops)})}),
                               gate_side({gate_file({gate_run("io_uring", base_iops)})}), {}),
                 compare_input_error);
}

TEST(compare, rounds_of_one_side_are_pooled) {
    const compare_side base = gate_side({gate_file({gate_run("io_uring", base_iops)}, "job", "1/job.json"),
                                         gate_file({gate_run("io_uring", again_iops)}, "job", "2/job.json")});
    const compare_report r =
        compare_sides(base, gate_side({gate_file({gate_run("io_uring", scaled(base_iops, 0.8))}, "job")}), {});
    ASSERT_EQ(r.rows.size(), 3u);
    EXPECT_EQ(r.rows[0].c.base_n, 10u);
    EXPECT_EQ(r.rows[0].c.new_n, 5u);
    EXPECT_EQ(r.rows[0].c.result, verdict::regression);
}

TEST(compare, auto_threshold_is_per_metric_and_never_below_three_percent) {
    compare_settings s;
    s.auto_threshold = true;
    const compare_report r = one_backend(base_iops, again_iops, s);
    for (const auto& row : r.rows) EXPECT_GE(row.c.threshold, 0.03);
    const compare_report noisy = one_backend({100'000, 80'000, 120'000, 90'000, 110'000}, again_iops, s);
    EXPECT_GT(noisy.rows[0].c.threshold, 0.2) << "k x the base's own spread";
}

TEST(compare, many_comparisons_say_when_a_lone_regression_is_out_of_reach) {
    std::vector<run_result> b, n;
    for (const char* name : {"a", "b", "c", "d", "e"}) {
        b.push_back(gate_run(name, base_iops));
        n.push_back(gate_run(name, again_iops));
    }
    // 15 comparisons: BH asks a lone one for p < 0.05 / 15; 5 vs 5 gives 1/252 at best.
    const compare_report r = compare_sides(gate_side({gate_file(b)}), gate_side({gate_file(n)}), {});
    EXPECT_EQ(r.rows.size(), 15u);
    EXPECT_EQ(r.lone_regression_needs_per_side, 6u);
    EXPECT_EQ(one_backend(base_iops, again_iops).lone_regression_needs_per_side, 0u);
}

TEST(compare, runs_beside_a_busy_neighbour_are_counted) {
    compare_file b = gate_file({gate_run("io_uring", base_iops), gate_run("libaio", base_iops)});
    compare_file n = gate_file({gate_run("io_uring", again_iops), gate_run("libaio", again_iops)});
    b.file.results[1].neighbour = neighbour_load{0.5, true};
    n.file.context.warnings = {"busy neighbour: other processes used 200% of a CPU over 200 ms before the first run"};
    const compare_report r = compare_sides(gate_side({b}), gate_side({n}), {});
    EXPECT_EQ(r.compared_runs, 2u);
    EXPECT_EQ(r.busy_base_runs, 1u);
    EXPECT_EQ(r.busy_new_runs, 2u);
}

class compare_files : public ::testing::Test {
protected:
    fs::path dir = fs::temp_directory_path() / ("iobench-unit-compare-" + std::to_string(::getpid()));
    void TearDown() override { fs::remove_all(dir); }
    void text(const fs::path& p, const std::string& s) {
        fs::create_directories(p.parent_path());
        std::ofstream(p) << s;
    }
    static std::string error_of(const std::string& path) {
        try {
            read_compare_side(path);
        } catch (const compare_input_error& e) {
            return e.what();
        }
        return "";
    }
};

TEST_F(compare_files, a_directory_holds_jobs_rounds_and_exports) {
    test::write_results(dir / "A" / "1" / "randread.json", gate_file({gate_run("io_uring", base_iops)}));
    test::write_results(dir / "A" / "2" / "randread.json", gate_file({gate_run("io_uring", again_iops)}));
    text(dir / "A" / "randread.gbench.json", R"({"context": {}, "benchmarks": []})");
    text(dir / "A" / "summary.txt", "tables\n");
    const compare_side s = read_compare_side((dir / "A").string());
    EXPECT_TRUE(s.directory);
    ASSERT_EQ(s.files.size(), 2u);
    EXPECT_EQ(s.files[0].job, "randread");
    EXPECT_EQ(s.files[1].job, "randread");
    ASSERT_EQ(s.skipped.size(), 1u);
    EXPECT_NE(s.skipped[0].find("randread.gbench.json"), std::string::npos);
    EXPECT_EQ(s.files[0].file.results.at(0).repetitions.size(), 5u) << "read back through the real reader";
}

TEST_F(compare_files, truncated_wrong_schema_missing_and_empty_are_bad_input_naming_the_file) {
    test::write_results(dir / "good.json", gate_file({gate_run("io_uring", base_iops)}));
    const std::string whole = [&] {
        std::ifstream in(dir / "good.json");
        return std::string(std::istreambuf_iterator<char>(in), {});
    }();
    text(dir / "T" / "cut.json", whole.substr(0, whole.size() / 2));
    text(dir / "wrong.json", R"({"schema": "iobench/9", "results": []})");
    fs::create_directories(dir / "empty");
    EXPECT_NE(error_of((dir / "T").string()).find("cut.json"), std::string::npos);
    EXPECT_NE(error_of((dir / "T" / "cut.json").string()).find("cut.json"), std::string::npos);
    EXPECT_NE(error_of((dir / "wrong.json").string()).find("wrong.json"), std::string::npos);
    EXPECT_NE(error_of((dir / "nowhere.json").string()).find("cannot open"), std::string::npos);
    EXPECT_NE(error_of((dir / "empty").string()).find("no iobench results"), std::string::npos);
    EXPECT_EQ(error_of((dir / "good.json").string()), "");
    const std::string one = error_of((dir / "wrong.json").string());
    EXPECT_EQ(one.find('\n'), std::string::npos) << "one line: " << one;
}

}  // namespace
}  // namespace iobench
