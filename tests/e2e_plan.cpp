// End-to-end tests of the run plan through the CLI: --repeat interleaves
// backends and keeps every repetition, --interval gives a timeline, the
// test-only fault makes a run suspect (exit 0), -o - puts the JSON on stdout,
// --steady-state reports itself. Short runs; timing is never asserted.
#include "tests/cli_runner.hpp"
#include "tests/results_check.hpp"

#include <algorithm>
#include <cstdlib>
#include <gtest/gtest.h>
#include <map>
#include <vector>
#include <nlohmann/json.hpp>

using nlohmann::json;
using namespace iobench::test;

namespace {

const std::string& data_file() {
    static const std::string path = (work_dir() / "plan.data").string();
    return path;
}

std::string storage(const std::string& extra) {
    return "run --workload randread --size 16m --iodepth 8 --ramp 50ms --file " + data_file() + " " + extra;
}

TEST(e2e_plan, repeat_interleaves_backends_and_keeps_every_repetition) {
    const auto path = work_dir() / "repeat.json";
    const auto r = run_cli(storage("--backend io_uring,blocking,epoll --repeat 3 --runtime 200ms --interval 100ms -o " +
                                   path.string()));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    // The order they ran in, from the progress lines: A B A B A B (epoll is unsupported: asked once).
    std::string order;
    for (size_t at = 0; (at = r.err.find("iobench: ", at)) != std::string::npos; ++at) {
        const std::string name = r.err.substr(at + 9, r.err.find(' ', at + 9) - at - 9);
        if (name == "io_uring" || name == "blocking" || name == "epoll") order += name[0];
    }
    EXPECT_EQ(order, "ibeibib") << r.err;
    expect_valid_results(slurp(path));
    const json doc = json::parse(slurp(path));
    EXPECT_EQ(doc["parameters"]["repeat"], 3);
    ASSERT_EQ(doc["results"].size(), 3u);
    EXPECT_EQ(doc["results"][2]["status"], "unsupported");
    EXPECT_FALSE(doc["results"][2].contains("repetitions"));
    for (int i = 0; i < 2; ++i) {
        const json& res = doc["results"][i];
        SCOPED_TRACE(res["backend"].get<std::string>());
        ASSERT_TRUE(res["status"] == "ok" || res["status"] == "suspect") << res["reason"];
        ASSERT_EQ(res["repetitions"].size(), 3u);
        ASSERT_TRUE(res.contains("spread"));
        uint64_t ops = 0, count = 0;
        std::vector<double> iops;
        std::map<uint64_t, uint64_t> buckets;
        for (const json& rep : res["repetitions"]) {
            ops += rep["ops"].get<uint64_t>();
            count += rep["histogram"]["count"].get<uint64_t>();
            iops.push_back(rep["iops"].get<double>());
            for (const json& b : rep["histogram"]["buckets"]) buckets[b[0]] += b[1].get<uint64_t>();
            EXPECT_FALSE(rep["timeline"].empty());  // per repetition when repeated
            EXPECT_TRUE(rep["checks"].is_object());
        }
        EXPECT_FALSE(res.contains("timeline"));
        EXPECT_EQ(res["ops"].get<uint64_t>(), ops);
        EXPECT_EQ(res["histogram"]["count"].get<uint64_t>(), count);  // the exact merge
        std::map<uint64_t, uint64_t> top;
        for (const json& b : res["histogram"]["buckets"]) top[b[0]] = b[1];
        EXPECT_EQ(top, buckets);
        std::sort(iops.begin(), iops.end());
        EXPECT_EQ(res["iops"].get<double>(), iops[1]);  // the median
        EXPECT_EQ(res["spread"]["iops"]["min"].get<double>(), iops[0]);
        EXPECT_EQ(res["spread"]["iops"]["max"].get<double>(), iops[2]);
    }
    EXPECT_NE(r.out.find("3 repetitions (median shown)"), std::string::npos) << r.out;
}

TEST(e2e_plan, interval_gives_a_timeline_that_adds_up) {
    const auto path = work_dir() / "timeline.json";
    const auto r = run_cli(storage("--quiet --backend io_uring --runtime 500ms --interval 100ms -o " + path.string()));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    expect_valid_results(slurp(path));
    const json res = json::parse(slurp(path))["results"][0];
    ASSERT_TRUE(res["status"] == "ok" || res["status"] == "suspect") << res["reason"];
    const json& t = res["timeline"];
    ASSERT_GE(t.size(), 5u);
    uint64_t ops = 0, bytes = 0;
    for (const json& p : t) {
        ops += p["ops"].get<uint64_t>();
        bytes += p["bytes"].get<uint64_t>();
        EXPECT_GE(p["inflight_mean"].get<double>(), 0.0);
        uint64_t counted = 0;  // iobench/4: the interval's own histogram holds its ops
        for (const json& b : p["histogram"]) counted += b[1].get<uint64_t>();
        EXPECT_EQ(counted, p["ops"].get<uint64_t>());
        EXPECT_LE(p["min_ns"].get<uint64_t>(), p["p50_ns"].get<uint64_t>());
    }
    EXPECT_EQ(ops, res["ops"].get<uint64_t>());
    EXPECT_EQ(bytes, res["bytes"].get<uint64_t>());
    EXPECT_DOUBLE_EQ(t[1]["t_s"].get<double>(), 0.1);

    const auto off = work_dir() / "no-timeline.json";
    ASSERT_EQ(run_cli(storage("--quiet --backend io_uring --runtime 200ms --interval 0 -o " + off.string())).exit_code, 0);
    EXPECT_FALSE(json::parse(slurp(off))["results"][0].contains("timeline"));
}

TEST(e2e_plan, the_test_fault_makes_a_run_suspect_with_its_reason_and_exit_0) {
    const auto path = work_dir() / "fault.json";
    ::setenv("IOBENCH_TEST_FAULT", "drop_stamp", 1);
    const auto r = run_cli(storage("--quiet --backend io_uring --runtime 300ms -o " + path.string()));
    ::unsetenv("IOBENCH_TEST_FAULT");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;  // suspect is measured, not failed
    expect_valid_results(slurp(path));
    const json res = json::parse(slurp(path))["results"][0];
    EXPECT_EQ(res["status"], "suspect");
    EXPECT_NE(res["reason"].get<std::string>().find("latency below zero"), std::string::npos) << res["reason"];
    EXPECT_EQ(res["checks"]["negative_latencies"], 1);
    EXPECT_NE(r.out.find("suspect"), std::string::npos) << r.out;  // the table says so, with the reason
    EXPECT_NE(r.out.find("latency below zero"), std::string::npos) << r.out;

    ::setenv("IOBENCH_TEST_FAULT", "no_such_fault", 1);
    const auto bad = run_cli(storage("--quiet --backend io_uring --runtime 100ms"));
    ::unsetenv("IOBENCH_TEST_FAULT");
    EXPECT_EQ(bad.exit_code, 2) << bad.err;
    EXPECT_NE(bad.err.find("IOBENCH_TEST_FAULT"), std::string::npos) << bad.err;
}

TEST(e2e_plan, output_dash_puts_the_json_on_stdout_instead_of_the_table) {
    const auto r = run_cli(storage("--backend io_uring --runtime 200ms -o -"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_valid_results(r.out);  // stdout is exactly one JSON document
    EXPECT_EQ(r.out.find("backend          workload"), std::string::npos);
    EXPECT_EQ(json::parse(r.out)["results"][0]["backend"], "io_uring");
    EXPECT_EQ(r.err.find("results in"), std::string::npos) << r.err;
}

TEST(e2e_plan, steady_state_reports_its_criterion) {
    const auto path = work_dir() / "steady.json";
    const auto r = run_cli(storage("--quiet --backend io_uring --runtime 2s --interval 100ms --steady-state iops:50%:3 -o " +
                                   path.string()));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    expect_valid_results(slurp(path));
    const json res = json::parse(slurp(path))["results"][0];
    const json& s = res["steady_state"];
    EXPECT_EQ(s["criterion"], "iops:50%:3");
    if (s["reached"].get<bool>()) {  // where it was reached, the window ended there
        EXPECT_GE(s["at_s"].get<double>(), 0.3);
        EXPECT_LT(res["duration_s"].get<double>(), 2.0);
    }
}

}  // namespace
