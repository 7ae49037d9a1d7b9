// End-to-end tests of `iobench merge` on files iobench wrote: two storage runs
// merged as concurrent hosts and as repetitions; inputs that differ in a
// parameter refused with exit 2 naming it; and two `load` processes in two
// network namespaces against one `serve`, merged: the request count is the
// sum and the p99 comes from the summed histogram. Every run is bounded.
#include "results/json_reader.hpp"
#include "tests/cli_runner.hpp"
#include "tests/results_check.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <thread>
#include <unistd.h>
#include <vector>

using nlohmann::json;
using namespace iobench::test;

namespace {

// Histogram of the runs' buckets added here, independently of the merge code.
iobench::histogram bucket_sum(const std::vector<std::filesystem::path>& files) {
    std::vector<uint64_t> sums(iobench::histogram::bucket_count, 0);
    uint64_t count = 0, sum = 0, overflow = 0, min = ~0ull, max = 0;
    for (const auto& f : files) {
        const auto r = iobench::read_results_file(f.string()).results.at(0).latency;
        for (unsigned i = 0; i < sums.size(); ++i) sums[i] += r.buckets()[i];
        count += r.count(), sum += r.sum(), overflow += r.overflow();
        min = std::min(min, r.min()), max = std::max(max, r.max());
    }
    iobench::histogram h;
    for (unsigned i = 0; i < sums.size(); ++i) h.set_bucket(i, sums[i]);
    h.set_summary(count, sum, min, max, overflow);
    return h;
}

void expect_merged_histogram(const json& merged, const std::vector<std::filesystem::path>& inputs) {
    const iobench::histogram want = bucket_sum(inputs);
    const json& h = merged["histogram"];
    EXPECT_EQ(h["count"].get<uint64_t>(), want.count());
    EXPECT_EQ(h["sum"].get<uint64_t>(), want.sum());
    const auto& wb = want.buckets();
    EXPECT_EQ(h["buckets"].size(), static_cast<size_t>(std::count_if(wb.begin(), wb.end(), [](uint64_t n) { return n > 0; })));
    for (const auto& b : h["buckets"]) EXPECT_EQ(b[1].get<uint64_t>(), wb[b[0].get<unsigned>()]) << b;
    EXPECT_EQ(merged["latency_ns"]["p99"].get<uint64_t>(), want.percentile(99));
    EXPECT_EQ(merged["latency_ns"]["p50"].get<uint64_t>(), want.percentile(50));
}

std::string storage_run(const std::string& name, const std::string& extra = "", const std::string& bs = "4k") {
    const auto path = work_dir() / name;
    const auto r = run_cli("run --quiet --backend blocking --workload randread --buffered --bs " + bs +
                           " --iodepth 2 --size 1m --ops 3000 --ramp 0 --file " + (work_dir() / "merge.data").string() +
                           " " + extra + " -o " + path.string());
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return path.string();
}

json load(const std::filesystem::path& p) { return json::parse(slurp(p)); }

TEST(e2e_merge, two_runs_merge_as_concurrent_hosts_and_as_repetitions) {
    const std::string a = storage_run("a.json"), b = storage_run("b.json", "--seed 7");  // seed may differ
    const auto out = work_dir() / "ab.json";
    const auto r = run_cli("merge " + a + " " + b + " -o " + out.string());
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("merged as concurrent from 2 files"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("blocking"), std::string::npos) << r.out;
    expect_valid_results(slurp(out));
    const json m = load(out), ja = load(a), jb = load(b);
    const json &ra = ja["results"][0], &rb = jb["results"][0], &rm = m["results"][0];
    EXPECT_EQ(m["merge_mode"], "concurrent");
    ASSERT_EQ(m["merged_from"].size(), 2u);
    EXPECT_EQ(m["merged_from"][1]["file"], b);
    EXPECT_EQ(m["merged_from"][1]["parameters"]["seed"], 7);
    EXPECT_FALSE(rm["parameters"].contains("seed"));  // differed: absent, not one input's value
    EXPECT_EQ(rm["parameters"]["bs"], 4096);
    EXPECT_EQ(rm["ops"].get<uint64_t>(), ra["ops"].get<uint64_t>() + rb["ops"].get<uint64_t>());
    EXPECT_EQ(rm["bytes"].get<uint64_t>(), ra["bytes"].get<uint64_t>() + rb["bytes"].get<uint64_t>());
    EXPECT_EQ(rm["duration_s"].get<double>(), std::max(ra["duration_s"].get<double>(), rb["duration_s"].get<double>()));
    EXPECT_NEAR(rm["iops"].get<double>(), ra["iops"].get<double>() + rb["iops"].get<double>(), 1e-6 * rm["iops"].get<double>());
    expect_merged_histogram(rm, {a, b});

    const auto rep = run_cli("merge --as repetitions --quiet " + a + " " + b + " -o -");
    ASSERT_EQ(rep.exit_code, 0) << rep.err;
    expect_valid_results(rep.out);  // stdout is the JSON alone; the table went to stderr
    EXPECT_NE(rep.err.find("merged as repetitions"), std::string::npos) << rep.err;
    const json rr = json::parse(rep.out)["results"][0];
    const double d = ra["duration_s"].get<double>() + rb["duration_s"].get<double>();
    EXPECT_NEAR(rr["duration_s"].get<double>(), d, 1e-9);
    EXPECT_NEAR(rr["iops"].get<double>(), rm["ops"].get<double>() / d, 1e-6 * rr["iops"].get<double>());
    expect_merged_histogram(rr, {a, b});
}

TEST(e2e_merge, a_differing_parameter_or_a_bad_file_exits_2_naming_it) {
    const std::string a = storage_run("p.json"), c = storage_run("c.json", "", "8k");
    const auto out = work_dir() / "refused.json";
    const auto r = run_cli("merge " + a + " " + c + " -o " + out.string());
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("parameters.bs differs: 8192 in " + c + ", 4096 in " + a), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out));

    for (const std::string& args : {std::string("merge"), "merge " + a + " --as averaged",
                                    "merge " + a + " " + (work_dir() / "missing.json").string(),
                                    "merge " + a + " " IOBENCH_TEST_DATA "/damaged_results.json"}) {
        const auto bad = run_cli(args);
        EXPECT_EQ(bad.exit_code, 2) << args << ": " << bad.err;
        EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << args << ": " << bad.err;
    }
}

// Runs a shell command; what it printed when it failed, empty on success.
std::string sh(const std::string& cmd) {
    std::string out;
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    if (!p) return "cannot run: " + cmd;
    char buf[256];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    if (::pclose(p) == 0) return {};
    return cmd + ": " + (out.empty() ? "failed" : out);
}

// A server namespace and two load-host namespaces, each load host joined to
// the server by a veth pair of its own (10.253.N.0/30 and 10.253.N.4/30), so
// each reaches the one server by a different address. Removed in every path.
class load_hosts {
public:
    load_hosts() {
        const std::string id = std::to_string(::getpid());
        const std::string net = "10.253." + std::to_string(::getpid() % 250) + ".";
        server = "ibm-srv-" + id;
        if ((error = sh("ip netns add " + server)).empty()) made_.push_back(server);
        else return;  // no privilege (or no iproute2): the caller skips
        for (int i = 0; i < 2; ++i) {
            client[i] = "ibm-c" + std::to_string(i) + "-" + id;
            server_ip[i] = net + std::to_string(4 * i + 1);
            const std::string vs = "ibms" + std::to_string(i) + id, vc = "ibmc" + std::to_string(i) + id;
            veths_.push_back(vs);
            for (const std::string& step : {"ip netns add " + client[i], "ip link add " + vs + " type veth peer name " + vc,
                                            "ip link set " + vs + " netns " + server, "ip link set " + vc + " netns " + client[i],
                                            "ip -n " + server + " addr add " + server_ip[i] + "/30 dev " + vs,
                                            "ip -n " + client[i] + " addr add " + net + std::to_string(4 * i + 2) + "/30 dev " + vc,
                                            "ip -n " + server + " link set " + vs + " up",
                                            "ip -n " + client[i] + " link set " + vc + " up",
                                            "ip -n " + client[i] + " link set lo up"}) {
                if (!(setup_error = sh(step)).empty()) return;
                if (step.starts_with("ip netns add")) made_.push_back(client[i]);
            }
        }
        setup_error = sh("ip -n " + server + " link set lo up");
    }
    ~load_hosts() {
        for (const auto& v : veths_) sh("ip link del " + v + " 2>/dev/null");  // only if it never left this namespace
        for (const auto& n : made_) sh("ip netns del " + n);
    }
    load_hosts(const load_hosts&) = delete;
    load_hosts& operator=(const load_hosts&) = delete;

    std::string error;        // `ip netns add` failed: skip
    std::string setup_error;  // a later step failed: fail
    std::string server, client[2], server_ip[2];

private:
    std::vector<std::string> made_, veths_;
};

std::string netns_list() {
    std::string out;
    if (FILE* p = ::popen("ip netns list", "r")) {
        char buf[256];
        while (std::fgets(buf, sizeof buf, p)) out += buf;
        ::pclose(p);
    }
    return out;
}

TEST(e2e_merge, two_load_hosts_in_two_namespaces_against_one_server_merge_exactly) {
    const std::string tag = "-" + std::to_string(::getpid());
    {
        load_hosts ns;
        if (!ns.error.empty()) GTEST_SKIP() << "needs root and iproute2 for network namespaces: " << ns.error;
        ASSERT_EQ(ns.setup_error, "");
        const auto serve_json = work_dir() / "serve.json";
        cli_result served{};
        std::thread server([&] {
            served = run_cli_in_netns(ns.server, "serve --quiet --workload echo --backend epoll --listen 0.0.0.0:7000 "
                                                 "--runtime 6s --ramp 0 -o " + serve_json.string());
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        // Both loads start at the same instant, as pdsh or a Job would start them.
        const double start_at =
            std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count() + 1.5;
        char at[32];
        std::snprintf(at, sizeof at, "%.3f", start_at);
        std::vector<std::filesystem::path> loads{work_dir() / "load0.json", work_dir() / "load1.json"};
        cli_result loaded[2]{};
        std::vector<std::thread> hosts;
        for (int i = 0; i < 2; ++i)
            hosts.emplace_back([&, i] {
                loaded[i] = run_cli_in_netns(ns.client[i], "load --quiet --workload echo --target " + ns.server_ip[i] +
                                                               ":7000 --connections 4 --runtime 1s --ramp 0 --start-at " +
                                                               at + " -o " + loads[i].string());
            });
        for (auto& t : hosts) t.join();
        server.join();
        for (const auto& l : loaded) ASSERT_EQ(l.exit_code, 0) << l.out << l.err;
        ASSERT_EQ(served.exit_code, 0) << served.out << served.err;

        const auto merged_json = work_dir() / "loads.json";
        const auto r = run_cli("merge --quiet " + loads[0].string() + " " + loads[1].string() + " -o " +
                               merged_json.string());
        ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
        expect_valid_results(slurp(merged_json));
        const json m = load(merged_json), l0 = load(loads[0]), l1 = load(loads[1]), s = load(serve_json);
        const json& rm = m["results"][0];
        const uint64_t ops0 = l0["results"][0]["ops"].get<uint64_t>(), ops1 = l1["results"][0]["ops"].get<uint64_t>();
        EXPECT_GT(ops0, 0u);
        EXPECT_GT(ops1, 0u);
        EXPECT_EQ(rm["ops"].get<uint64_t>(), ops0 + ops1);
        // The histogram also holds each load's censored samples (requests in flight at its window's end).
        const uint64_t cens = l0["results"][0]["latency_ns"].value("censored", uint64_t{0}) +
                              l1["results"][0]["latency_ns"].value("censored", uint64_t{0});
        EXPECT_EQ(rm["latency_ns"].value("censored", uint64_t{0}), cens);
        EXPECT_EQ(rm["histogram"]["count"].get<uint64_t>(), ops0 + ops1 + cens);
        EXPECT_EQ(rm["errors"], 0);
        EXPECT_EQ(rm["network"]["connections"], 8);
        EXPECT_EQ(rm["network"]["side"], "load");
        expect_merged_histogram(rm, loads);
        // One server, reached by two addresses: the target differs, so it is
        // kept per input and left out of the merged parameters.
        EXPECT_FALSE(rm["parameters"].contains("target"));
        EXPECT_EQ(m["merged_from"][0]["parameters"]["target"], ns.server_ip[0] + ":7000");
        EXPECT_EQ(m["merged_from"][1]["parameters"]["target"], ns.server_ip[1] + ":7000");
        // The server echoed every request both load hosts counted (and those
        // still in flight when their windows closed).
        EXPECT_GE(s["results"][0]["network"]["server"]["requests"].get<uint64_t>(), ops0 + ops1);
        EXPECT_EQ(s["results"][0]["network"]["server"]["accepted"], 8);
    }
    const std::string left = netns_list();
    EXPECT_EQ(left.find(tag + "\n"), std::string::npos) << left;  // every namespace is gone again
    EXPECT_EQ(left.find(tag + " "), std::string::npos) << left;
}

}  // namespace
