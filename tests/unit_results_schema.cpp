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
