// End-to-end fault tests on the real binary: each injected fault gives a
// message naming the backend and the cause, that backend's status is
// "error", the other backends still run and keep their results. The stall
// detector is driven by IOBENCH_TEST_FAULT=stall:BACKEND (one completion is
// withheld, the stall limit is 1 s); bad flags exit 2 naming the flag.
#include "tests/cli_runner.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using nlohmann::json;
using namespace iobench::test;
namespace fs = std::filesystem;

namespace {

std::string storage_run(const fs::path& dir, const std::string& backends, const std::string& extra = "") {
    return "run --backend " + backends + " --workload randread --buffered --size 4m --iodepth 4 --runtime 2s "
           "--ramp 0 --interval 0 --dir " + dir.string() + " -o " + (dir / "r.json").string() + " " + extra;
}

fs::path fresh_dir(const std::string& name) {
    const fs::path d = work_dir() / name;
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

const json* find_run(const json& doc, const std::string& backend) {
    for (const auto& r : doc["results"])
        if (r["backend"] == backend) return &r;
    return nullptr;
}

// Sets IOBENCH_TEST_FAULT for the children of one test (run_cli inherits the environment).
struct fault_env {
    explicit fault_env(const char* v) { ::setenv("IOBENCH_TEST_FAULT", v, 1); }
    ~fault_env() { ::unsetenv("IOBENCH_TEST_FAULT"); }
};

TEST(e2e_faults, a_withheld_completion_is_a_stall_naming_backend_op_and_offset) {
    const fs::path dir = fresh_dir("stall");
    const fault_env fault("stall:io_uring");
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = run_cli(storage_run(dir, "blocking,io_uring,libaio"));
    // The stall fails io_uring within the 1 s limit, not at the end of a 2 s window plus 30 s.
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    const json doc = json::parse(slurp(dir / "r.json"));
    ASSERT_EQ(doc["results"].size(), 3u);
    const json* uring = find_run(doc, "io_uring");
    ASSERT_NE(uring, nullptr);
    EXPECT_EQ((*uring)["status"], "error");
    const std::string why = (*uring)["reason"];
    EXPECT_NE(why.find("io_uring stalled: read at offset "), std::string::npos) << why;
    EXPECT_NE(why.find("(stall limit 1 s)"), std::string::npos) << why;
    EXPECT_NE(r.out.find("error: io_uring stalled: read at offset"), std::string::npos) << r.out;
    for (const char* other : {"blocking", "libaio"}) {
        const json* o = find_run(doc, other);
        ASSERT_NE(o, nullptr) << other;
        EXPECT_EQ((*o)["status"], "ok") << other << ": " << (*o)["reason"];
        EXPECT_GT((*o)["ops"].get<uint64_t>(), 0u) << other;
    }
}

TEST(e2e_faults, an_unknown_test_fault_is_bad_input) {
    const fault_env fault("stal");
    const auto r = run_cli(storage_run(fresh_dir("stal"), "blocking"));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("IOBENCH_TEST_FAULT=stal: unknown test fault"), std::string::npos) << r.err;
}

// Each bad flag: exit 2, one line on stderr naming the flag, nothing run.
TEST(e2e_faults, bad_flags_exit_2_with_one_line_naming_the_flag) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"run --workload echo --connections 0", "iobench: --connections: must be between 1 and 65536\n"},
        {"run --workload echo --rate -5", "iobench: --rate: must not be negative\n"},
        {"load --target 127.0.0.1:9 --rate -5", "iobench: --rate: must not be negative\n"},
        {"run --workload echo --iodepth 8",
         "iobench: --iodepth: storage workloads only (--workload echo is a network workload)\n"},
        {"run --workload randread --connections 8",
         "iobench: --connections: network workloads only (--workload randread is a storage workload)\n"},
    };
    for (const auto& [args, err] : cases) {
        const auto r = run_cli(args);
        EXPECT_EQ(r.exit_code, 2) << args;
        EXPECT_EQ(r.err, err) << args;
        EXPECT_TRUE(r.out.empty()) << args << ": " << r.out;
    }
}

// The deadline passes while the withheld op is in flight: the grace (the
// stall limit, 1 s here) bounds the run's end, and the op is named.
TEST(e2e_faults, the_grace_after_the_deadline_is_bounded) {
    const fs::path dir = fresh_dir("grace");
    const fault_env fault("stall");
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = run_cli("run --backend io_uring --workload randread --buffered --size 4m --iodepth 4 --runtime 300ms "
                           "--ramp 0 --interval 0 --quiet --dir " + dir.string() + " -o " + (dir / "r.json").string());
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    const json doc = json::parse(slurp(dir / "r.json"));
    EXPECT_EQ(doc["results"][0]["status"], "error");
    EXPECT_NE(doc["results"][0]["reason"].get<std::string>().find("io_uring stalled: read at offset"), std::string::npos);
}

}  // namespace
