// Network faults end to end: a server that accepts and never answers, a
// server that dies mid-run, and connections beyond the fd limit on either
// side. Each run is bounded (a second or two, 127.0.0.1 only) and must end
// with a message naming the cause, never hang.
#include "tests/cli_runner.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using nlohmann::json;
using namespace iobench::test;

namespace {

// Listens and never accepts: the kernel completes each handshake into the
// backlog and buffers what the client sends, and nothing ever answers.
class silent_listener {
public:
    silent_listener() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        EXPECT_EQ(::listen(fd_, 1024), 0);
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
    }
    ~silent_listener() { ::close(fd_); }
    silent_listener(const silent_listener&) = delete;
    silent_listener& operator=(const silent_listener&) = delete;
    std::string target() const { return "127.0.0.1:" + std::to_string(port_); }

private:
    int fd_;
    int port_ = 0;
};

json first_result(const std::string& path) { return json::parse(slurp(path))["results"][0]; }

TEST(e2e_net_faults, a_server_that_never_answers_times_out_with_the_reason) {
    silent_listener quiet;
    const std::string out = (work_dir() / "silent.json").string();
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = run_cli("load --quiet --workload echo --target " + quiet.target() +
                           " --connections 4 --runtime 1s --ramp 0 -o " + out);
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_LT(took, 10.0) << "runtime 1 s + the 2.5 s grace, not a hang";
    const json res = first_result(out);
    EXPECT_EQ(res["status"], "error");
    EXPECT_NE(res["reason"].get<std::string>().find("ETIMEDOUT"), std::string::npos) << res["reason"];
    EXPECT_NE(res["reason"].get<std::string>().find("none of the 4 requests"), std::string::npos) << res["reason"];
}

TEST(e2e_net_faults, load_connections_beyond_the_fd_limit_name_ulimit) {
    silent_listener quiet;
    const auto r = run_cli_with_prefix("ulimit -n 64; ", "load --quiet --workload echo --target " + quiet.target() +
                                                          " --connections 200 --runtime 1s --ramp 0");
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("EMFILE"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("ulimit -n is 64"), std::string::npos) << r.out;
}

// The server runs out of fds: the clients it could not accept wait in its
// backlog, and its result says why, naming the limit, on each accept path.
class server_fd_limit : public ::testing::TestWithParam<std::string> {};

TEST_P(server_fd_limit, accept_emfile_fails_the_server_result_naming_ulimit) {
    const std::string port = std::to_string(free_port());
    const std::string out = (work_dir() / ("serve-emfile-" + GetParam() + ".json")).string();
    std::thread server([&] {
        run_cli_with_prefix("ulimit -n 40; ", "serve --quiet --workload echo --backend " + GetParam() +
                                               " --listen 127.0.0.1:" + port + " --runtime 3s -o " + out);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    run_cli("load --quiet --workload echo --target 127.0.0.1:" + port + " --connections 64 --runtime 1s --ramp 0");
    server.join();
    const json res = first_result(out);
    EXPECT_EQ(res["status"], "error") << res.dump();
    const std::string why = res["reason"].get<std::string>();
    EXPECT_NE(why.find("EMFILE"), std::string::npos) << why;
    EXPECT_NE(why.find("ulimit -n is 40"), std::string::npos) << why;
}

// io_uring and epoll accept in their loop, posix_aio on an acceptor thread,
// blocking through the backend with a thread per connection.
INSTANTIATE_TEST_SUITE_P(accept_paths, server_fd_limit, ::testing::Values("io_uring", "epoll", "posix_aio", "blocking"));

TEST(e2e_net_faults, a_server_that_dies_mid_run_is_reported_by_the_load) {
    const std::string port = std::to_string(free_port());
    std::thread server([&] {
        run_cli("serve --quiet --workload echo --backend epoll --listen 127.0.0.1:" + port + " --runtime 1s");
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const std::string out = (work_dir() / "died.json").string();
    const auto r = run_cli("load --quiet --workload echo --target 127.0.0.1:" + port +
                           " --connections 4 --runtime 3s --ramp 0 -o " + out);
    server.join();
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    const json res = first_result(out);
    EXPECT_EQ(res["status"], "error");
    const std::string why = res["reason"].get<std::string>();
    EXPECT_TRUE(why.find("ECONNRESET") != std::string::npos || why.find("closed by the server") != std::string::npos)
        << why;
}

}  // namespace
