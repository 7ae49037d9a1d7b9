// End-to-end tests of the iobench command line: list, a short run of every
// storage workload on every backend, --verify catching corruption, and bad
// input exiting 2 with nothing left behind. Timing is never asserted.
#include "backends/registry.hpp"
#include "tests/cli_runner.hpp"
#include "tests/results_check.hpp"

#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/statvfs.h>
#include <unistd.h>

namespace fs = std::filesystem;
using nlohmann::json;
using namespace iobench::test;

namespace {

// A small prefilled file shared by the run tests (written once).
const std::string& shared_file() {
    static const std::string path = (work_dir() / "shared.data").string();
    return path;
}

std::string short_run(const std::string& backend, const std::string& workload) {
    return "run --quiet --backend " + backend + " --workload " + workload + " --size 16m --iodepth 8 --runtime 300ms --ramp 0 --file " +
           shared_file();
}

class e2e : public ::testing::Test {};

TEST_F(e2e, list_names_every_backend_and_why_one_cannot_run) {
    const auto r = run_cli("list");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const auto& e : iobench::registry()) {
        const auto probe = e.probe({iobench::io_target::file, {}, true});
        EXPECT_NE(r.out.find(std::string(e.name) + " "), std::string::npos) << e.name;
        if (!probe.ok) {
            EXPECT_NE(r.out.find(probe.reason), std::string::npos) << "reason for " << e.name << " missing";
        }
    }
    // On a device without poll queues IOPOLL must be reported with the kernel's reason.
    const std::string io_poll = slurp("/sys/block/vda/queue/io_poll");
    if (!io_poll.empty() && io_poll[0] == '0') {
        EXPECT_NE(r.out.find("EOPNOTSUPP"), std::string::npos) << r.out;
    }
}

double seconds(const json& c) { return c["user_s"].get<double>() + c["sys_s"].get<double>(); }

// CPU by thread class adds up to the process total (the residue is in a
// class by construction); SQPOLL's poller and glibc's helpers are not free.
void expect_cpu_by_thread(const json& res, const std::string& backend, const std::string& table) {
    const json& cpu = res["cpu"];
    ASSERT_TRUE(cpu.contains("by_thread")) << cpu.dump();
    const json& by = cpu["by_thread"];
    double sum = 0;
    for (const auto& [name, c] : by.items()) sum += seconds(c);
    EXPECT_NEAR(sum, seconds(cpu), 1e-9);
    EXPECT_GT(by["harness"]["threads"].get<unsigned>(), 0u);
    EXPECT_GT(seconds(by["harness"]), 0.0);
    if (backend == "io_uring_sqpoll") {
        EXPECT_GT(seconds(by["iou-sqp"]), 0.0) << "SQPOLL's poller must not look free";
        EXPECT_NE(table.find("iou-sqp "), std::string::npos) << "no cpu: line in the table\n" << table;
    }
    if (backend == "posix_aio") {
        EXPECT_GT(seconds(by["aio-helpers"]), 0.0);
    }
    // Backend calls: the front counts every reap(); io_uring counts its enters.
    EXPECT_GT(res["counters"]["reap_calls"].get<uint64_t>(), 0u);
    EXPECT_GT(cpu["per_op"]["reap_calls"].get<double>(), 0.0);
    EXPECT_GE(cpu["per_op"]["voluntary_cs"].get<double>(), 0.0);
    if (backend == "io_uring") {
        EXPECT_GT(res["counters"]["enter_calls"].get<uint64_t>(), 0u);
        EXPECT_GT(cpu["cqes_per_enter"].get<double>(), 0.0);
    }
}

class e2e_run : public e2e, public ::testing::WithParamInterface<std::tuple<std::string, std::string>> {};

TEST_P(e2e_run, produces_valid_json_with_plausible_fields) {
    const auto& [backend, workload] = GetParam();
    const fs::path json_path = work_dir() / (backend + "-" + workload + ".json");
    const auto r = run_cli(short_run(backend, workload) + " -o " + json_path.string());
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    expect_valid_results(slurp(json_path));
    const json doc = json::parse(slurp(json_path));
    EXPECT_EQ(doc["schema"], "iobench/4");
    EXPECT_FALSE(doc["host"]["kernel"].get<std::string>().empty());
    EXPECT_EQ(doc["parameters"]["workload"], workload);
    ASSERT_EQ(doc["results"].size(), 1u);
    const json& res = doc["results"][0];
    EXPECT_EQ(res["backend"], backend);
    EXPECT_EQ(res["parameters"]["backend"], backend);
    const auto probe = iobench::find_backend(backend)->probe({iobench::io_target::file, shared_file(), true});
    if (!probe.ok) {
        EXPECT_EQ(res["status"], "unsupported");
        EXPECT_EQ(res["reason"], probe.reason);
        return;
    }
    // "suspect" is a measured run whose self-check failed (this box is noisy):
    // its fields are all there; tests/e2e_plan.cpp tests the checks themselves.
    ASSERT_TRUE(res["status"] == "ok" || res["status"] == "suspect") << res["status"] << ": " << res["reason"];
    const auto ops = res["ops"].get<uint64_t>();
    EXPECT_GT(ops, 0u);
    EXPECT_EQ(res["bytes"].get<uint64_t>(), ops * 4096);
    EXPECT_EQ(res["errors"], 0);
    EXPECT_GT(res["iops"].get<double>(), 0);
    EXPECT_GT(res["duration_s"].get<double>(), 0.2);
    const json& lat = res["latency_ns"];
    EXPECT_GT(lat["min"].get<uint64_t>(), 0u);
    EXPECT_LE(lat["min"].get<uint64_t>(), lat["p50"].get<uint64_t>());
    EXPECT_LE(lat["p50"].get<uint64_t>(), lat["p99"].get<uint64_t>());
    EXPECT_LE(lat["p99"].get<uint64_t>(), lat["max"].get<uint64_t>());
    // Completed ops, plus the ops in flight at the window's end as censored samples.
    EXPECT_EQ(res["histogram"]["count"].get<uint64_t>(), ops + res["latency_ns"]["censored"].get<uint64_t>());
    EXPECT_EQ(res["inflight_at_end"]["count"], res["latency_ns"]["censored"]);
    EXPECT_TRUE(res["checks"].is_object());
    EXPECT_TRUE(res["achieved"].is_object());
    if (workload == "randrw") {
        EXPECT_GT(res["read_ops"].get<uint64_t>(), 0u);
        EXPECT_GT(res["write_ops"].get<uint64_t>(), 0u);
    }
    EXPECT_NE(r.out.find(backend), std::string::npos) << "table row missing";
    expect_cpu_by_thread(res, backend, r.out);
}

std::vector<std::tuple<std::string, std::string>> all_runs() {
    std::vector<std::tuple<std::string, std::string>> v;
    for (const auto& e : iobench::registry())
        for (const char* w : {"read", "write", "randread", "randwrite", "randrw"}) v.emplace_back(std::string(e.name), w);
    return v;
}

INSTANTIATE_TEST_SUITE_P(all, e2e_run, ::testing::ValuesIn(all_runs()), [](const auto& info) {
    return std::get<0>(info.param) + "_" + std::get<1>(info.param);
});

TEST_F(e2e, verify_passes_on_intact_data_and_names_the_corrupted_offset) {
    const std::string file = (work_dir() / "verify.data").string();
    const std::string base = "run --quiet --backend blocking --iodepth 1 --size 4m --ramp 0 --verify --file " + file;
    auto r = run_cli(base + " --workload randwrite --ops 500");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    r = run_cli(base + " --workload read --ops 1024");  // every block once
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

    const off_t bad = 3 * 1024 * 1024 + 1234;
    const int fd = ::open(file.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    const char junk = 0x5a;
    ASSERT_EQ(::pwrite(fd, &junk, 1, bad), 1);
    ::close(fd);
    const fs::path json_path = work_dir() / "verify.json";
    r = run_cli(base + " --workload read --ops 1024 -o " + json_path.string());
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("mismatch at offset " + std::to_string(bad)), std::string::npos) << r.out;
    expect_valid_results(slurp(json_path));
    const json doc = json::parse(slurp(json_path));
    EXPECT_EQ(doc["results"][0]["status"], "error");
    EXPECT_GE(doc["results"][0]["errors"].get<uint64_t>(), 1u);
}

TEST_F(e2e, verify_reads_back_after_a_write_run) {
    const std::string file = (work_dir() / "verify-write.data").string();
    const std::string base = "run --quiet --backend io_uring --iodepth 4 --size 4m --ramp 0 --verify --file " + file;
    auto r = run_cli(base + " --workload write --ops 100");  // the first 400 KiB, sequentially
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("read back all 4194304 bytes after the run: intact"), std::string::npos) << r.out;

    const off_t bad = 3 * 1024 * 1024 + 77;  // beyond what the next run writes
    const int fd = ::open(file.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    const char junk = 0x33;
    ASSERT_EQ(::pwrite(fd, &junk, 1, bad), 1);
    ::close(fd);
    r = run_cli(base + " --workload write --ops 100");
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("mismatch at offset " + std::to_string(bad)), std::string::npos) << r.out;
}

struct bad_input {
    const char* name;
    std::string args;
    const char* flag;  // the message must name it
};

// Twice the free space plus a GiB, measured when the test runs: fallocate
// must fail with ENOSPC at once (never start writing that much).
std::string no_space_size() {
    struct statvfs st {};
    ::statvfs(IOBENCH_TEST_TMP, &st);
    return std::to_string(2 * (st.f_bavail * st.f_frsize >> 20) + 1024) + "m";
}

class e2e_bad_input : public e2e, public ::testing::WithParamInterface<bad_input> {};

TEST_P(e2e_bad_input, exits_2_with_one_line_and_leaves_nothing) {
    const fs::path dir = work_dir() / (std::string("bad-") + GetParam().name);
    fs::create_directories(dir);
    std::string args = GetParam().args;
    if (const auto at = args.find("NOSPACE"); at != std::string::npos) args.replace(at, 7, no_space_size());
    const auto r = run_cli(args + " --dir " + dir.string() + " -o " + (dir / "r.json").string());
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find(GetParam().flag), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(fs::is_empty(dir)) << "left behind in " << dir;
}

INSTANTIATE_TEST_SUITE_P(all, e2e_bad_input,
                         ::testing::Values(bad_input{"backend", "run --backend nosuch", "--backend"},
                                           bad_input{"workload", "run --workload scribble", "--workload"},
                                           bad_input{"bs", "run --bs 1000", "--bs"},
                                           bad_input{"size", "run --bs 64k --size 4k", "--size"},
                                           bad_input{"flag", "run --no-such-flag", "no-such-flag"},
                                           bad_input{"iodepth", "run --iodepth 0", "--iodepth"},
                                           bad_input{"runtime", "run --runtime 5parsecs", "--runtime"},
                                           bad_input{"nospace", "run --backend blocking --size NOSPACE", "--size"}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(e2e, missing_directory_exits_2) {
    const auto r = run_cli("run --backend blocking --dir /nonexistent/iobench");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--dir"), std::string::npos) << r.err;
}

TEST_F(e2e, help_explains_every_run_flag) {
    const auto r = run_cli("run --help");
    ASSERT_EQ(r.exit_code, 0);
    for (const char* flag : {"--backend", "--workload", "--bs", "--iodepth", "--jobs", "--size", "--runtime", "--ops",
                             "--ramp", "--file", "--dir", "--buffered", "--rwmixread", "--fsync", "--verify", "--output"})
        EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
}

}  // namespace
