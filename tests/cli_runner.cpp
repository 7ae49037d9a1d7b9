// The end-to-end tests' way of running iobench.
#include "tests/cli_runner.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace iobench::test {

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

fs::path work_dir() {
    static const fs::path dir = [] {
        fs::path d = fs::path(IOBENCH_TEST_TMP) / ("e2e-" + std::to_string(::getpid()));
        fs::create_directories(d);
        return d;
    }();
    return dir;
}

fs::path fresh_dir(const std::string& name) {
    const fs::path d = work_dir() / name;
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

bool measured(const nlohmann::json& run) { return run["status"] == "ok" || run["status"] == "suspect"; }

const nlohmann::json* find_run(const nlohmann::json& doc, const std::string& backend) {
    for (const auto& r : doc["results"])
        if (r["backend"] == backend) return &r;
    return nullptr;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

cli_result run_cli_with_prefix(const std::string& prefix, const std::string& args) {
    static std::atomic<unsigned> calls{0};  // several runs may be in flight (serve + load)
    const std::string n = std::to_string(calls++);
    const fs::path out = work_dir() / ("stdout." + n), err = work_dir() / ("stderr." + n);
    const std::string cmd = prefix + IOBENCH_BIN + " " + args + " >" + out.string() + " 2>" + err.string();
    const int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

cli_result run_cli(const std::string& args) { return run_cli_with_prefix("", args); }

cli_result run_cli_in_netns(const std::string& ns, const std::string& args) {
    return run_cli_with_prefix("ip netns exec " + ns + " ", args);
}

namespace {
// The scratch directory outlives every suite and goes at the very end.
struct scratch_cleanup : ::testing::Environment {
    void TearDown() override { fs::remove_all(work_dir()); }
};
[[maybe_unused]] auto* const cleanup = ::testing::AddGlobalTestEnvironment(new scratch_cleanup);
}  // namespace

}  // namespace iobench::test
