// Golden tests of the writers (as Google Benchmark's output tests do): a fixed
// result in, exact text out, compared with tests/golden/. A deliberate format
// change regenerates them with IOBENCH_UPDATE_GOLDEN=1 (then review the diff).
// Links only the results library.
#include "results/writer.hpp"
#include "tests/golden_check.hpp"
#include "tests/results_fixture.hpp"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

using namespace iobench;
using namespace iobench::test;

namespace {

using writer_factory = std::unique_ptr<results_writer> (*)(std::ostream&);

std::string write_all(writer_factory make, const run_context& ctx, const std::vector<run_result>& runs) {
    std::ostringstream out;
    auto w = make(out);
    w->begin(ctx);
    for (const auto& r : runs) w->add(r);
    w->end();
    return out.str();
}

std::vector<run_result> storage_runs(const run_context& ctx) {
    run_result full = full_result(ctx);
    full.net.reset();  // a storage row
    std::vector<run_result> v{std::move(full)};
    for (auto& r : other_results(ctx)) v.push_back(std::move(r));
    v.push_back(repeated_result(ctx));
    return v;
}

run_context network_context() {
    run_context ctx = fixed_context();
    ctx.host.target_path = ctx.host.target_fs = ctx.host.target_device = "";
    ctx.parameters["kind"] = std::string("network");
    ctx.parameters["workload"] = std::string("echo");
    return ctx;
}

std::vector<run_result> network_runs(const run_context& ctx) {
    run_result r = full_result(ctx);
    r.workload = "echo";
    return {r};
}

TEST(results_writers, json_storage) {
    const auto ctx = fixed_context();
    expect_golden("storage.json", write_all(make_json_writer, ctx, storage_runs(ctx)));
}

TEST(results_writers, json_network) {
    const auto ctx = network_context();
    expect_golden("network.json", write_all(make_json_writer, ctx, network_runs(ctx)));
}

TEST(results_writers, table_storage) {
    const auto ctx = fixed_context();
    expect_golden("storage.txt", write_all(make_table_writer, ctx, storage_runs(ctx)));
}

TEST(results_writers, table_network) {
    const auto ctx = network_context();
    expect_golden("network.txt", write_all(make_table_writer, ctx, network_runs(ctx)));
}

}  // namespace
