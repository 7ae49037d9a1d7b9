// The schema check: what the writer produces conforms, iobench/1 files
// conform, and each kind of damage to a good document is found and named.
// Links only the results library.
#include "results/schema_check.hpp"
#include "results/writer.hpp"
#include "tests/results_fixture.hpp"

#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <sstream>

using namespace iobench;
using namespace iobench::test;
using nlohmann::ordered_json;

namespace {

ordered_json good_document() {
    const run_context ctx = fixed_context();
    std::ostringstream out;
    auto w = make_json_writer(out);
    w->begin(ctx);
    w->add(full_result(ctx));
    for (const auto& r : other_results(ctx)) w->add(r);
    w->add(repeated_result(ctx));  // results[5]
    w->end();
    return ordered_json::parse(out.str());
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += x + "\n";
    return s;
}

TEST(results_schema, the_writers_output_conforms) {
    EXPECT_EQ(joined(check_results_schema(good_document())), "");
}

TEST(results_schema, an_iobench2_document_conforms) {
    ordered_json doc = good_document();
    doc["schema"] = "iobench/2";
    EXPECT_EQ(joined(check_results_schema(doc)), "");
}

TEST(results_schema, iobench1_files_conform) {
    for (const char* f : {IOBENCH_TEST_DATA "/iobench1_storage.json", IOBENCH_TEST_DATA "/iobench1_load.json"}) {
        std::ifstream in(f);
        std::stringstream s;
        s << in.rdbuf();
        EXPECT_EQ(joined(check_results_text(s.str())), "") << f;
    }
}

struct damage {
    const char* name;
    std::function<void(ordered_json&)> apply;
    const char* problem;  // a problem naming this must be reported
};

class results_schema_damage : public ::testing::TestWithParam<damage> {};

TEST_P(results_schema_damage, is_found_and_named) {
    ordered_json doc = good_document();
    GetParam().apply(doc);
    const auto problems = check_results_schema(doc);
    EXPECT_NE(joined(problems).find(GetParam().problem), std::string::npos) << joined(problems);
}

ordered_json& run0(ordered_json& d) { return d["results"][0]; }

INSTANTIATE_TEST_SUITE_P(
    all, results_schema_damage,
    ::testing::Values(
        damage{"unknown_schema", [](ordered_json& d) { d["schema"] = "iobench/9"; }, "schema: 'iobench/9'"},
        damage{"no_host", [](ordered_json& d) { d.erase("host"); }, "host: missing"},
        damage{"job_not_text", [](ordered_json& d) { d["job"] = 3; }, "job: must be"},
        damage{"job_empty", [](ordered_json& d) { d["job"] = ""; }, "job: must name the suite job"},
        damage{"cores_as_text", [](ordered_json& d) { d["host"]["cores"] = "4"; }, "host.cores: must be an unsigned"},
        damage{"results_not_array", [](ordered_json& d) { d["results"] = ordered_json::object(); }, "results: must be an array"},
        damage{"bad_status", [](ordered_json& d) { run0(d)["status"] = "fine"; }, "results[0].status: 'fine'"},
        damage{"v1_has_no_suspect",
               [](ordered_json& d) {
                   d["schema"] = "iobench/1";
                   d["parameters"] = ordered_json::object();
               },
               "results[3].status: 'suspect'"},
        damage{"v1_parameters_are_text", [](ordered_json& d) { d["schema"] = "iobench/1"; }, "parameters.bs: iobench/1"},
        damage{"no_ops", [](ordered_json& d) { run0(d).erase("ops"); }, "results[0].ops: missing"},
        damage{"negative_ops", [](ordered_json& d) { run0(d)["ops"] = -1; }, "results[0].ops: must be an unsigned"},
        damage{"negative_iops", [](ordered_json& d) { run0(d)["iops"] = -2.5; }, "results[0].iops: must not be negative"},
        damage{"percentiles_out_of_order", [](ordered_json& d) { run0(d)["latency_ns"]["p90"] = 1; },
               "results[0].latency_ns: p50 is above p90"},
        damage{"mean_above_max", [](ordered_json& d) { run0(d)["latency_ns"]["mean"] = 1e30; },
               "results[0].latency_ns.mean: outside"},
        damage{"counter_as_float", [](ordered_json& d) { run0(d)["counters"]["zc_sends"] = 1.5; },
               "results[0].counters.zc_sends"},
        damage{"nested_parameter", [](ordered_json& d) { d["parameters"]["bs"] = ordered_json::array({1}); },
               "parameters.bs: must be null"},
        damage{"no_run_parameters", [](ordered_json& d) { run0(d).erase("parameters"); }, "results[0].parameters: missing"},
        damage{"run_parameters_name_another_backend", [](ordered_json& d) { run0(d)["parameters"]["backend"] = "epoll"; },
               "results[0].parameters.backend: must name this run's backend"},
        damage{"bad_side", [](ordered_json& d) { run0(d)["network"]["side"] = "middle"; }, "network.side: 'middle'"},
        damage{"no_server_counts", [](ordered_json& d) { run0(d)["network"].erase("server"); }, "network.server: missing"},
        damage{"bucket_counts_disagree", [](ordered_json& d) { run0(d)["histogram"]["count"] = 1; },
               "results[0].histogram: bucket counts plus overflow differ"},
        damage{"bucket_index_too_large", [](ordered_json& d) { run0(d)["histogram"]["buckets"][0][0] = 99999; },
               "bucket index beyond"},
        damage{"buckets_unsorted",
               [](ordered_json& d) {
                   auto& b = run0(d)["histogram"]["buckets"];
                   std::swap(b[0], b[1]);
               },
               "bucket indices must increase"},
        damage{"bucket_not_a_pair", [](ordered_json& d) { run0(d)["histogram"]["buckets"][0] = 5; },
               "must be [bucket index, count]"},
        damage{"other_layout", [](ordered_json& d) { run0(d)["histogram"]["sub_buckets"] = 32; }, "sub_buckets: must be 64"},
        // iobench/3
        damage{"repetitions_need_a_spread", [](ordered_json& d) { d["results"][5].erase("spread"); },
               "results[5].spread: missing"},
        damage{"spread_min_above_max", [](ordered_json& d) { d["results"][5]["spread"]["iops"]["min"] = 1e9; },
               "results[5].spread.iops: min is above max"},
        damage{"repetition_histogram_broken",
               [](ordered_json& d) { d["results"][5]["repetitions"][0]["histogram"]["count"] = 1; },
               "results[5].repetitions[0].histogram: bucket counts"},
        damage{"repetition_without_status", [](ordered_json& d) { d["results"][5]["repetitions"][1].erase("status"); },
               "results[5].repetitions[1].status: missing"},
        damage{"timeline_out_of_order", [](ordered_json& d) { run0(d)["timeline"][0]["t_s"] = 9; },
               "results[0].timeline[1].t_s: intervals must be in time order"},
        damage{"timeline_percentiles_out_of_order", [](ordered_json& d) { run0(d)["timeline"][0]["p50_ns"] = 1u << 30; },
               "results[0].timeline[0]: p50_ns <= p99_ns <= max_ns"},
        damage{"timeline_ops_negative", [](ordered_json& d) { run0(d)["timeline"][1]["ops"] = -3; },
               "results[0].timeline[1].ops: must be an unsigned"},
        // iobench/4
        damage{"interval_histogram_unsorted",
               [](ordered_json& d) {
                   auto& b = run0(d)["timeline"][0]["histogram"];
                   std::swap(b[0], b[1]);
               },
               "results[0].timeline[0].histogram: bucket indexes must rise"},
        damage{"interval_histogram_counts_too_many", [](ordered_json& d) { run0(d)["timeline"][0]["histogram"][1][1] = 1u << 30; },
               "results[0].timeline[0].histogram: counts more ops than the interval's `ops`"},
        damage{"interval_histogram_without_min", [](ordered_json& d) { run0(d)["timeline"][0].erase("min_ns"); },
               "results[0].timeline[0].min_ns: missing"},
        damage{"littles_law_ok_not_bool", [](ordered_json& d) { run0(d)["checks"]["littles_law"]["ok"] = "yes"; },
               "results[0].checks.littles_law.ok: must be a boolean"},
        damage{"checks_without_stamp_count", [](ordered_json& d) { run0(d)["checks"].erase("negative_latencies"); },
               "results[0].checks.negative_latencies: missing"},
        damage{"censored_negative", [](ordered_json& d) { run0(d)["latency_ns"]["censored"] = -1; },
               "results[0].latency_ns.censored: must be an unsigned"},
        damage{"below_request_not_text", [](ordered_json& d) { run0(d)["achieved"]["below_request"] = {1}; },
               "results[0].achieved.below_request: every entry"},
        damage{"steady_state_without_criterion", [](ordered_json& d) { run0(d)["steady_state"].erase("criterion"); },
               "results[0].steady_state.criterion: missing"},
        damage{"suspect_without_reason", [](ordered_json& d) { d["results"][3]["reason"] = ""; },
               "results[3].reason: a suspect run says why"},
        damage{"thread_classes_do_not_add_up", [](ordered_json& d) { run0(d)["cpu"]["by_thread"]["load"]["sys_s"] = 9.0; },
               "cpu.by_thread: the classes do not add up"},
        damage{"thread_class_missing", [](ordered_json& d) { run0(d)["cpu"]["by_thread"].erase("iou-sqp"); },
               "cpu.by_thread.iou-sqp: missing"},
        damage{"residue_in_no_class", [](ordered_json& d) { run0(d)["cpu"]["residue"]["in"] = "kernel"; },
               "cpu.residue.in: 'kernel'"},
        damage{"negative_calls_per_op", [](ordered_json& d) { run0(d)["cpu"]["per_op"]["reap_calls"] = -1.0; },
               "cpu.per_op.reap_calls: must not be negative"},
        // The setup manifest (iobench/3 additions).
        damage{"warning_not_text", [](ordered_json& d) { d["warnings"].push_back(3); }, "warnings: every warning is a string"},
        damage{"warnings_not_array", [](ordered_json& d) { d["warnings"] = "none"; }, "warnings: must be an array"},
        damage{"no_governor", [](ordered_json& d) { d["host"]["cpufreq"].erase("governor"); }, "host.cpufreq.governor: missing"},
        damage{"cpus_as_text", [](ordered_json& d) { d["host"]["cpus_online"] = "2"; }, "host.cpus_online: must be an unsigned"},
        damage{"no_libaio", [](ordered_json& d) { d["host"].erase("libaio_version"); }, "host.libaio_version: missing"},
        damage{"queue_number", [](ordered_json& d) { d["host"]["queue"]["nr_requests"] = 256; }, "host.queue.nr_requests"},
        damage{"cached_above_1", [](ordered_json& d) { run0(d)["target_cached_fraction"] = 1.5; },
               "results[0].target_cached_fraction: must be between 0 and 1"},
        damage{"busy_as_text", [](ordered_json& d) { run0(d)["neighbour_busy"]["busy"] = "yes"; },
               "results[0].neighbour_busy.busy: must be a boolean"},
        damage{"negative_neighbour", [](ordered_json& d) { run0(d)["neighbour_busy"]["cpu_fraction"] = -1; },
               "results[0].neighbour_busy.cpu_fraction: must not be negative"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(results_schema, text_that_is_not_json_is_one_problem) {
    const auto p = check_results_text("{\"schema\": ");
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].rfind("not JSON", 0), 0u);
}

}  // namespace
