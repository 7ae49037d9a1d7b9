// End-to-end tests of ws_echo served by libwebsockets: --server lws-libev on
// each libev backend, --server lws on each backend's GLib poll, serve + load
// as two processes, and bad --server/--ev-backend input. iobench's own ws
// client checks every echoed byte (a mismatch fails the run). Behaviour only:
// short runs, 4 connections, 127.0.0.1.
#include "backends/registry.hpp"
#include "tests/cli_runner.hpp"
#include "tests/results_check.hpp"

#include <algorithm>
#include <ev.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <thread>

using nlohmann::json;
using namespace iobench::test;

namespace {

struct lws_case {
    std::string name, flags, label, server;
};

void expect_served(const json& res, unsigned connections) {
    ASSERT_TRUE(res["status"] == "ok" || res["status"] == "suspect") << res["status"] << ": " << res["reason"];
    EXPECT_GT(res["ops"].get<uint64_t>(), 0u);
    EXPECT_EQ(res["errors"], 0);
    EXPECT_EQ(res["network"]["live_connections"].get<unsigned>(), connections);
    EXPECT_EQ(res["network"]["server"]["accepted"].get<uint64_t>(), connections);
    EXPECT_GE(res["network"]["server"]["requests"].get<uint64_t>(), res["ops"].get<uint64_t>());
    EXPECT_NE(res["setup"].get<std::string>().find("libwebsockets"), std::string::npos) << res["setup"];
}

class e2e_ws_lws : public ::testing::TestWithParam<lws_case> {};

TEST_P(e2e_ws_lws, echoes_with_every_byte_verified) {
    const lws_case& c = GetParam();
    const auto json_path = work_dir() / ("lws-" + c.name + ".json");
    const auto r = run_cli("run --quiet --workload ws_echo " + c.flags + " --connections 4 --runtime 300ms --ramp 0 -o " +
                           json_path.string());
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    expect_valid_results(slurp(json_path));
    const json doc = json::parse(slurp(json_path));
    const json& res = doc["results"][0];
    EXPECT_EQ(res["backend"], c.label);
    EXPECT_EQ(res["workload"], "ws_echo");
    EXPECT_EQ(res["parameters"]["server"], c.server);
    EXPECT_EQ(res["parameters"]["backend"], c.label);
    expect_served(res, 4);
}

// Messages larger than one read of lws's (64 KiB, arriving in pieces): the
// callback's fragment path, every byte verified. Before the client waited for
// the 101 (RFC 6455 §4.1), a first message above ~230 B came back wrong.
TEST(e2e_ws_lws_sizes, messages_of_256_b_to_64_kib_echo_byte_exact) {
    for (const char* size : {"256", "65536"})
        for (const char* flags : {"--server lws-libev --ev-backend epoll", "--server lws --backend epoll"}) {
            const auto json_path = work_dir() / (std::string("lws-size-") + size + ".json");
            const auto r = run_cli(std::string("run --quiet --workload ws_echo ") + flags + " --connections 2 --msg-size " +
                                   size + " --runtime 300ms --ramp 0 -o " + json_path.string());
            ASSERT_EQ(r.exit_code, 0) << flags << " " << size << ": " << r.out << r.err;
            expect_served(json::parse(slurp(json_path))["results"][0], 2);
        }
}

std::vector<lws_case> cases() {
    std::vector<lws_case> v{{"libev_epoll", "--server lws-libev --ev-backend epoll", "lws-libev:epoll", "lws-libev"}};
    for (const char* b : {"blocking", "epoll", "libaio", "io_uring", "io_uring_sqpoll"})
        if (iobench::find_backend(b)->probe({iobench::io_target::socket, {}, false}).ok)
            v.push_back({std::string("glib_") + b, std::string("--server lws --backend ") + b, std::string("lws:") + b, "lws"});
    return v;
}

INSTANTIATE_TEST_SUITE_P(modes, e2e_ws_lws, ::testing::ValuesIn(cases()), [](const auto& info) { return info.param.name; });

TEST(e2e_ws_lws_unsupported, a_libev_backend_missing_here_is_unsupported_with_the_reason) {
    const auto json_path = work_dir() / "lws-linuxaio.json";
    const auto r = run_cli("run --quiet --workload ws_echo --server lws-libev --ev-backend linuxaio --connections 2 "
                           "--runtime 200ms --ramp 0 -o " + json_path.string());
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    expect_valid_results(slurp(json_path));
    const json doc = json::parse(slurp(json_path));
    const json& res = doc["results"][0];
    EXPECT_EQ(res["backend"], "lws-libev:linuxaio");
    EXPECT_EQ(res["parameters"]["ev_backend"], "linuxaio");
    bool usable = false;
    if (ev_supported_backends() & EVBACKEND_LINUXAIO)
        if (struct ev_loop* l = ev_loop_new(unsigned(EVBACKEND_LINUXAIO) | EVFLAG_NOENV)) {
            usable = ev_backend(l) == EVBACKEND_LINUXAIO;
            ev_loop_destroy(l);
        }
    if (usable) {
        expect_served(res, 2);
        return;
    }
    EXPECT_EQ(res["status"], "unsupported");
    EXPECT_NE(res["reason"].get<std::string>().find("EVBACKEND_LINUXAIO"), std::string::npos) << res["reason"];
}

// libev 4.33's io_uring backend asserts (aborting the process) when the
// kernel consumes fewer SQEs than it queued, which a closed fd's poll makes it
// do; iobench refuses it unless IOBENCH_LIBEV_IOURING=1 asks for the risk.
TEST(e2e_ws_lws_unsupported, libev_iouring_is_refused_with_the_reason) {
    const auto json_path = work_dir() / "lws-iouring.json";
    const auto r = run_cli("run --quiet --workload ws_echo --server lws-libev --ev-backend iouring --connections 2 "
                           "--runtime 200ms --ramp 0 -o " + json_path.string());
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const json doc = json::parse(slurp(json_path));
    const json& res = doc["results"][0];
    EXPECT_EQ(res["status"], "unsupported");
    EXPECT_NE(res["reason"].get<std::string>().find("EVBACKEND_IOURING"), std::string::npos) << res["reason"];
}

TEST(e2e_ws_lws_unsupported, a_backend_without_a_readiness_poll_is_unsupported_with_the_reason) {
    const auto json_path = work_dir() / "lws-posix_aio.json";
    const auto r = run_cli("run --quiet --workload ws_echo --server lws --backend posix_aio --connections 2 "
                           "--runtime 200ms --ramp 0 -o " + json_path.string());
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const json doc = json::parse(slurp(json_path));
    const json& res = doc["results"][0];
    EXPECT_EQ(res["backend"], "lws:posix_aio");
    EXPECT_EQ(res["status"], "unsupported");
    EXPECT_NE(res["reason"].get<std::string>().find("posix_aio"), std::string::npos) << res["reason"];
}

// serve (the lws server alone) and load (iobench's client) as two processes.
void serve_and_load(const std::string& serve_flags, const std::string& name) {
    const std::string port = std::to_string(free_port());
    const auto serve_json = work_dir() / ("serve-" + name + ".json");
    iobench::test::cli_result served;
    std::thread server([&] {
        served = run_cli("serve --quiet --workload ws_echo " + serve_flags + " --listen 127.0.0.1:" + port +
                         " --runtime 2500ms -o " + serve_json.string());
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    const auto load_json = work_dir() / ("load-" + name + ".json");
    const auto r = run_cli("load --quiet --workload ws_echo --target 127.0.0.1:" + port +
                           " --connections 3 --runtime 400ms --ramp 0 -o " + load_json.string());
    server.join();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    ASSERT_EQ(served.exit_code, 0) << served.out << served.err;
    expect_valid_results(slurp(load_json));
    expect_valid_results(slurp(serve_json));
    const json load_doc = json::parse(slurp(load_json)), serve_doc = json::parse(slurp(serve_json));
    const json& load = load_doc["results"][0];
    EXPECT_GT(load["ops"].get<uint64_t>(), 0u);
    EXPECT_EQ(load["errors"], 0);
    const json& s = serve_doc["results"][0];
    EXPECT_EQ(s["network"]["side"], "server");
    EXPECT_EQ(s["network"]["server"]["accepted"].get<uint64_t>(), 3u);
    EXPECT_GE(s["network"]["server"]["bytes_out"].get<uint64_t>(), load["network"]["bytes_received"].get<uint64_t>() / 2);
}

TEST(e2e_ws_lws_serve, libev_epoll_serves_a_separate_load_process) {
    serve_and_load("--server lws-libev --ev-backend epoll", "libev");
}

TEST(e2e_ws_lws_serve, glib_on_epoll_serves_a_separate_load_process) {
    serve_and_load("--server lws --backend epoll", "glib");
}

TEST(e2e_ws_lws_input, bad_server_flags_exit_2_with_one_line) {
    for (const char* args : {"run --workload ws_echo --server nosuch", "run --workload ws_echo --server lws-libev --ev-backend nosuch",
                             "run --workload ws_echo --server lws-libev --ev-backend epoll,nosuch",
                             "run --workload echo --server lws", "run --workload ws_echo --ev-backend epoll",
                             "run --workload ws_echo --server lws --ev-backend epoll",
                             "run --workload ws_echo --server lws-libev --backend epoll",
                             "serve --workload ws_echo --server lws-libev --ev-backend epoll,iouring",
                             "serve --workload ws_echo --server lws"}) {
        const auto r = run_cli(args);
        EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
    }
}

}  // namespace
