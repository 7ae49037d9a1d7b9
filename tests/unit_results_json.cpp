// The JSON writer and reader together: a result with every field set goes out
// and comes back equal, field by field; iobench/1 files are read into the
// iobench/2 model; a document the schema rejects is not read. Links only the
// results library.
#include "results/json_reader.hpp"
#include "results/writer.hpp"
#include "tests/results_fixture.hpp"

#include <gtest/gtest.h>
#include <sstream>

using namespace iobench;
using namespace iobench::test;

namespace {

std::vector<run_result> every_run(const run_context& ctx) {
    std::vector<run_result> v{full_result(ctx), repeated_result(ctx)};
    for (auto& r : other_results(ctx)) v.push_back(std::move(r));
    return v;
}

TEST(results_json, round_trip_keeps_every_field) {
    const run_context ctx = fixed_context();
    const auto runs = every_run(ctx);
    const std::string text = write_json(ctx, runs);
    std::istringstream in(text);
    const result_file back = read_results_json(in);
    EXPECT_EQ(back.schema, "iobench/4");
    expect_same_context(ctx, back.context);
    ASSERT_EQ(back.results.size(), runs.size());
    for (size_t i = 0; i < runs.size(); ++i) expect_same(runs[i], back.results[i]);
    // Written again, the document is the same text (derived values included).
    EXPECT_EQ(write_json(back.context, back.results), text);
}

// Found by tests/fuzz/fuzz_results_json: a number beyond a double escaped as
// nlohmann's out_of_range (not the runtime_error compare turns into its input
// error), and a histogram whose sum / count lies outside [min, max] was read,
// then written as a file the schema refuses.
TEST(results_json, bad_numbers_and_inconsistent_histograms_are_input_errors) {
    const run_context ctx = fixed_context();
    EXPECT_THROW(parse_results_text(R"({"schema":"iobench/4","x":1e999})"), std::runtime_error);
    auto doc = nlohmann::ordered_json::parse(write_json(ctx, {full_result(ctx)}));
    doc["results"][0]["histogram"]["sum"] = 0;
    EXPECT_THROW(read_results_doc(doc), std::runtime_error);
}

// A suite job's file names its job at the top; `run`'s files have no `job`.
TEST(results_json, a_suite_jobs_name_round_trips_and_is_absent_otherwise) {
    run_context ctx = fixed_context();
    EXPECT_EQ(write_json(ctx, {}).find("\"job\""), std::string::npos);
    ctx.job = "randread-4k-qd32";
    const std::string text = write_json(ctx, {full_result(ctx)});
    EXPECT_NE(text.find("\"job\": \"randread-4k-qd32\""), std::string::npos);
    std::istringstream in(text);
    const result_file back = read_results_json(in);
    expect_same_context(ctx, back.context);
    EXPECT_EQ(write_json(back.context, back.results), text);
}

TEST(results_json, an_empty_histogram_stays_empty_and_merges_as_before) {
    const run_context ctx = fixed_context();
    const auto runs = other_results(ctx);  // [0] is unsupported: nothing recorded
    std::istringstream in(write_json(ctx, runs));
    const result_file back = read_results_json(in);
    histogram merged = back.results[0].latency;
    merged.merge(fixed_histogram(1));
    expect_same_histogram(merged, fixed_histogram(1));
}

TEST(results_json, reads_an_iobench2_file_without_the_v3_fields) {
    const run_context ctx = fixed_context();
    run_result r = other_results(ctx)[1];
    std::string text = write_json(ctx, {r});
    const std::string v3 = "\"iobench/4\"";
    text.replace(text.find(v3), v3.size(), "\"iobench/2\"");
    std::istringstream in(text);
    const result_file back = read_results_json(in);
    EXPECT_EQ(back.schema, "iobench/2");
    ASSERT_EQ(back.results.size(), 1u);
    EXPECT_EQ(back.results[0].ops, r.ops);
    EXPECT_TRUE(back.results[0].repetitions.empty());
}

// An iobench/3 timeline has no per-interval histograms: read, it says so.
TEST(results_json, reads_an_iobench3_timeline_without_interval_histograms) {
    const run_context ctx = fixed_context();
    run_result r = full_result(ctx);
    ASSERT_TRUE(r.timeline[0].has_histogram);
    for (auto& p : r.timeline) p = {p.t_s, p.dur_s, p.ops, p.bytes, p.p50_ns, p.p99_ns, p.max_ns, p.inflight_mean};
    std::string text = write_json(ctx, {r});
    EXPECT_EQ(text.find("\"min_ns\""), std::string::npos);
    const std::string v4 = "\"iobench/4\"";
    text.replace(text.find(v4), v4.size(), "\"iobench/3\"");
    std::istringstream in(text);
    const result_file back = read_results_json(in);
    EXPECT_EQ(back.schema, "iobench/3");
    ASSERT_EQ(back.results.at(0).timeline.size(), 2u);
    EXPECT_FALSE(back.results[0].timeline[0].has_histogram);
    EXPECT_TRUE(back.results[0].timeline[0].histogram.empty());
    EXPECT_EQ(back.results[0].timeline[0].p99_ns, 65536u);
}

TEST(results_json, reads_an_iobench1_storage_file) {
    const result_file f = read_results_file(IOBENCH_TEST_DATA "/iobench1_storage.json");
    EXPECT_EQ(f.schema, "iobench/1");
    EXPECT_EQ(f.context.host.target_device, "vda");
    const auto& p = f.context.parameters;
    EXPECT_EQ(p.at("backend"), param_value(std::string("blocking,epoll")));
    EXPECT_EQ(p.at("bs"), param_value(uint64_t{4096}));
    EXPECT_EQ(p.at("direct"), param_value(true));
    EXPECT_EQ(p.at("runtime"), param_value());  // "" (--ops given)
    EXPECT_EQ(p.at("ramp"), param_value(0.0));  // "0.000000s"
    EXPECT_EQ(p.at("sqpoll_cpu"), param_value(int64_t{-1}));
    EXPECT_EQ(p.at("mode"), param_value(std::string("closed-loop")));
    ASSERT_EQ(f.results.size(), 2u);
    const run_result& r = f.results[0];
    EXPECT_EQ(r.status, run_status::ok);
    EXPECT_EQ(r.parameters.at("backend"), param_value(std::string("blocking")));
    EXPECT_EQ(r.parameters.at("bs"), param_value(uint64_t{4096}));
    EXPECT_EQ(r.ops, 20u);
    EXPECT_EQ(r.latency.count(), 20u);
    EXPECT_EQ(r.counters.size(), 5u);
    EXPECT_EQ(r.counters[0].name, "submit_calls");
    EXPECT_EQ(f.results[1].status, run_status::unsupported);
    EXPECT_EQ(f.results[1].parameters.at("backend"), param_value(std::string("epoll")));
}

TEST(results_json, reads_an_iobench1_load_file) {
    const result_file f = read_results_file(IOBENCH_TEST_DATA "/iobench1_load.json");
    ASSERT_EQ(f.results.size(), 1u);
    const run_result& r = f.results[0];
    ASSERT_TRUE(r.net.has_value());
    EXPECT_EQ(r.net->side, "load");
    EXPECT_EQ(r.latency.count(), r.ops);
    EXPECT_EQ(f.context.parameters.at("multishot"), param_value(true));
    EXPECT_EQ(f.context.parameters.at("rate"), param_value(0.0));  // "0.000000"
}

TEST(results_json, refuses_a_document_the_schema_rejects) {
    std::istringstream bad(R"({"schema": "iobench/2", "results": []})");
    try {
        read_results_json(bad);
        FAIL() << "read an invalid document";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("host: missing"), std::string::npos) << e.what();
    }
    std::istringstream not_json("{ nope");
    EXPECT_THROW(read_results_json(not_json), std::runtime_error);
    EXPECT_THROW(read_results_file("/nonexistent/r.json"), std::runtime_error);
}

}  // namespace
