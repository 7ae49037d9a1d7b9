// End-to-end fault tests on the real binary: each injected fault gives a
// message naming the backend and the cause, that backend's status is
// "error", the other backends still run and keep their results. The stall
// detector is driven by IOBENCH_TEST_FAULT=stall:BACKEND (one completion is
// withheld, the stall limit is 1 s); bad flags exit 2 naming the flag.
#include "tests/cli_runner.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/mount.h>
#include <unistd.h>

using nlohmann::json;
using namespace iobench::test;
namespace fs = std::filesystem;

namespace {

std::string storage_run(const fs::path& dir, const std::string& backends, const std::string& extra = "") {
    return "run --backend " + backends + " --workload randread --buffered --size 4m --iodepth 4 --runtime 2s "
           "--ramp 0 --interval 0 --dir " + dir.string() + " -o " + (dir / "r.json").string() + " " + extra;
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
        EXPECT_TRUE(measured(*o)) << other << ": " << (*o)["status"] << " " << (*o)["reason"];
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

// A tmpfs of `size` bytes mounted on a fresh directory for one test, and
// unmounted after it; skipped (not passed) where mounting is not allowed.
struct tmpfs_mount {
    fs::path dir;
    std::string why_not;  // empty once mounted
    tmpfs_mount(const std::string& name, const std::string& size) : dir(fresh_dir(name)) {
        if (::geteuid() != 0) {
            why_not = "needs root to mount a tmpfs";
            return;
        }
        if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, ("size=" + size).c_str()) != 0)
            why_not = std::string("mount -t tmpfs: ") + std::strerror(errno);
    }
    ~tmpfs_mount() {
        if (why_not.empty()) ::umount2(dir.c_str(), MNT_DETACH);
    }
    bool remount_ro() const { return ::mount("tmpfs", dir.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr) == 0; }
};

// The disk fills during the writes: a 64 MiB sparse file on an 8 MiB tmpfs
// (iobench reuses an existing file of the size, so it is not prefilled).
// Every backend runs and reports its own ENOSPC: the first does not end the run.
TEST(e2e_faults_mount, a_full_disk_is_enospc_on_each_backend) {
    const tmpfs_mount m("enospc", "8m");
    if (!m.why_not.empty()) GTEST_SKIP() << m.why_not;
    const fs::path target = m.dir / "target";
    { std::ofstream(target).flush(); }
    fs::resize_file(target, 64 << 20);
    const fs::path json_path = work_dir() / "enospc.json";
    const auto r = run_cli("run --backend blocking,io_uring,libaio --workload write --buffered --size 64m --runtime 2s "
                           "--ramp 0 --interval 0 --quiet --file " + target.string() + " -o " + json_path.string());
    EXPECT_EQ(r.exit_code, 1) << r.err;
    const json doc = json::parse(slurp(json_path));
    ASSERT_EQ(doc["results"].size(), 3u);
    for (const auto& run : doc["results"]) {
        const std::string backend = run["backend"], why = run["reason"];
        EXPECT_EQ(run["status"], "error") << backend;
        EXPECT_NE(why.find(backend + ": I/O error: write at offset "), std::string::npos) << why;
        EXPECT_NE(why.find("ENOSPC"), std::string::npos) << why;
    }
}

// A read-only mount: root ignores file modes, so only a real ro mount makes
// the writable open fail; each backend reports EROFS, the read run on the
// same file after them is ok.
TEST(e2e_faults_mount, a_read_only_mount_is_erofs_and_reads_still_run) {
    const tmpfs_mount m("erofs", "8m");
    if (!m.why_not.empty()) GTEST_SKIP() << m.why_not;
    const fs::path target = m.dir / "target";
    { std::ofstream(target).flush(); }
    fs::resize_file(target, 4 << 20);
    ASSERT_TRUE(m.remount_ro()) << std::strerror(errno);
    const fs::path json_path = work_dir() / "erofs.json";
    const std::string common = "--buffered --size 4m --runtime 300ms --ramp 0 --interval 0 --quiet --file " +
                               target.string() + " -o " + json_path.string();
    const auto w = run_cli("run --backend blocking,io_uring --workload randwrite " + common);
    EXPECT_EQ(w.exit_code, 1) << w.err;
    const json doc = json::parse(slurp(json_path));
    ASSERT_EQ(doc["results"].size(), 2u);
    for (const auto& run : doc["results"]) {
        EXPECT_EQ(run["status"], "error");
        EXPECT_NE(run["reason"].get<std::string>().find("EROFS"), std::string::npos) << run["reason"];
    }
    const auto rd = run_cli("run --backend blocking --workload randread " + common);
    EXPECT_EQ(rd.exit_code, 0) << rd.err;
    const json read = json::parse(slurp(json_path))["results"][0];
    EXPECT_TRUE(measured(read)) << read["status"] << ": " << read["reason"];
    EXPECT_GT(read["ops"].get<uint64_t>(), 0u);
}

// The target is truncated to 0 while the backends run (a thread truncates it
// 3.2 s in: after blocking's 2 s, inside io_uring's window): reads past the
// end fail with the backend named and the offset; every backend still runs.
TEST(e2e_faults, a_target_truncated_mid_run_fails_the_backends_reading_past_its_end) {
    const fs::path dir = fresh_dir("truncate");
    const fs::path target = dir / "target";
    const std::string common = "--workload randread --buffered --size 4m --ramp 0 --interval 0 --quiet --file " +
                               target.string() + " -o " + (dir / "r.json").string();
    ASSERT_EQ(run_cli("run --backend blocking --runtime 100ms " + common).exit_code, 0);  // made and prefilled once
    std::thread cut([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(3200));
        fs::resize_file(target, 0);
    });
    const auto r = run_cli("run --backend blocking,io_uring,libaio --runtime 2s " + common);
    cut.join();
    EXPECT_EQ(r.exit_code, 1) << r.err;
    const json doc = json::parse(slurp(dir / "r.json"));
    ASSERT_EQ(doc["results"].size(), 3u);
    const json* libaio = find_run(doc, "libaio");  // started after the cut
    ASSERT_NE(libaio, nullptr);
    EXPECT_EQ((*libaio)["status"], "error");
    EXPECT_NE((*libaio)["reason"].get<std::string>().find("libaio: unexpected end of file: read at offset "),
              std::string::npos) << (*libaio)["reason"];
    EXPECT_NE((*libaio)["reason"].get<std::string>().find("EIO"), std::string::npos);
}

// A 2-entry CQ (IOBENCH_TEST_FAULT=small_cq) under 32 ops in flight: the
// CQ overflows into the kernel's backlog (IORING_FEAT_NODROP keeps those
// CQEs, entering flushes them), cq_overflows counts it, and no completion is
// lost: the --ops budget completes, verified, without errors or a stall.
TEST(e2e_faults, a_small_cq_overflows_without_losing_a_completion) {
    const fs::path dir = fresh_dir("small_cq");
    const fault_env fault("small_cq");
    const auto r = run_cli("run --backend io_uring,blocking --workload randread --buffered --size 4m --iodepth 32 "
                           "--ops 20000 --verify --ramp 0 --interval 0 --quiet --dir " + dir.string() + " -o " +
                           (dir / "r.json").string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const json doc = json::parse(slurp(dir / "r.json"));
    ASSERT_EQ(doc["results"].size(), 2u);
    const json* uring = find_run(doc, "io_uring");
    ASSERT_NE(uring, nullptr);
    EXPECT_TRUE(measured(*uring)) << (*uring)["status"] << ": " << (*uring)["reason"];
    EXPECT_EQ((*uring)["ops"].get<uint64_t>(), 20000u);
    EXPECT_EQ((*uring)["errors"].get<uint64_t>(), 0u);
    const json& c = (*uring)["counters"];
    EXPECT_GT(c["cq_overflows"].get<uint64_t>(), 0u) << c;
    EXPECT_GE(c["cqes"].get<uint64_t>(), 20000u) << c;  // the budget's ops plus those in flight at its end, drained
    EXPECT_EQ(find_run(doc, "blocking")->at("counters")["cq_overflows"], 0);
}

}  // namespace
