// The end-to-end tests' way of running iobench.
#include "tests/cli_runner.hpp"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace iobench::test {

fs::path work_dir() {
    static const fs::path dir = [] {
        fs::path d = fs::path(IOBENCH_TEST_TMP) / ("e2e-" + std::to_string(::getpid()));
        fs::create_directories(d);
        return d;
    }();
    return dir;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

namespace {
cli_result run_with_prefix(const std::string& prefix, const std::string& args) {
    static std::atomic<unsigned> calls{0};  // several runs may be in flight (serve + load)
    const std::string n = std::to_string(calls++);
    const fs::path out = work_dir() / ("stdout." + n), err = work_dir() / ("stderr." + n);
    const std::string cmd = prefix + IOBENCH_BIN + " " + args + " >" + out.string() + " 2>" + err.string();
    const int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}
}  // namespace

cli_result run_cli(const std::string& args) { return run_with_prefix("", args); }

cli_result run_cli_in_netns(const std::string& ns, const std::string& args) {
    return run_with_prefix("ip netns exec " + ns + " ", args);
}

namespace {
// The scratch directory outlives every suite and goes at the very end.
struct scratch_cleanup : ::testing::Environment {
    void TearDown() override { fs::remove_all(work_dir()); }
};
[[maybe_unused]] auto* const cleanup = ::testing::AddGlobalTestEnvironment(new scratch_cleanup);
}  // namespace

}  // namespace iobench::test
