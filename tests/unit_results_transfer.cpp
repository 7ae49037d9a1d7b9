// The optional `transfer` object (--workload transfer) in the results library
// alone: it round-trips through the JSON writer and reader, passes the schema
// check, a damaged one is found out, files without it are unchanged, and the
// table shows the transfer columns.
#include "results/json_reader.hpp"
#include "results/merge.hpp"
#include "results/schema_check.hpp"
#include "results/writer.hpp"
#include "tests/results_fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace iobench;
using namespace iobench::test;

namespace {

run_result transfer_result(const run_context& ctx) {
    run_result r = full_result(ctx);
    r.workload = "transfer";
    transfer_facts& t = r.transfer.emplace();
    t.method = "io_uring_send_zc";
    t.cache = "cold";
    t.file_size = 8u << 20;
    t.chunk = 65536;
    t.bytes = 8u << 20;
    t.gbit_per_sec = 5.25;
    t.cached_fraction = 0.125;
    t.sender_cpu = {0.5, 1.25};
    t.receiver_cpu = {0.25, 0.75};
    t.sender_user_s_per_gb = 0.0625;
    t.sender_sys_s_per_gb = 0.15625;
    t.syscalls = 300;
    t.syscalls_per_mb = 35.75;
    t.syscalls_counted = "io_uring_enter calls + preads";
    t.zerocopy_reported = true;
    t.bytes_zero_copied = 65536;
    t.bytes_copied = (8u << 20) - 65536;
    return r;
}

TEST(results_transfer, round_trips_and_passes_the_schema_check) {
    const run_context ctx = fixed_context();
    run_result no_zc = transfer_result(ctx);
    no_zc.transfer->method = "sendfile";
    no_zc.transfer->zerocopy_reported = false;
    no_zc.transfer->bytes_zero_copied = no_zc.transfer->bytes_copied = 0;
    const std::vector<run_result> runs{transfer_result(ctx), no_zc, full_result(ctx)};
    const std::string text = write_json(ctx, runs);
    EXPECT_TRUE(check_results_text(text).empty());
    std::istringstream in(text);
    const result_file back = read_results_json(in);
    ASSERT_EQ(back.results.size(), 3u);
    ASSERT_TRUE(back.results[0].transfer && back.results[1].transfer);
    EXPECT_EQ(*back.results[0].transfer, *runs[0].transfer);
    EXPECT_EQ(*back.results[1].transfer, *runs[1].transfer);
    EXPECT_FALSE(back.results[2].transfer);  // a storage run has none
    EXPECT_EQ(nlohmann::json::parse(text)["results"][1]["transfer"].contains("zerocopy"), false);
    EXPECT_EQ(write_json(back.context, back.results), text);
}

TEST(results_transfer, a_damaged_transfer_object_is_found_out) {
    const run_context ctx = fixed_context();
    auto doc = nlohmann::json::parse(write_json(ctx, {transfer_result(ctx)}));
    doc["results"][0]["transfer"]["cache"] = "lukewarm";
    doc["results"][0]["transfer"]["zerocopy"].erase("bytes_copied");
    const auto problems = check_results_text(doc.dump());
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_NE(problems[0].find("transfer.cache"), std::string::npos) << problems[0];
    EXPECT_NE(problems[1].find("transfer.zerocopy.bytes_copied"), std::string::npos) << problems[1];
}

// Two hosts' transfer results merge: counts and CPU add up, rates follow the totals.
TEST(results_transfer, merges_as_concurrent_hosts) {
    const run_context ctx = fixed_context();
    const result_file f{"iobench/3", ctx, {transfer_result(ctx)}};
    const result_file merged = merge_results({{"a.json", f}, {"b.json", f}}, merge_mode::concurrent, "iobench merge a b");
    ASSERT_EQ(merged.results.size(), 1u);
    ASSERT_TRUE(merged.results[0].transfer);
    const transfer_facts& t = *merged.results[0].transfer;
    EXPECT_EQ(t.bytes, 2 * f.results[0].transfer->bytes);
    EXPECT_EQ(t.bytes_copied, 2 * f.results[0].transfer->bytes_copied);
    EXPECT_EQ(t.syscalls, 600u);
    EXPECT_DOUBLE_EQ(t.sender_sys_s_per_gb, f.results[0].transfer->sender_cpu.sys_s / (static_cast<double>(f.results[0].transfer->bytes) / 1e9));
    EXPECT_TRUE(check_results_text([&] {
        std::ostringstream out;
        auto w = make_json_writer(out);
        w->begin(merged.context);
        w->add(merged.results[0]);
        w->end();
        return out.str();
    }()).empty());
}

TEST(results_transfer, the_table_shows_the_transfer_columns) {
    run_context ctx = fixed_context();
    ctx.parameters["kind"] = std::string("transfer");
    std::ostringstream out;
    auto w = make_table_writer(out);
    w->begin(ctx);
    w->add(transfer_result(ctx));
    w->end();
    const std::string s = out.str();
    for (const char* col : {"method", "Gbit/s", "usr s/GB", "sys s/GB", "calls/MB", "zero-copy", "copied"})
        EXPECT_NE(s.find(col), std::string::npos) << col << "\n" << s;
    EXPECT_NE(s.find("io_uring_send_zc"), std::string::npos) << s;
    EXPECT_NE(s.find("5.25"), std::string::npos) << s;
    EXPECT_NE(s.find("7.9MiB"), std::string::npos) << s;  // bytes_copied
}

}  // namespace
