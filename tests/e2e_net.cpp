// End-to-end tests of the network verbs: run echo/http on every backend over
// loopback, serve and load as separate processes, and bad network input.
// Every run is bounded (hundreds of ms, a handful of connections, 127.0.0.1 only).
#include "backends/registry.hpp"
#include "tests/cli_runner.hpp"
#include "tests/results_check.hpp"

#include <arpa/inet.h>
#include <cstdio>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using nlohmann::json;
using namespace iobench::test;

namespace {


void expect_plausible(const json& res, unsigned connections, bool one_way = false) {
    // "suspect": measured, but a self-check failed (a noisy box); the fields are all there.
    ASSERT_TRUE(res["status"] == "ok" || res["status"] == "suspect") << res["status"] << ": " << res["reason"];
    const auto ops = res["ops"].get<uint64_t>();
    EXPECT_GT(ops, 0u);
    EXPECT_EQ(res["errors"], 0);
    EXPECT_EQ(res["histogram"]["count"].get<uint64_t>(), ops + res["latency_ns"]["censored"].get<uint64_t>());
    EXPECT_LE(res["latency_ns"]["p50"].get<uint64_t>(), res["latency_ns"]["max"].get<uint64_t>());
    const json& net = res["network"];
    EXPECT_EQ(net["mode"], "closed-loop");
    EXPECT_EQ(net["live_connections"].get<unsigned>(), connections);
    EXPECT_GT(net[one_way ? "bytes_sent" : "bytes_received"].get<uint64_t>(), 0u);
    // CPU: the whole process over the window, and each side's share of it.
    const auto seconds = [](const json& c) { return c["user_s"].get<double>() + c["sys_s"].get<double>(); };
    EXPECT_GT(seconds(res["cpu"]), 0.0);
    EXPECT_GT(res["cpu"]["per_op_ns"].get<double>(), 0.0);
    EXPECT_GT(seconds(net["client_cpu"]), 0.0);
    if (net["side"] == "both") {
        EXPECT_GT(seconds(net["server_cpu"]), 0.0);
        EXPECT_NEAR(seconds(net["client_cpu"]) + seconds(net["server_cpu"]), seconds(res["cpu"]), 1e-6);
    }
    // By thread class: the classes add up to the total, and the load
    // generator's threads are in `load`, never in the server's `harness`.
    ASSERT_TRUE(res["cpu"].contains("by_thread")) << res["cpu"].dump();
    double sum = 0;
    for (const auto& [name, c] : res["cpu"]["by_thread"].items()) sum += seconds(c);
    EXPECT_NEAR(sum, seconds(res["cpu"]), 1e-9);
    if (net["side"] != "server") {
        EXPECT_GT(seconds(res["cpu"]["by_thread"]["load"]), 0.0);
        EXPECT_GE(seconds(net["client_cpu"]), seconds(res["cpu"]["by_thread"]["load"]) - 1e-3);
        // The window's edges sample the neighbours as storage runs do.
        ASSERT_TRUE(res.contains("neighbour_busy")) << res.dump();
        EXPECT_GE(res["neighbour_busy"]["cpu_fraction"].get<double>(), 0.0);
    }
}

class e2e_net_run : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(e2e_net_run, every_backend_serves_with_verified_payloads) {
    const auto& [backend, workload] = GetParam();
    const auto json_path = work_dir() / (backend + "-" + workload + ".json");
    const auto r = run_cli("run --quiet --workload " + workload + " --backend " + backend +
                           " --connections 8 --runtime 400ms --ramp 0 -o " + json_path.string());
    const auto probe = iobench::find_backend(backend)->probe({iobench::io_target::socket, {}, false});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    expect_valid_results(slurp(json_path));
    const json doc = json::parse(slurp(json_path));
    EXPECT_EQ(doc["parameters"]["kind"], "network");
    const json& res = doc["results"][0];
    EXPECT_EQ(res["backend"], backend);
    if (!probe.ok) {
        EXPECT_EQ(res["status"], "unsupported");
        EXPECT_EQ(res["reason"], probe.reason);
        return;
    }
    expect_plausible(res, 8, workload == "stream");
    EXPECT_EQ(res["network"]["server"]["accepted"].get<uint64_t>(), 8u);
}

std::vector<std::tuple<std::string, std::string>> all_runs() {
    std::vector<std::tuple<std::string, std::string>> v;
    for (const auto& e : iobench::registry())
        for (const char* w : {"echo", "http", "stream", "ws_echo"}) v.emplace_back(std::string(e.name), w);
    return v;
}

INSTANTIATE_TEST_SUITE_P(all, e2e_net_run, ::testing::ValuesIn(all_runs()), [](const auto& info) {
    return std::get<0>(info.param) + "_" + std::get<1>(info.param);
});

TEST(e2e_net, serve_and_load_as_separate_processes) {
    const std::string port = std::to_string(free_port());
    std::thread server([&] {
        run_cli("serve --quiet --workload echo --backend epoll --listen 127.0.0.1:" + port + " --runtime 3s -o " +
                (work_dir() / "serve.json").string());
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const auto json_path = work_dir() / "load.json";
    const auto r = run_cli("load --quiet --workload echo --target 127.0.0.1:" + port +
                           " --connections 4 --runtime 500ms --ramp 0 -o " + json_path.string());
    server.join();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    expect_valid_results(slurp(json_path));
    expect_valid_results(slurp(work_dir() / "serve.json"));
    const json load = json::parse(slurp(json_path));
    expect_plausible(load["results"][0], 4);
    EXPECT_EQ(load["results"][0]["network"]["side"], "load");
    const json serve = json::parse(slurp(work_dir() / "serve.json"));
    const json& s = serve["results"][0];
    EXPECT_EQ(s["network"]["side"], "server");
    EXPECT_EQ(s["network"]["server"]["accepted"].get<uint64_t>(), 4u);
    // The server echoed at least every request the load side counted.
    EXPECT_GE(s["network"]["server"]["bytes_out"].get<uint64_t>(), load["results"][0]["network"]["bytes_received"].get<uint64_t>());
}

TEST(e2e_net, netns_runs_server_and_load_over_a_veth_pair_and_cleans_up) {
    const auto json_path = work_dir() / "netns.json";
    const auto r = run_cli("run --quiet --workload echo --backend epoll,io_uring --netns --connections 4 --runtime 300ms "
                           "--ramp 0 -o " + json_path.string());
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    expect_valid_results(slurp(json_path));
    const json doc = json::parse(slurp(json_path));
    EXPECT_EQ(doc["parameters"]["netns"], true);
    EXPECT_EQ(doc["parameters"]["backend"], "epoll,io_uring");
    for (const json& res : doc["results"]) {
        EXPECT_EQ(res["parameters"]["backend"], res["backend"]);
        expect_plausible(res, 4);
        // The server listened on its end of the veth pair, not on loopback.
        EXPECT_EQ(res["network"]["target"].get<std::string>().rfind("10.254.", 0), 0u) << res["network"]["target"];
    }
    // Both namespaces (and so the veth pair) are gone again.
    std::string left;
    if (FILE* p = ::popen("ip netns list", "r")) {
        char buf[256];
        while (std::fgets(buf, sizeof buf, p)) left += buf;
        ::pclose(p);
    }
    EXPECT_EQ(left.find("iobench-"), std::string::npos) << left;
}

TEST(e2e_net, load_against_a_closed_port_fails_with_the_reason) {
    const auto r = run_cli("load --quiet --target 127.0.0.1:" + std::to_string(free_port()) +
                           " --connections 2 --runtime 300ms --ramp 0");
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE((r.out + r.err).find("ECONNREFUSED"), std::string::npos) << r.out << r.err;
}

TEST(e2e_net, bad_network_input_exits_2) {
    for (const char* args : {"load --workload echo", "load --target nohost:1", "load --target 127.0.0.1:99999",
                             "serve --workload echo", "serve --backend epoll --workload randread",
                             "run --workload echo --connections 0", "run --workload echo --client-backend nosuch",
                             "run --workload ws_echo --msg-size 0", "run --workload ws_echo --msg-size 17m",
                             "serve --workload ws_echo", "load --workload ws_echo"}) {
        const auto r = run_cli(args);
        EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
    }
}

}  // namespace
