// Google Benchmark JSON read as results: tests/data/micro_gbench.json is a
// real iobench-micro run (3 benchmarks x 6 repetitions, io_uring_iopoll
// skipped with its reason, one counter written as a bare NaN), and our own
// gbench export read back names the backends and workloads it was written from.
#include "results/exports.hpp"
#include "results/gbench_reader.hpp"
#include "results/json_reader.hpp"
#include "tests/results_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace iobench {
namespace {

const std::string micro_file = std::string(IOBENCH_TEST_DATA) + "/micro_gbench.json";

const run_result* find(const result_file& f, const std::string& backend) {
    for (const auto& r : f.results)
        if (r.backend == backend) return &r;
    return nullptr;
}

TEST(gbench_reader, an_iobench_micro_file_reads_as_results) {
    const result_file f = read_results_file(micro_file);  // the same entry point compare and plot use
    EXPECT_EQ(f.schema, gbench_schema_name);
    ASSERT_EQ(f.results.size(), 3u);
    const run_result* io = find(f, "io_uring");
    ASSERT_NE(io, nullptr);
    EXPECT_EQ(io->workload, "read_4k_pagecache/qd:1/batch:1");  // process_time/real_time dropped
    EXPECT_EQ(io->status, run_status::ok);
    EXPECT_EQ(io->repetitions.size(), 6u);  // iterations only; mean/median/stddev/cv left out
    EXPECT_GT(io->iops, 0.0);
    EXPECT_GT(io->cpu_per_op_ns, 0.0);
    EXPECT_EQ(io->latency.count(), 0u);  // a benchmark stores no histogram: absent, not zero
    for (const auto& rep : io->repetitions) EXPECT_GT(rep.iops, 0.0);
    const run_result* poll = find(f, "io_uring_iopoll");
    ASSERT_NE(poll, nullptr);
    EXPECT_EQ(poll->status, run_status::unsupported);
    EXPECT_NE(poll->reason.find("IOPOLL"), std::string::npos) << poll->reason;
    EXPECT_EQ(poll->iops, 0.0);
}

// Found by tests/fuzz/fuzz_results_json: a negative time read as a run the
// schema then refused when merged or written; and runs lacked parameters.backend.
TEST(gbench_reader, negative_times_are_refused_and_runs_write_back_valid) {
    const std::string doc = R"({"context":{},"benchmarks":[{"name":"x/io_uring","run_type":"iteration",
        "iterations":10,"real_time":-5,"cpu_time":1,"time_unit":"ns"}]})";
    EXPECT_THROW(read_results_doc(parse_results_text(doc)), std::runtime_error);
    const result_file f = read_results_file(micro_file);
    const std::string text = test::write_json(f.context, f.results);
    EXPECT_NO_THROW(read_results_doc(parse_results_text(text)));
}

TEST(gbench_reader, bare_nan_values_become_null_but_strings_keep_theirs) {
    EXPECT_EQ(gbench_nan_as_null(R"({"a": NaN, "b": -inf, "c": "NaN", "d": 1})"),
              R"({"a": null, "b": null, "c": "NaN", "d": 1})");
    std::istringstream not_json(R"({"schema": "iobench/3", "x": NaN})");  // not a benchmark document: still refused
    EXPECT_THROW(read_results_json(not_json), std::runtime_error);
}

TEST(gbench_reader, our_gbench_export_reads_back_as_its_runs) {
    const run_context ctx = test::fixed_context();
    result_file src{schema_name, ctx, {}};
    src.results.push_back(test::repeated_result(ctx));
    for (auto& r : test::other_results(ctx)) src.results.push_back(std::move(r));
    std::ostringstream out;
    std::vector<result_file> files{src};
    write_export(out, export_file::gbench, files);
    std::istringstream in(out.str());
    const result_file back = read_results_json(in);
    ASSERT_FALSE(back.results.empty());
    for (const auto& r : back.results) {
        const run_result* s = nullptr;
        for (const auto& x : src.results)
            if (x.backend == r.backend) s = &x;
        ASSERT_NE(s, nullptr) << r.backend;
        EXPECT_EQ(r.workload.substr(0, s->workload.size()), s->workload) << r.backend;
        if (s->iops > 0) {
            EXPECT_NEAR(r.iops, s->iops, 1e-6 * s->iops) << r.backend;
        }
    }
}

}  // namespace
}  // namespace iobench
