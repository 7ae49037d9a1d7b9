// End-to-end: `iobench run --workload transfer --method all --size 8m` writes a
// results file that passes the schema check, with a verified `transfer` object
// per row; bad transfer input exits 2 with one line. Loopback only.
#include "tests/cli_runner.hpp"
#include "tests/results_check.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <set>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using nlohmann::json;
using namespace iobench::test;

namespace {


TEST(e2e_transfer, method_all_moves_8m_verified_and_writes_the_transfer_object) {
    const auto out = work_dir() / "transfer.json";
    const cli_result r = run_cli("run --workload transfer --method all --size 8m --quiet --dir " + work_dir().string() +
                                 " -o " + out.string());
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const std::string text = slurp(out);
    expect_valid_results(text);
    const json doc = json::parse(text);
    EXPECT_EQ(doc["parameters"]["kind"], "transfer");
    std::set<std::string> methods, rows;
    for (const json& res : doc["results"]) {
        const json& t = res["transfer"];
        methods.insert(t["method"].get<std::string>());
        // One (backend, workload) per row, as compare, merge and the exports match on it.
        EXPECT_EQ(res["workload"], "transfer/" + t["method"].get<std::string>());
        EXPECT_TRUE(rows.insert(res["backend"].get<std::string>() + " " + res["workload"].get<std::string>()).second)
            << res["backend"] << " " << res["workload"];
        if (res["status"] == "unsupported") {
            EXPECT_NE(res["reason"], "") << t["method"];
            continue;
        }
        ASSERT_EQ(res["status"], "ok") << res["backend"] << " " << t["method"] << ": " << res["reason"];
        EXPECT_EQ(t["bytes"].get<uint64_t>(), 8u << 20);
        EXPECT_EQ(t["chunk"].get<uint64_t>(), 64u * 1024);  // the default --bs for transfer
        EXPECT_EQ(t["cache"], "warm");
        EXPECT_GT(t["gbit_per_sec"].get<double>(), 0.0);
        EXPECT_GT(t["syscalls_per_mb"].get<double>(), 0.0);
        const bool zc = t["method"] == "io_uring_send_zc" || t["method"] == "msg_zerocopy";
        EXPECT_EQ(t.contains("zerocopy"), zc) << t["method"];
        if (zc) {
            EXPECT_EQ(t["zerocopy"]["bytes_zero_copied"].get<uint64_t>() + t["zerocopy"]["bytes_copied"].get<uint64_t>(),
                      8u << 20);
        }
    }
    EXPECT_EQ(methods, (std::set<std::string>{"read_send", "mmap_send", "sendfile", "splice", "tee", "io_uring_splice",
                                              "io_uring_send_zc", "msg_zerocopy"}));
    // The table shows the transfer columns.
    const cli_result t = run_cli("run --workload transfer --method sendfile --size 1m --cache cold --quiet --dir " +
                                 work_dir().string());
    ASSERT_EQ(t.exit_code, 0) << t.out << t.err;
    EXPECT_NE(t.out.find("Gbit/s"), std::string::npos) << t.out;
    EXPECT_NE(t.out.find("sendfile"), std::string::npos) << t.out;
}

// The receiver on another process (another host in real use): serve sends the
// file to each connection, load verifies it; a load expecting more bytes fails.
TEST(e2e_transfer, serve_and_load_as_separate_processes) {
    const std::string port = std::to_string(free_port());
    std::thread server([&] {
        run_cli("serve --quiet --workload transfer --method sendfile --listen 127.0.0.1:" + port +
                " --size 4m --runtime 3s --dir " + work_dir().string() + " -o " + (work_dir() / "tserve.json").string());
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    const auto load_path = work_dir() / "tload.json";
    const cli_result ok = run_cli("load --quiet --workload transfer --target 127.0.0.1:" + port + " --size 4m -o " +
                                  load_path.string());
    const cli_result longer = run_cli("load --quiet --workload transfer --target 127.0.0.1:" + port + " --size 5m");
    server.join();
    ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
    expect_valid_results(slurp(load_path));
    const json load = json::parse(slurp(load_path))["results"][0];
    EXPECT_EQ(load["status"], "ok") << load["reason"];
    EXPECT_EQ(load["transfer"]["bytes"].get<uint64_t>(), 4u << 20);
    EXPECT_EQ(longer.exit_code, 1) << longer.out << longer.err;
    EXPECT_NE(longer.out.find("short transfer, missing from offset 4194304"), std::string::npos) << longer.out;
    const std::string serve_text = slurp(work_dir() / "tserve.json");
    expect_valid_results(serve_text);
    const json serve = json::parse(serve_text)["results"][0];
    EXPECT_EQ(serve["transfer"]["method"], "sendfile");
    EXPECT_EQ(serve["transfer"]["receivers"].get<unsigned>(), 2u);  // connections served
    EXPECT_EQ(serve["transfer"]["bytes"].get<uint64_t>(), 2u * (4u << 20));
}

TEST(e2e_transfer, bad_input_exits_2_with_one_line) {
    for (const char* args : {"run --workload transfer --method carrier_pigeon", "run --workload transfer --cache hot",
                             "serve --workload transfer --method tee", "serve --workload transfer --method all",
                             "load --workload transfer", "serve --workload echo --backend epoll --method sendfile",
                             "run --workload randread --method sendfile",
                             "run --workload transfer --direct --bs 1000"}) {
        const cli_result r = run_cli(args);
        EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
    }
    const cli_result h = run_cli("run --help");
    EXPECT_NE(h.out.find("--method"), std::string::npos);
    EXPECT_NE(h.out.find("--cache"), std::string::npos);
    EXPECT_NE(h.out.find("--direct"), std::string::npos);
}

}  // namespace
