// The exact merge (results/merge.hpp) on results built here with known
// histograms: buckets are the bucket sums, counts add up, percentiles come from
// the merged histogram, and inputs that differ in a parameter are refused
// with the field named. Links only the results library.
#include "results/json_reader.hpp"
#include "results/merge.hpp"
#include "results/schema_check.hpp"
#include "results/writer.hpp"
#include "tests/results_fixture.hpp"

#include <gtest/gtest.h>
#include <sstream>

using namespace iobench;
using namespace iobench::test;

namespace {

// A storage run whose numbers are all scaled by `k`, so sums are easy to tell apart.
run_result storage_run(const run_context& ctx, uint64_t k, const histogram& h) {
    run_result r;
    r.backend = "io_uring";
    r.workload = "randrw";
    r.setup = "io_uring: SINGLE_ISSUER|DEFER_TASKRUN";
    r.notes = {"same everywhere", "only in input " + std::to_string(k)};
    r.parameters = ctx.parameters;
    r.parameters["backend"] = std::string("io_uring");
    r.ops = h.count();
    r.bytes = h.count() * 4096;
    r.errors = k;
    r.read_ops = 100 * k, r.write_ops = 10 * k, r.fsyncs = k;
    r.duration_s = 1.0 * static_cast<double>(k);
    r.iops = static_cast<double>(r.ops) / r.duration_s;
    r.bytes_per_sec = static_cast<double>(r.bytes) / r.duration_s;
    r.latency = h;
    r.cpu = {0.25 * static_cast<double>(k), 0.5 * static_cast<double>(k)};
    r.achieved_iodepth = 8.0 * static_cast<double>(k);
    r.threads = 1;
    r.counters = {{"submit_calls", 1000 * k}, {"cq_overflows", k}};
    return r;
}

merge_input input(const std::string& name, const std::string& host, const std::vector<run_result>& runs,
                  run_context ctx = fixed_context()) {
    ctx.host.hostname = host;
    return {name, {schema_name, ctx, runs}};
}

// Two inputs: fixed_histogram(1) and fixed_histogram(7), so their buckets overlap only in part.
std::vector<merge_input> two_storage_inputs() {
    const run_context ctx = fixed_context();
    return {input("a.json", "load1", {storage_run(ctx, 1, fixed_histogram(1))}),
            input("b.json", "load2", {storage_run(ctx, 2, fixed_histogram(7))})};
}

TEST(results_merge, concurrent_buckets_are_the_bucket_sums_and_percentiles_come_from_them) {
    const auto in = two_storage_inputs();
    const result_file out = merge_results(in, merge_mode::concurrent, "iobench merge a.json b.json");
    ASSERT_EQ(out.results.size(), 1u);
    const run_result &m = out.results[0], &a = in[0].file.results[0], &b = in[1].file.results[0];
    for (unsigned i = 0; i < histogram::bucket_count; ++i)
        ASSERT_EQ(m.latency.buckets()[i], a.latency.buckets()[i] + b.latency.buckets()[i]) << "bucket " << i;
    EXPECT_EQ(m.latency.count(), a.latency.count() + b.latency.count());
    EXPECT_EQ(m.latency.sum(), a.latency.sum() + b.latency.sum());
    EXPECT_EQ(m.latency.overflow(), 2u);
    EXPECT_EQ(m.latency.min(), a.latency.min());
    EXPECT_EQ(m.latency.max(), b.latency.max());
    // Every sample recorded into one histogram gives the same percentiles;
    // the average of the inputs' p99 is not one of them.
    histogram all = fixed_histogram(1);
    for (uint64_t i = 0; i < 200; ++i) all.record((90 + i * i * 900) * 7);
    all.record(1ull << 41);
    expect_same_histogram(m.latency, all);
    EXPECT_EQ(m.latency.percentile(99), all.percentile(99));
    EXPECT_NE(m.latency.percentile(99), (a.latency.percentile(99) + b.latency.percentile(99)) / 2);

    EXPECT_EQ(m.ops, a.ops + b.ops);
    EXPECT_EQ(m.bytes, a.bytes + b.bytes);
    EXPECT_EQ(m.errors, 3u);
    EXPECT_EQ(m.read_ops, 300u);
    EXPECT_EQ(m.write_ops, 30u);
    EXPECT_EQ(m.fsyncs, 3u);
    // Concurrent hosts: the longest window, and their rates add up.
    EXPECT_EQ(m.duration_s, 2.0);
    EXPECT_DOUBLE_EQ(m.iops, a.iops + b.iops);
    EXPECT_DOUBLE_EQ(m.bytes_per_sec, a.bytes_per_sec + b.bytes_per_sec);
    EXPECT_DOUBLE_EQ(m.achieved_iodepth, 24.0);
    EXPECT_EQ(m.threads, 2u);
    EXPECT_DOUBLE_EQ(m.cpu.user_s, 0.75);
    EXPECT_DOUBLE_EQ(m.cpu.sys_s, 1.5);
    EXPECT_DOUBLE_EQ(m.cpu_per_op_ns, 2.25e9 / static_cast<double>(m.ops));
    EXPECT_EQ(m.counters, (counter_list{{"submit_calls", 3000}, {"cq_overflows", 3}}));
    EXPECT_EQ(m.notes, (std::vector<std::string>{"same everywhere", "a.json: only in input 1", "b.json: only in input 2"}));
    EXPECT_EQ(m.status, run_status::ok);

    EXPECT_EQ(out.schema, schema_name);
    EXPECT_EQ(out.context.merge_mode, "concurrent");
    EXPECT_EQ(out.context.command_line, "iobench merge a.json b.json");
    EXPECT_EQ(out.context.host.hostname, "load1, load2");
    ASSERT_EQ(out.context.merged_from.size(), 2u);
    EXPECT_EQ(out.context.merged_from[1].file, "b.json");
    EXPECT_EQ(out.context.merged_from[1].host.hostname, "load2");
}

TEST(results_merge, repetitions_sum_the_windows_and_rate_over_them) {
    const auto in = two_storage_inputs();
    const run_result m = merge_results(in, merge_mode::repetitions, "merge").results[0];
    const run_result &a = in[0].file.results[0], &b = in[1].file.results[0];
    EXPECT_EQ(m.latency.count(), a.latency.count() + b.latency.count());
    EXPECT_EQ(m.ops, a.ops + b.ops);
    EXPECT_EQ(m.duration_s, 3.0);
    EXPECT_DOUBLE_EQ(m.iops, static_cast<double>(a.ops + b.ops) / 3.0);
    EXPECT_DOUBLE_EQ(m.bytes_per_sec, static_cast<double>(a.bytes + b.bytes) / 3.0);
    EXPECT_DOUBLE_EQ(m.achieved_iodepth, (8.0 * 1 + 16.0 * 2) / 3.0);  // time-weighted
    EXPECT_EQ(m.threads, 1u);
}

TEST(results_merge, network_runs_add_connections_bytes_and_rates) {
    const run_context ctx = fixed_context();
    run_result a = full_result(ctx), b = full_result(ctx);
    b.net->target = "10.0.0.1:7000";
    const result_file out = merge_results({input("a.json", "h1", {a}), input("b.json", "h2", {b})},
                                          merge_mode::concurrent, "merge");
    const net_facts& n = *out.results[0].net;
    EXPECT_EQ(n.connections, 128u);
    EXPECT_EQ(n.live_connections, 126u);
    EXPECT_EQ(n.bytes_sent, 2 * a.net->bytes_sent);
    EXPECT_DOUBLE_EQ(n.achieved_rate, 2 * a.net->achieved_rate);
    EXPECT_DOUBLE_EQ(n.target_rate, 2 * a.net->target_rate);
    EXPECT_EQ(n.server_requests, 2 * a.net->server_requests);
    EXPECT_DOUBLE_EQ(n.client_cpu.sys_s, 1.0);
    EXPECT_DOUBLE_EQ(n.gbit_per_sec, out.results[0].bytes_per_sec * 8 / 1e9);
    EXPECT_EQ(n.target, "127.0.0.1:7000, 10.0.0.1:7000");
}

TEST(results_merge, a_differing_parameter_is_refused_naming_the_field_and_both_files) {
    auto in = two_storage_inputs();
    in[1].file.context.parameters["bs"] = uint64_t{8192};
    try {
        merge_results(in, merge_mode::concurrent, "merge");
        FAIL() << "merged inputs with different --bs";
    } catch (const merge_mismatch& e) {
        EXPECT_STREQ(e.what(), "parameters.bs differs: 8192 in b.json, 4096 in a.json");
    }
    in = two_storage_inputs();  // the same at the top, different in the run
    in[1].file.results[0].parameters.erase("direct");
    try {
        merge_results(in, merge_mode::repetitions, "merge");
        FAIL() << "merged runs with different parameters";
    } catch (const merge_mismatch& e) {
        EXPECT_STREQ(e.what(), "results[io_uring randrw].parameters.direct differs: missing in b.json, true in a.json");
    }
}

TEST(results_merge, free_parameters_may_differ_and_are_kept_per_input) {
    auto in = two_storage_inputs();
    for (size_t i = 0; i < in.size(); ++i) {
        in[i].file.context.parameters["seed"] = uint64_t{i + 1};
        in[i].file.results[0].parameters["seed"] = uint64_t{i + 1};
        in[i].file.context.parameters["target"] = std::string("10.1.0.1:7000");
    }
    const result_file out = merge_results(in, merge_mode::concurrent, "merge");
    EXPECT_EQ(out.context.parameters.count("seed"), 0u);  // absent, not one input's value
    EXPECT_EQ(out.results[0].parameters.count("seed"), 0u);
    EXPECT_EQ(out.context.parameters.at("target"), param_value(std::string("10.1.0.1:7000")));
    EXPECT_EQ(out.context.merged_from[0].parameters.at("seed"), param_value(uint64_t{1}));
    EXPECT_EQ(out.context.merged_from[1].parameters.at("seed"), param_value(uint64_t{2}));
}

TEST(results_merge, every_input_must_have_the_same_runs) {
    auto in = two_storage_inputs();
    run_result extra = in[1].file.results[0];
    extra.backend = "libaio";
    extra.parameters["backend"] = std::string("libaio");
    in[1].file.results.push_back(extra);
    EXPECT_THROW(merge_results(in, merge_mode::concurrent, "merge"), merge_mismatch);
    std::swap(in[0], in[1]);
    try {
        merge_results(in, merge_mode::concurrent, "merge");
        FAIL();
    } catch (const merge_mismatch& e) {
        EXPECT_STREQ(e.what(), "results: b.json has libaio randrw, a.json has not");
    }
}

TEST(results_merge, statuses_the_worst_wins_and_unsupported_only_merges_with_unsupported) {
    auto in = two_storage_inputs();
    in[1].file.results[0].status = run_status::suspect;
    in[1].file.results[0].reason = "Little's law off by 12%";
    const run_result m = merge_results(in, merge_mode::concurrent, "merge").results[0];
    EXPECT_EQ(m.status, run_status::suspect);
    EXPECT_EQ(m.reason, "b.json: Little's law off by 12%");

    in[1].file.results[0].status = run_status::unsupported;
    EXPECT_THROW(merge_results(in, merge_mode::concurrent, "merge"), merge_mismatch);
    in[0].file.results[0].status = run_status::unsupported;
    in[0].file.results[0].reason = in[1].file.results[0].reason = "no ring";
    const run_result u = merge_results(in, merge_mode::concurrent, "merge").results[0];
    EXPECT_EQ(u.status, run_status::unsupported);
    EXPECT_EQ(u.reason, "no ring");
    EXPECT_EQ(u.ops, 0u);
    EXPECT_EQ(u.latency.count(), 0u);
}

TEST(results_merge, the_merged_file_conforms_and_reads_back_equal) {
    const result_file out = merge_results(two_storage_inputs(), merge_mode::repetitions, "iobench merge a b");
    std::ostringstream text;
    auto w = make_json_writer(text);
    w->begin(out.context);
    for (const auto& r : out.results) w->add(r);
    w->end();
    EXPECT_EQ(check_results_text(text.str()), std::vector<std::string>{});
    std::istringstream in(text.str());
    const result_file back = read_results_json(in);
    expect_same_context(out.context, back.context);
    expect_same(out.results[0], back.results[0]);

    auto doc = nlohmann::ordered_json::parse(text.str());
    doc["merge_mode"] = "averaged";
    doc["merged_from"][0].erase("host");
    const auto problems = check_results_schema(doc);
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_EQ(problems[0], "merge_mode: 'averaged' is not one of the allowed values");
    EXPECT_EQ(problems[1], "merged_from[0].host: missing");
}

}  // namespace
