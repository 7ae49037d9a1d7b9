// iobench-micro end to end: a short run (--benchmark_min_time=0.01) whose
// Google Benchmark JSON must list, for every backend of the registry, a
// measured benchmark where the registry's probe says it runs here and a
// skip carrying the probe's reason where it does not.
#include "backends/registry.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// name (Google Benchmark's suffixes cut off) -> the benchmark's JSON entry.
std::map<std::string, json> run_micro(const fs::path& dir) {
    fs::create_directories(dir);
    const fs::path out = dir / "micro.json";
    const std::string cmd = std::string(IOBENCH_MICRO_BIN) + " --micro_dir=" + dir.string() +
                            " --benchmark_min_time=0.01 --benchmark_format=json --benchmark_out_format=json" +
                            " --benchmark_out=" + out.string() + " >" + (dir / "stdout.json").string() + " 2>" +
                            (dir / "stderr.txt").string();
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream in(out);
    const json doc = json::parse(in);
    EXPECT_EQ(doc.at("context").at("liburing"), IOBENCH_LIBURING_VERSION);
    std::map<std::string, json> by_name;
    for (const json& b : doc.at("benchmarks")) {
        std::string name = b.at("name");
        name = name.substr(0, name.find("/process_time"));
        by_name[name] = b;
    }
    return by_name;
}

// The benchmark ran and reported a number (and the per-op counters), or it
// was skipped with exactly the probe's reason and no number.
void expect_entry(const std::map<std::string, json>& got, const std::string& name, const iobench::probe_result& p) {
    const auto it = got.find(name);
    ASSERT_NE(it, got.end()) << name << " is not in the JSON";
    const json& b = it->second;
    if (p.ok) {
        EXPECT_FALSE(b.value("error_occurred", false)) << name << ": " << b.value("error_message", "");
        EXPECT_GT(b.at("iterations").get<int64_t>(), 0) << name;
        EXPECT_GT(b.at("items_per_second").get<double>(), 0) << name;
        EXPECT_TRUE(b.contains("submit_calls/op") && b.contains("ctx_switches/op")) << name;
    } else {
        EXPECT_TRUE(b.value("error_occurred", false)) << name << " ran on an unsupported backend";
        EXPECT_EQ(b.value("error_message", ""), p.reason) << name;
        EXPECT_FALSE(b.contains("items_per_second")) << name;
    }
}

TEST(micro, every_backend_is_measured_or_skipped_with_its_reason) {
    const fs::path dir = fs::path(IOBENCH_TEST_TMP) / "micro";
    const auto got = run_micro(dir);
    // The probes the binary uses: buffered, on a file in the same directory and on /dev/shm.
    const fs::path probe_file = dir / "probe.data";
    const fs::path shm_probe = "/dev/shm/iobench-e2e-micro-probe." + std::to_string(::getpid());
    std::ofstream(probe_file) << std::string(4096, 'x');
    std::ofstream(shm_probe) << std::string(4096, 'x');
    bool some_ran = false, some_skipped = false;
    for (const auto& e : iobench::registry()) {
        const std::string n(e.name);
        const auto file = e.probe({iobench::io_target::file, probe_file.string(), false});
        const auto sock = e.probe({iobench::io_target::socket, {}, false});
        expect_entry(got, "read_4k_pagecache/qd:1/batch:1/" + n, file);
        expect_entry(got, "read_4k_pagecache/qd:32/batch:8/" + n, file);
        expect_entry(got, "write_4k_tmpfs/qd:1/" + n, e.probe({iobench::io_target::file, shm_probe.string(), false}));
        expect_entry(got, "tcp_send_recv_64B/" + n, sock);
        if (n.starts_with("io_uring")) expect_entry(got, "nop_liburing_direct/qd:1/batch:1/" + n, file);
        (file.ok ? some_ran : some_skipped) = true;
    }
    fs::remove(probe_file);
    fs::remove(shm_probe);
    EXPECT_TRUE(some_ran);
    // io_uring_iopoll never runs buffered: this machine always has a skip to check.
    EXPECT_TRUE(some_skipped);
    // The scratch files are gone when the binary ends.
    for (const auto& f : fs::directory_iterator(dir))
        EXPECT_FALSE(f.path().filename().string().starts_with("iobench-micro-")) << f.path();
}

}  // namespace
