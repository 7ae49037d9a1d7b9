// End-to-end tests of interruption: a real `iobench run` child gets SIGINT or
// SIGTERM while its second backend runs. The finished backend is written
// "ok" with its figures, the one in progress "interrupted" with what it
// measured and how long it ran, the backends never started are left out (the
// interrupted run names them in a note), the exports are written, no
// temporary file is left, and the exit code is 128 + the signal. Two signals
// in a row end the process at once, still without temporary files.
#include "tests/cli_runner.hpp"

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
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

struct child {
    pid_t pid = 0;
    std::string err_path;
    std::string err() const { return slurp(err_path); }
};

child spawn_iobench(const std::vector<std::string>& args, const fs::path& dir) {
    std::vector<std::string> all{IOBENCH_BIN};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    child c;
    c.err_path = (dir / "stderr").string();
    const std::string out = (dir / "stdout").string();
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, c.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    EXPECT_EQ(posix_spawn(&c.pid, IOBENCH_BIN, &fa, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    return c;
}

// Waits until stderr says `text` (the runner announces each backend as it starts).
bool wait_for_stderr(const child& c, const std::string& text, std::chrono::seconds limit = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (c.err().find(text) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

int wait_exit(const child& c) {
    int status = 0;
    EXPECT_EQ(::waitpid(c.pid, &status, 0), c.pid);
    EXPECT_TRUE(WIFEXITED(status)) << "killed by signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Temporary files iobench makes: the target (iobench.PID.tmp) and results
// written before their rename (NAME.partial.PID).
std::vector<std::string> leftovers(const fs::path& dir) {
    std::vector<std::string> v;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        const std::string n = e.path().filename().string();
        if (n.find(".partial.") != std::string::npos || (n.starts_with("iobench.") && n.ends_with(".tmp")))
            v.push_back(e.path().string());
    }
    return v;
}

// blocking (2 s), then io_uring, signalled 0.5 s into its window, then libaio.
std::vector<std::string> three_backends(const fs::path& dir) {
    return {"run", "--backend", "blocking,io_uring,libaio", "--workload", "randread", "--buffered", "--size", "4m",
            "--iodepth", "2", "--runtime", "2s", "--ramp", "0", "--interval", "0", "--dir", dir.string(),
            "-o", (dir / "r.json").string(), "--format", "json,csv"};
}

void signal_during_second_backend(int sig, int expected_exit, const char* name) {
    const fs::path dir = fresh_dir(std::string("run-") + name);
    const child c = spawn_iobench(three_backends(dir), dir);
    ASSERT_TRUE(wait_for_stderr(c, "io_uring randread ...")) << c.err();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ::kill(c.pid, sig);
    EXPECT_EQ(wait_exit(c), expected_exit) << c.err();
    EXPECT_NE(c.err().find(std::string("interrupted by ") + name), std::string::npos) << c.err();
    EXPECT_EQ(c.err().find("no results file written"), std::string::npos) << c.err();
    ASSERT_TRUE(fs::exists(dir / "r.json")) << c.err();
    const json doc = json::parse(slurp(dir / "r.json"));
    const json& runs = doc["results"];
    ASSERT_EQ(runs.size(), 2u) << runs.dump(1);  // libaio never started: absent
    EXPECT_EQ(runs[0]["backend"], "blocking");
    EXPECT_TRUE(measured(runs[0])) << runs[0]["status"] << ": " << runs[0]["reason"];
    EXPECT_GT(runs[0]["ops"].get<uint64_t>(), 0u);
    EXPECT_NEAR(runs[0]["duration_s"].get<double>(), 2.0, 0.2);
    EXPECT_EQ(runs[1]["backend"], "io_uring");
    EXPECT_EQ(runs[1]["status"], "interrupted") << runs[1]["reason"];
    EXPECT_NE(runs[1]["reason"].get<std::string>().find(std::string("by ") + name), std::string::npos);
    EXPECT_GT(runs[1]["ops"].get<uint64_t>(), 0u);  // its partial figures
    EXPECT_GT(runs[1]["duration_s"].get<double>(), 0.1);
    EXPECT_LT(runs[1]["duration_s"].get<double>(), 1.9);
    bool names_libaio = false;
    for (const auto& n : runs[1]["notes"]) names_libaio |= n.get<std::string>() == "interrupted: not run: libaio";
    EXPECT_TRUE(names_libaio) << runs[1]["notes"].dump();
    const std::string csv = slurp(dir / "r.csv");
    EXPECT_NE(csv.find("blocking"), std::string::npos) << csv;
    EXPECT_NE(csv.find("interrupted"), std::string::npos) << csv;
    const std::string table = slurp(dir / "stdout");
    EXPECT_NE(table.find("interrupted by"), std::string::npos) << table;
    EXPECT_TRUE(leftovers(dir).empty()) << leftovers(dir).front();
}

TEST(e2e_interrupt, sigint_keeps_finished_runs_and_records_the_one_in_progress) {
    signal_during_second_backend(SIGINT, 130, "SIGINT");
}

TEST(e2e_interrupt, sigterm_does_the_same_and_exits_143) { signal_during_second_backend(SIGTERM, 143, "SIGTERM"); }

// The second signal is made certain, not raced: both are queued while the
// child is stopped, so the handler sees them back to back (two SIGINTs
// would merge into one pending signal).
TEST(e2e_interrupt, a_second_signal_exits_at_once_and_removes_temporary_files) {
    const fs::path dir = fresh_dir("run-twice");
    const child c = spawn_iobench({"run", "--backend", "blocking", "--workload", "randread", "--buffered", "--size",
                                   "4m", "--runtime", "30s", "--ramp", "0", "--interval", "0", "--dir", dir.string(),
                                   "-o", (dir / "r.json").string()},
                                  dir);
    ASSERT_TRUE(wait_for_stderr(c, "blocking randread ...")) << c.err();
    ASSERT_FALSE(leftovers(dir).empty());  // the target and r.json.partial.PID exist while it runs
    const auto t0 = std::chrono::steady_clock::now();
    ::kill(c.pid, SIGSTOP);
    ::kill(c.pid, SIGINT);
    ::kill(c.pid, SIGTERM);
    ::kill(c.pid, SIGCONT);
    const int rc = wait_exit(c);
    EXPECT_TRUE(rc == 130 || rc == 143) << rc << "\n" << c.err();  // 128 + whichever was delivered first
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
    EXPECT_NE(c.err().find("second interrupt: exiting at once"), std::string::npos) << c.err();
    EXPECT_FALSE(fs::exists(dir / "r.json"));
    EXPECT_TRUE(leftovers(dir).empty()) << leftovers(dir).front();
}

// suite: the job running at the signal is written with its run
// "interrupted", the finished ones stay whole, the later ones do not run.
TEST(e2e_interrupt, suite_sigint_keeps_finished_jobs_and_the_interrupted_one) {
    const fs::path dir = fresh_dir("suite");
    const fs::path ini = dir / "three.ini";
    std::ofstream(ini) << "[global]\nbackend = blocking\nworkload = randread\nbuffered\nsize = 4m\nruntime = 1s\n"
                          "ramp = 0\ninterval = 0\n[one]\n[two]\n[three]\n";
    const fs::path out = dir / "out";
    const child c = spawn_iobench({"suite", ini.string(), "-o", out.string(), "--format", "csv"}, dir);
    ASSERT_TRUE(wait_for_stderr(c, "suite: [2/3] two")) << c.err();
    ASSERT_TRUE(wait_for_stderr(c, "blocking randread ...", std::chrono::seconds(10)));
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    ::kill(c.pid, SIGINT);
    EXPECT_EQ(wait_exit(c), 130) << c.err();
    const json one = json::parse(slurp(out / "one.json"));
    EXPECT_TRUE(measured(one["results"][0])) << one["results"][0]["reason"];
    ASSERT_TRUE(fs::exists(out / "two.json")) << c.err();
    const json two = json::parse(slurp(out / "two.json"));
    EXPECT_EQ(two["results"][0]["status"], "interrupted") << two["results"][0]["reason"];
    EXPECT_GT(two["results"][0]["ops"].get<uint64_t>(), 0u);
    EXPECT_FALSE(fs::exists(out / "three.json"));
    EXPECT_TRUE(fs::exists(out / "summary.txt"));
    EXPECT_NE(slurp(out / "results.csv").find("interrupted"), std::string::npos);
    EXPECT_TRUE(leftovers(dir).empty()) << leftovers(dir).front();
}

// load: the window in progress is written "interrupted" with what it
// measured, exit 130; serve still ends cleanly on Ctrl-C (exit 0, its file written).
TEST(e2e_interrupt, load_sigint_keeps_its_partial_window_and_serve_ends_cleanly) {
    const fs::path sdir = fresh_dir("serve"), ldir = fresh_dir("load");
    const child server = spawn_iobench({"serve", "--backend", "blocking", "--workload", "echo", "--listen",
                                        "127.0.0.1:0", "-o", (sdir / "s.json").string()},
                                       sdir);
    ASSERT_TRUE(wait_for_stderr(server, "Ctrl-C stops")) << server.err();
    const std::string e = server.err();
    const size_t at = e.find("127.0.0.1:", e.find("serving echo on"));
    ASSERT_NE(at, std::string::npos) << e;
    const std::string target = e.substr(at, e.find(' ', at) - at);
    const child load = spawn_iobench({"load", "--target", target, "--workload", "echo", "--runtime", "10s", "--ramp",
                                      "0", "--interval", "0", "-o", (ldir / "l.json").string()},
                                     ldir);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    ::kill(load.pid, SIGINT);
    EXPECT_EQ(wait_exit(load), 130) << load.err();
    ::kill(server.pid, SIGINT);
    EXPECT_EQ(wait_exit(server), 0) << server.err();
    const json l = json::parse(slurp(ldir / "l.json"))["results"][0];
    EXPECT_EQ(l["status"], "interrupted") << l["reason"];
    EXPECT_GT(l["ops"].get<uint64_t>(), 0u);
    EXPECT_GT(l["duration_s"].get<double>(), 0.1);
    EXPECT_LT(l["duration_s"].get<double>(), 9.0);
    EXPECT_TRUE(measured(json::parse(slurp(sdir / "s.json"))["results"][0]));
    EXPECT_TRUE(leftovers(ldir).empty() && leftovers(sdir).empty());
}

}  // namespace
