// End-to-end tests of `iobench suite` and of --format: a tiny job file
// (tests/data/suite_tiny.ini, one backend, 200 ms runs) writes one JSON per
// job naming its job, summary.txt with the tables stdout shows, and every
// export; a bad job file exits 2 naming FILE:LINE: key and creates nothing;
// SIGINT stops in the running job (written, "interrupted"), leaving finished
// files whole and no partial ones; `run --format` writes the exports beside -o or asks for it.
#include "results/json_reader.hpp"
#include "tests/cli_runner.hpp"

#include <chrono>
#include <algorithm>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <set>
#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>

using nlohmann::json;
using namespace iobench::test;
namespace fs = std::filesystem;

extern char** environ;

namespace {

const std::string tiny = IOBENCH_TEST_DATA "/suite_tiny.ini";

std::vector<std::string> partial_files(const fs::path& dir) {
    std::vector<std::string> v;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename().string().find(".partial.") != std::string::npos) v.push_back(e.path().string());
    return v;
}

TEST(e2e_suite, runs_every_job_and_writes_json_summary_and_exports) {
    const fs::path dir = work_dir() / "suite-all";
    const auto r = run_cli("suite " + tiny + " -o " + dir.string() + " --format json,csv,gbench,gab");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    for (const char* job : {"randread-4k", "echo-2c"}) {
        const auto f = iobench::read_results_file((dir / (std::string(job) + ".json")).string());
        EXPECT_EQ(f.schema, "iobench/4");
        EXPECT_EQ(f.context.job, job);
        ASSERT_EQ(f.results.size(), 1u);
        EXPECT_EQ(f.results[0].backend, "blocking");
        EXPECT_EQ(f.results[0].repetitions.size(), 2u);
        EXPECT_GT(f.results[0].ops, 0u);
        EXPECT_NE(f.context.command_line.find("iobench run "), std::string::npos) << f.context.command_line;
    }
    EXPECT_NE(r.err.find("suite: [1/2] randread-4k"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("suite: [2/2] echo-2c"), std::string::npos) << r.err;
    const std::string summary = slurp(dir / "summary.txt");
    EXPECT_EQ(summary, r.out);  // the same tables, in order
    EXPECT_LT(summary.find("[randread-4k]"), summary.find("[echo-2c]"));
    // One file per export format, holding both jobs.
    const std::string csv = slurp(dir / "results.csv");
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3) << csv;
    EXPECT_EQ(csv.rfind("job,started_at,hostname,backend,workload,", 0), 0u) << csv;
    const json gbench = json::parse(slurp(dir / "gbench.json"));
    std::set<std::string> names;
    for (const auto& b : gbench["benchmarks"]) names.insert(b["name"].get<std::string>());
    EXPECT_TRUE(names.count("randread-4k/blocking") && names.count("echo-2c/blocking_median")) << gbench.dump(1);
    EXPECT_EQ(json::parse(slurp(dir / "gab-bigger.json")).size(), 2u * 2);
    EXPECT_EQ(json::parse(slurp(dir / "gab-smaller.json")).size(), 2u * 3);
    EXPECT_TRUE(partial_files(dir).empty());
    for (const auto& e : fs::directory_iterator(dir))  // the temporary target file went with its job
        EXPECT_EQ(e.path().filename().string().find("iobench."), std::string::npos) << e.path();
}

TEST(e2e_suite, a_bad_job_file_exits_2_naming_file_line_key_and_creates_nothing) {
    const fs::path dir = work_dir() / "suite-bad";
    const auto r = run_cli("suite " IOBENCH_TEST_DATA "/suite_bad.ini -o " + dir.string());
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("suite_bad.ini:11: iodepth:"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_FALSE(fs::exists(dir));
    for (const std::string& args : {"suite " + tiny + " -o " + dir.string() + " --format xml",
                                   "suite /nonexistent.ini -o " + dir.string(), "suite " + tiny}) {
        const auto b = run_cli(args);
        EXPECT_EQ(b.exit_code, 2) << args << ": " << b.err;
        EXPECT_FALSE(fs::exists(dir)) << args;
    }
}

// Three 1 s jobs; SIGINT once the first one's file is there.
TEST(e2e_suite, sigint_stops_after_the_running_job_and_leaves_only_whole_files) {
    const fs::path dir = work_dir() / "suite-int";
    const fs::path ini = work_dir() / "three.ini";
    std::ofstream(ini) << "[global]\nbackend = blocking\nruntime = 1s\nramp = 0\ninterval = 0\nquiet\n"
                          "[one]\nworkload = echo\nconnections = 1\n[two]\nworkload = echo\nconnections = 1\n"
                          "[three]\nworkload = echo\nconnections = 1\n";
    const std::string out = (work_dir() / "int.out").string();
    std::vector<std::string> args{IOBENCH_BIN, "suite", ini.string(), "-o", dir.string()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, (out + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    ASSERT_EQ(posix_spawn(&pid, IOBENCH_BIN, &fa, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!fs::exists(dir / "one.json") && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ::kill(pid, SIGINT);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 130) << slurp(out + ".err");  // 128 + SIGINT
    ASSERT_TRUE(fs::exists(dir / "one.json")) << slurp(out + ".err");
    EXPECT_EQ(iobench::read_results_file((dir / "one.json").string()).context.job, "one");
    EXPECT_FALSE(fs::exists(dir / "three.json"));
    EXPECT_TRUE(partial_files(dir).empty());
    EXPECT_NE(slurp(dir / "summary.txt").find("[one]"), std::string::npos);
    EXPECT_NE(slurp(out + ".err").find("interrupted"), std::string::npos) << slurp(out + ".err");
}

TEST(e2e_suite, run_format_writes_beside_o_and_needs_it) {
    const fs::path json_path = work_dir() / "fmt" / "r.json";
    fs::create_directories(json_path.parent_path());
    const std::string run = "run --quiet --backend blocking --workload randread --buffered --size 4m --iodepth 2 "
                            "--runtime 200ms --ramp 0 --interval 0 --dir " + work_dir().string();
    const auto r = run_cli(run + " -o " + json_path.string() + " --format json,csv,gbench,gab");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(iobench::read_results_file(json_path.string()).context.job.empty());
    for (const char* f : {"r.csv", "r.gbench.json", "r.gab-bigger.json", "r.gab-smaller.json"})
        EXPECT_TRUE(fs::exists(json_path.parent_path() / f)) << f;
    EXPECT_EQ(json::parse(slurp(json_path.parent_path() / "r.gbench.json"))["benchmarks"][0]["name"],
              "randread/bs:4096/iodepth:2/blocking");
    for (const std::string& bad : {run + " --format csv", run + " -o - --format gbench"}) {
        const auto b = run_cli(bad);
        EXPECT_EQ(b.exit_code, 2) << bad;
        EXPECT_NE(b.err.find("needs -o"), std::string::npos) << b.err;
    }
    const auto unknown = run_cli(run + " -o " + json_path.string() + " --format json,xml");
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_NE(unknown.err.find("--format json,xml: unknown format 'xml'"), std::string::npos) << unknown.err;
}

}  // namespace
