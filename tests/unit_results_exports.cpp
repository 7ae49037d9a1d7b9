// The export writers on the fixed results (tests/results_fixture.hpp): CSV
// and Google Benchmark JSON against golden files (IOBENCH_UPDATE_GOLDEN=1
// rewrites them; review the diff), plus the structure the tools reading them
// depend on: one CSV row per run with the header's field count, gbench
// iteration and aggregate entries as Google Benchmark writes them, gab lists
// of {name, unit, value, extra}. Links only the results library.
#include "results/exports.hpp"
#include "tests/golden_check.hpp"
#include "tests/results_fixture.hpp"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace iobench;
using namespace iobench::test;
using nlohmann::json;

namespace {

// A suite of two jobs: one storage document (every kind of run), one network.
std::vector<result_file> fixture_docs() {
    run_context storage = fixed_context();
    storage.job = "randrw-4k";
    result_file a{schema_name, storage, {}};
    run_result full = full_result(storage);
    full.net.reset();
    a.results.push_back(std::move(full));
    for (auto& r : other_results(storage)) a.results.push_back(std::move(r));
    a.results.push_back(repeated_result(storage));
    run_context net = fixed_context();
    net.job = "echo-64c";
    net.parameters["kind"] = std::string("network");
    run_result echo = full_result(net);
    echo.workload = "echo";
    echo.parameters["connections"] = uint64_t{64};
    return {a, {schema_name, net, {echo}}};
}

std::string write(export_file f, const std::vector<result_file>& docs) {
    std::ostringstream out;
    write_export(out, f, docs);
    return out.str();
}

// RFC 4180 fields of one line (quotes doubled inside quoted fields).
std::vector<std::string> csv_fields(const std::string& line) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') out.back() += '"', ++i;
        else if (c == '"') quoted = !quoted;
        else if (c == ',' && !quoted) out.emplace_back();
        else out.back() += c;
    }
    return out;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> v;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
}

TEST(results_exports, csv_golden) { expect_golden("suite.csv", write(export_file::csv, fixture_docs())); }
TEST(results_exports, gbench_golden) { expect_golden("suite.gbench.json", write(export_file::gbench, fixture_docs())); }

TEST(results_exports, csv_has_one_row_per_run_with_the_headers_fields) {
    const auto docs = fixture_docs();
    const auto lines = lines_of(write(export_file::csv, docs));
    ASSERT_EQ(lines.size(), 1 + docs[0].results.size() + docs[1].results.size());
    const auto header = csv_fields(lines[0]);
    EXPECT_EQ(header.front(), "job");
    for (size_t i = 1; i < lines.size(); ++i) EXPECT_EQ(csv_fields(lines[i]).size(), header.size()) << lines[i];
    auto col = [&](const std::vector<std::string>& row, const std::string& name) {
        for (size_t i = 0; i < header.size(); ++i)
            if (header[i] == name) return row.at(i);
        ADD_FAILURE() << "no column " << name;
        return std::string();
    };
    const auto first = csv_fields(lines[1]);
    EXPECT_EQ(col(first, "job"), "randrw-4k");
    EXPECT_EQ(col(first, "backend"), "io_uring");
    EXPECT_EQ(col(first, "iops"), "98764.8");
    EXPECT_EQ(col(first, "bs"), "4096");
    EXPECT_EQ(col(first, "lat_p99_ns"), std::to_string(docs[0].results[0].latency.percentile(99)));
    const auto repeated = csv_fields(lines[docs[0].results.size()]);
    EXPECT_EQ(col(repeated, "backend"), "libaio");
    EXPECT_EQ(col(repeated, "iops_cv"), "0.25");
    EXPECT_EQ(col(csv_fields(lines[2]), "status"), "unsupported");
    EXPECT_EQ(col(csv_fields(lines.back()), "kind"), "network");
}

TEST(results_exports, csv_quotes_commas_and_quotes) {
    auto docs = fixture_docs();
    docs[0].results[1].reason = "a, \"b\"";
    const auto lines = lines_of(write(export_file::csv, docs));
    EXPECT_NE(lines[2].find("\"a, \"\"b\"\"\""), std::string::npos) << lines[2];
    EXPECT_EQ(csv_fields(lines[2]).size(), csv_fields(lines[0]).size());
}

TEST(results_exports, gbench_entries_are_google_benchmarks) {
    const json doc = json::parse(write(export_file::gbench, fixture_docs()));
    EXPECT_EQ(doc["context"]["json_schema_version"], 1);
    EXPECT_EQ(doc["context"]["num_cpus"], 4);
    std::map<std::string, int> by_name;
    for (const json& b : doc["benchmarks"]) {
        ++by_name[b["name"].get<std::string>()];
        for (const char* k : {"name", "run_name", "run_type", "repetitions", "threads", "iterations", "real_time",
                              "cpu_time", "time_unit", "items_per_second", "bytes_per_second", "latency_p99_ns"})
            EXPECT_TRUE(b.contains(k)) << k << " in " << b["name"];
        EXPECT_EQ(b["time_unit"], "ns");
        const char* index = b["run_type"] == "aggregate" ? "aggregate_name" : "repetition_index";
        EXPECT_TRUE(b.contains(index)) << b["name"];
    }
    // Measured runs only: ok (io_uring), suspect (posix_aio, libaio's 3 repetitions); not
    // unsupported, error or interrupted ones.
    EXPECT_EQ(by_name, (std::map<std::string, int>{{"randrw-4k/io_uring", 1}, {"randrw-4k/posix_aio", 1},
                                                   {"randrw-4k/libaio", 3}, {"randrw-4k/libaio_mean", 1},
                                                   {"randrw-4k/libaio_median", 1}, {"randrw-4k/libaio_stddev", 1},
                                                   {"echo-64c/io_uring", 1}}));
    for (const json& b : doc["benchmarks"]) {
        if (b["name"] == "randrw-4k/io_uring") {
            EXPECT_DOUBLE_EQ(b["items_per_second"].get<double>(), 98764.8);
            EXPECT_DOUBLE_EQ(b["real_time"].get<double>(), 1e9 / 98764.8);  // wall time per op
            EXPECT_DOUBLE_EQ(b["cpu_time"].get<double>(), 15187.5);
            EXPECT_EQ(b["iterations"], 123456);
        }
        if (b["name"] == "randrw-4k/libaio_median") {
            EXPECT_EQ(b["run_name"], "randrw-4k/libaio");
            EXPECT_EQ(b["aggregate_name"], "median");
            EXPECT_EQ(b["iterations"], 3);                                  // the repetitions
            EXPECT_DOUBLE_EQ(b["items_per_second"].get<double>(), 404);     // 402, 404, 406
            EXPECT_DOUBLE_EQ(b["cpu_time"].get<double>(), 1008);            // 1000, 1008, 1016
        }
        if (b["name"] == "randrw-4k/libaio_stddev") {
            EXPECT_DOUBLE_EQ(b["items_per_second"].get<double>(), 2);  // sample stddev of 402, 404, 406
        }
    }
}

TEST(results_exports, gab_lists_name_unit_value_extra) {
    const auto docs = fixture_docs();
    const json bigger = json::parse(write(export_file::gab_bigger, docs));
    const json smaller = json::parse(write(export_file::gab_smaller, docs));
    ASSERT_TRUE(bigger.is_array());
    EXPECT_EQ(bigger.size(), 4u * 2);  // 4 measured runs: iops, bytes_per_sec
    EXPECT_EQ(smaller.size(), 4u * 3);  // p50, p99, cpu_per_op
    for (const json* list : {&bigger, &smaller})
        for (const json& e : *list) {
            EXPECT_TRUE(e["name"].is_string() && e["unit"].is_string() && e["value"].is_number() && e["extra"].is_string())
                << e;
        }
    EXPECT_EQ(bigger[0], (json{{"name", "randrw-4k/io_uring iops"}, {"unit", "ops/s"}, {"value", 98764.8},
                               {"extra", "status ok; 1 repetition"}}));
    EXPECT_EQ(bigger.back()["name"], "echo-64c/io_uring bytes_per_sec");
    EXPECT_EQ(bigger[bigger.size() - 2]["unit"], "req/s");
    EXPECT_EQ(smaller[1]["name"], "randrw-4k/io_uring p99");
    EXPECT_EQ(smaller[1]["value"].get<double>(), static_cast<double>(docs[0].results[0].latency.percentile(99)));
    EXPECT_NE(smaller[6 + 2]["extra"].get<std::string>().find("3 repetitions"), std::string::npos) << smaller[8];
}

TEST(results_exports, names_and_paths) {
    run_context ctx = fixed_context();
    run_result r = full_result(ctx);
    r.parameters["iodepth"] = uint64_t{32};
    EXPECT_EQ(export_run_name(ctx, r), "randrw/bs:4096/iodepth:32/io_uring");
    ctx.job = "j";
    EXPECT_EQ(export_run_name(ctx, r), "j/io_uring");
    EXPECT_EQ(export_path_beside("out/r.json", export_file::csv), "out/r.csv");
    EXPECT_EQ(export_path_beside("out/r.json", export_file::gbench), "out/r.gbench.json");
    EXPECT_EQ(export_path_beside("r", export_file::gab_bigger), "r.gab-bigger.json");
    EXPECT_EQ(export_path_beside("r.json", export_file::gab_smaller), "r.gab-smaller.json");
    EXPECT_EQ(export_name_in_dir(export_file::csv), "results.csv");
    std::string unknown;
    const auto all = parse_export_list("json,csv,gbench,gab", unknown);
    ASSERT_TRUE(all);
    EXPECT_EQ(export_files(*all).size(), 4u);
    EXPECT_TRUE(export_files(*parse_export_list("json", unknown)).empty());
    EXPECT_FALSE(parse_export_list("csv,xml", unknown));
    EXPECT_EQ(unknown, "xml");
    EXPECT_FALSE(parse_export_list("", unknown));
}

}  // namespace
