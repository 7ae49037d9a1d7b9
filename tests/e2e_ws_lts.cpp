// `iobench load --workload ws_echo --ws-protocol lws-mirror-protocol` against
// Debian's libwebsockets-test-server (lws 4.1's test app, a server iobench did
// not write), from every client backend that runs sockets. With one
// connection the mirror protocol is an echo, with two differences found by
// probing it: it writes every message back as a text frame (whatever came
// in), and it writes each piece lws hands its callback as a message of its
// own, so a message longer than 4088 bytes (lws's 4096-byte rx buffer less a
// masked frame's 8-byte header) comes back as several: hence --msg-size 4000.
// Exits 77 (ctest: skipped) with the reason when the server is not installed.
#include "tests/cli_runner.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using nlohmann::json;
using namespace iobench::test;

namespace {

constexpr const char* lts_bin = "/usr/bin/libwebsockets-test-server";

bool can_connect(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

// The test server on a free loopback port (-i lo), for one test's life.
class lts_server {
public:
    lts_server() : port_(free_port()) {
        const std::string log = (work_dir() / ("lts-" + std::to_string(port_) + ".log")).string();
        pid_ = ::fork();
        if (pid_ == 0) {
            const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            const std::string port = std::to_string(port_);
            ::execl(lts_bin, lts_bin, "-p", port.c_str(), "-i", "lo", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        for (int i = 0; i < 100 && !can_connect(port_); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ~lts_server() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 60; ++i) {  // 3 s, then SIGKILL
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    int port() const { return port_; }
    bool listening() const { return can_connect(port_); }

private:
    int port_;
    pid_t pid_ = -1;
};

class e2e_ws_lts : public ::testing::TestWithParam<std::string> {};

TEST_P(e2e_ws_lts, mirror_protocol_echoes_every_byte_verified) {
    lts_server server;
    ASSERT_TRUE(server.listening()) << "libwebsockets-test-server did not listen on 127.0.0.1:" << server.port();
    const std::string& be = GetParam();
    const auto json_path = work_dir() / ("lts-" + be + ".json");
    const auto r = run_cli("load --quiet --workload ws_echo --ws-protocol lws-mirror-protocol --connections 1 "
                           "--msg-size 4000 --runtime 1s --ramp 0 --client-backend " + be +
                           " --target 127.0.0.1:" + std::to_string(server.port()) + " -o " + json_path.string());
    const json doc = json::parse(slurp(json_path));
    const json& res = doc["results"][0];
    if (res["status"] == "unsupported") GTEST_SKIP() << be << ": " << res["reason"];
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(res["status"], "ok") << res["reason"];
    EXPECT_EQ(res["errors"], 0);
    EXPECT_EQ(res["parameters"]["ws_protocol"], "lws-mirror-protocol");
    EXPECT_GT(res["ops"].get<uint64_t>(), 1u);  // the handshake, then echoes
    EXPECT_GT(res["bytes"].get<uint64_t>(), 0u);
    EXPECT_GT(res["network"]["bytes_received"].get<uint64_t>(), 4000u);
}

INSTANTIATE_TEST_SUITE_P(client_backends, e2e_ws_lts,
                         ::testing::Values("blocking", "epoll", "posix_aio", "libaio", "io_uring", "io_uring_sqpoll"),
                         [](const auto& info) { return info.param; });

TEST(e2e_ws_lts_refusal, a_subprotocol_the_server_lacks_fails_the_connection) {
    lts_server server;
    ASSERT_TRUE(server.listening());
    const auto json_path = work_dir() / "lts-nosuch.json";
    const auto r = run_cli("load --quiet --workload ws_echo --ws-protocol iobench-nosuch --connections 1 --runtime 300ms "
                           "--ramp 0 --target 127.0.0.1:" + std::to_string(server.port()) + " -o " + json_path.string());
    EXPECT_NE(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(json::parse(slurp(json_path))["results"][0]["status"], "error");
}

// iobench's own server answers without Sec-WebSocket-Protocol: the client says so.
TEST(e2e_ws_lts_refusal, a_101_without_the_subprotocol_fails_with_the_reason) {
    const auto json_path = work_dir() / "ws-protocol-native.json";
    const auto r = run_cli("run --quiet --workload ws_echo --ws-protocol chat --connections 1 --runtime 300ms --ramp 0 -o " +
                           json_path.string());
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    const std::string reason = json::parse(slurp(json_path))["results"][0]["reason"];
    EXPECT_NE(reason.find("no Sec-WebSocket-Protocol"), std::string::npos) << reason;
    EXPECT_NE(reason.find("'chat'"), std::string::npos) << reason;
}

TEST(e2e_ws_lts_refusal, bad_ws_protocol_flags_exit_2) {
    for (const char* args : {"run --workload echo --ws-protocol chat", "run --workload ws_echo --ws-protocol 'a b'",
                             "run --workload ws_echo --ws-protocol ''", "run --workload ws_echo --ws-protocol a,b"}) {
        const auto r = run_cli(args);
        EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (::access(lts_bin, X_OK) != 0) {
        std::printf("SKIP: %s is not installed (Debian package libwebsockets-test-server)\n", lts_bin);
        return 77;
    }
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
