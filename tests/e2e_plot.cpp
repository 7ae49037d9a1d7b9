// End-to-end tests of `iobench plot` on result files iobench wrote (tests/data/plots/:
// storage with unsupported backends, a network run, an iodepth sweep as a
// directory, two files for before/after, an iobench/4 timeline): valid PNG and SVG per chart, a
// self-contained index.html naming every backend; bad inputs refused with
// exit 2 and nothing written; no gnuplot on the PATH: exit 1 with the tables.
#include "tests/cli_runner.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace iobench::test;

namespace {

const fs::path data = fs::path(IOBENCH_TEST_DATA) / "plots";

bool have(const char* tool) {
    return std::system(("command -v " + std::string(tool) + " >/dev/null 2>&1").c_str()) == 0;
}

std::vector<fs::path> files_with(const fs::path& dir, const std::string& ext) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ext) out.push_back(e.path());
    return out;
}

void expect_png(const fs::path& p) {
    const std::string bytes = slurp(p);
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << p;
    EXPECT_GT(bytes.size(), 10'000u) << p;  // 1200x700 with text and lines: tens of KB
    EXPECT_LT(bytes.size(), 2'000'000u) << p;
}

// No reference out of the page: no URL scheme but data:, no script.
void expect_self_contained(const std::string& html) {
    // ("http:" alone is the http workload's chart titles.)
    EXPECT_EQ(html.find("http://"), std::string::npos);
    EXPECT_EQ(html.find("https://"), std::string::npos);
    EXPECT_EQ(html.find("href="), std::string::npos);
    EXPECT_EQ(html.find("<script"), std::string::npos);
    unsigned images = 0;
    for (size_t at = html.find("src=\""); at != std::string::npos; at = html.find("src=\"", at + 1), ++images)
        EXPECT_EQ(html.substr(at + 5, 5), "data:") << "an image not inlined";
    EXPECT_GT(images, 0u);
}

TEST(e2e_plot, fixed_results_give_png_svg_and_a_self_contained_page) {
    if (!have("gnuplot")) GTEST_SKIP() << "gnuplot is not installed (Debian gnuplot-nox)";
    const fs::path out = work_dir() / "charts";
    const auto r = run_cli("plot " + (data / "storage.json").string() + " " + (data / "network.json").string() + " " +
                           (data / "sweep").string() + " -o " + out.string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto pngs = files_with(out, ".png"), svgs = files_with(out, ".svg");
    EXPECT_GE(pngs.size(), 20u);
    EXPECT_EQ(pngs.size(), svgs.size());
    for (const auto& p : pngs) {
        expect_png(p);
        fs::path script = out / "src" / p.stem();
        script += ".gp";
        EXPECT_TRUE(fs::exists(script)) << p;  // the script beside it
    }
    for (const char* chart : {"sweep-randread-iodepth-knee", "echo-throughput", "randread-iodepth-8-heatmap",
                              "randread-iodepth-8-spectrum", "randread-iodepth-8-cpu"})
        EXPECT_TRUE(fs::exists(out / (std::string(chart) + ".png"))) << chart;
    if (have("python3")) {
        std::string cmd = "python3 " + std::string(IOBENCH_SOURCE_DIR) + "/tests/check_svg.py";
        for (const auto& s : svgs) (cmd += ' ') += s.string();
        EXPECT_EQ(std::system(cmd.c_str()), 0) << "an SVG does not parse as XML";
    }
    const std::string html = slurp(out / "index.html");
    for (const char* b : {"blocking", "epoll", "io_uring", "io_uring_iopoll"}) EXPECT_NE(html.find(b), std::string::npos) << b;
    EXPECT_NE(html.find("no poll queues"), std::string::npos);  // the unsupported backend's reason
    expect_self_contained(html);
    // The throughput chart's script names what did not run: a note, not a zero bar.
    const std::string gp = slurp(out / "src" / "randread-iodepth-8-throughput.gp");
    EXPECT_NE(gp.find("io_uring_iopoll (storage): unsupported"), std::string::npos);
    EXPECT_TRUE(fs::exists(out / "src" / "randread-iodepth-8-throughput.bars.dat"));
    EXPECT_EQ(slurp(out / "src" / "randread-iodepth-8-throughput.bars.dat").find("io_uring_iopoll"), std::string::npos);
    EXPECT_FALSE(fs::exists(out.string() + ".partial." + std::to_string(0)));
}

TEST(e2e_plot, before_after_with_a_baseline_overlays_and_draws_the_forest_plot) {
    if (!have("gnuplot")) GTEST_SKIP() << "gnuplot is not installed (Debian gnuplot-nox)";
    const fs::path out = work_dir() / "before-after";
    const std::string before = (data / "before.json").string(), after = (data / "after.json").string();
    const auto r = run_cli("plot " + before + " " + after + " --label old --label new --baseline " + before + " -o " +
                           out.string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_png(out / "baseline-forest.png");
    expect_png(out / "randread-spectrum.png");
    const std::string gp = slurp(out / "src" / "randread-spectrum.gp");
    EXPECT_NE(gp.find("libaio (old)"), std::string::npos);
    EXPECT_NE(gp.find("libaio (new)"), std::string::npos);
    const std::string html = slurp(out / "index.html");
    EXPECT_NE(html.find("against " + before), std::string::npos);
    const auto verdict_named = [&](const char* v) { return html.find(std::string("IOPS ") + v) != std::string::npos; };
    EXPECT_TRUE(verdict_named("regression") || verdict_named("improvement") || verdict_named("equivalent") ||
                verdict_named("inconclusive") || verdict_named("insufficient"));
    expect_self_contained(html);

    // The page's verdicts are the gate's: every comparison `iobench compare` makes is on the page as it decided it.
    const auto gate = run_cli("compare " + before + " " + after + " --format json");
    ASSERT_NE(gate.out.find("comparisons"), std::string::npos) << gate.err;
    const auto doc = nlohmann::json::parse(gate.out);
    ASSERT_FALSE(doc["comparisons"].empty());
    for (const auto& c : doc["comparisons"]) {
        const std::string metric = c["metric"] == "iops" ? "IOPS" : c["metric"].get<std::string>();
        EXPECT_NE(html.find(metric + " " + c["verdict"].get<std::string>()), std::string::npos) << c.dump();
    }
}

// iobench/4 results carry each interval's histogram: the heatmap is interval x
// latency band, one panel per backend; iobench/3 results fall back to the p99 colour.
TEST(e2e_plot, the_heatmap_is_interval_by_latency_band_and_old_files_fall_back) {
    if (!have("gnuplot")) GTEST_SKIP() << "gnuplot is not installed (Debian gnuplot-nox)";
    const fs::path out = work_dir() / "heatmap";
    ASSERT_EQ(run_cli("plot " + (data / "timeline.json").string() + " -o " + out.string() + " --quiet").exit_code, 0);
    expect_png(out / "randread-heatmap.png");
    const std::string gp = slurp(out / "src" / "randread-heatmap.gp");
    EXPECT_NE(gp.find("set multiplot layout 2,1"), std::string::npos) << gp;
    EXPECT_NE(gp.find("boxxyerror lc palette"), std::string::npos);
    EXPECT_EQ(gp.find("colour = the interval's p99"), std::string::npos);
    // Every op of the run is in some cell: ops/s x the interval's length, summed, is the run's ops.
    const auto run = nlohmann::json::parse(slurp(data / "timeline.json"))["results"][0];
    ASSERT_EQ(run["backend"], "io_uring");
    std::ifstream cells(out / "src" / "randread-heatmap.t0.dat");
    double ops = 0;
    for (double x, y, x0, x1, y0, y1, rate; cells >> x >> y >> x0 >> x1 >> y0 >> y1 >> rate;) {
        EXPECT_LT(y0, y1);
        ops += rate * (x1 - x0);
    }
    EXPECT_NEAR(ops, run["ops"].get<double>(), run["ops"].get<double>() * 1e-4);  // cells are written with 6 digits

    const fs::path old = work_dir() / "heatmap-old";
    ASSERT_EQ(run_cli("plot " + (data / "storage.json").string() + " -o " + old.string() + " --quiet").exit_code, 0);
    bool fallback = false;
    for (const auto& f : files_with(old / "src", ".gp"))
        if (f.filename().string().find("heatmap") != std::string::npos)
            fallback = fallback || slurp(f).find("colour = the interval's p99") != std::string::npos;
    EXPECT_TRUE(fallback);
}

TEST(e2e_plot, bad_inputs_exit_2_naming_the_file_and_write_nothing) {
    const fs::path dir = work_dir() / "bad";
    fs::create_directories(dir);
    std::ofstream(dir / "not.json") << "this is not json\n";
    std::ofstream(dir / "schema.json") << R"({"schema": "iobench/99", "results": []})";
    nlohmann::json empty = nlohmann::json::parse(slurp(data / "network.json"));
    empty["results"] = nlohmann::json::array();
    std::ofstream(dir / "empty.json") << empty.dump();
    for (const char* name : {"not.json", "schema.json", "empty.json", "missing.json"}) {
        const fs::path out = dir / (std::string("out-") + name);
        const auto r = run_cli("plot " + (data / "storage.json").string() + " " + (dir / name).string() + " -o " + out.string());
        EXPECT_EQ(r.exit_code, 2) << name << ": " << r.err;
        EXPECT_NE(r.err.find(name), std::string::npos) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_FALSE(fs::exists(out)) << name;
    }
    for (const auto& e : fs::directory_iterator(dir)) EXPECT_EQ(e.path().string().find(".partial."), std::string::npos);
    const auto r = run_cli("plot " + (data / "storage.json").string() + " --threshold lots -o " + (dir / "t").string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--threshold"), std::string::npos);
}

TEST(e2e_plot, without_gnuplot_the_tables_are_written_and_it_exits_1) {
    const fs::path out = work_dir() / "no-gnuplot";
    const std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
    ::setenv("PATH", "/nonexistent", 1);  // iobench's own PATH; the binary is run by its full path
    const auto r = run_cli("plot " + (data / "storage.json").string() + " -o " + out.string());
    ::setenv("PATH", path.c_str(), 1);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("gnuplot-nox"), std::string::npos) << r.err;
    const std::string html = slurp(out / "index.html");
    EXPECT_NE(html.find("io_uring_iopoll"), std::string::npos);
    EXPECT_NE(html.find("gnuplot-nox"), std::string::npos);
    EXPECT_TRUE(files_with(out, ".png").empty());
}

}  // namespace

namespace {

TEST(e2e_plot, an_earlier_report_is_replaced_and_another_directory_is_refused) {
    if (!have("gnuplot")) GTEST_SKIP() << "gnuplot is not installed (Debian gnuplot-nox)";
    const fs::path out = work_dir() / "again";
    const std::string input = (data / "network.json").string();
    for (int round = 0; round < 2; ++round) {  // the second replaces the first; a trailing / is the same DIR
        const auto r = run_cli("plot " + input + " --quiet -o " + out.string() + "/");
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_TRUE(fs::exists(out / "index.html"));
        EXPECT_TRUE(fs::exists(out / "echo-throughput.png"));
    }
    for (const auto& e : fs::directory_iterator(work_dir()))
        EXPECT_EQ(e.path().filename().string().find("again."), std::string::npos) << e.path();  // no .partial/.old left
    const fs::path other = work_dir() / "not-a-report";
    fs::create_directories(other);
    std::ofstream(other / "keep.txt") << "mine\n";
    const auto r = run_cli("plot " + input + " -o " + other.string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("not-a-report"), std::string::npos) << r.err;
    EXPECT_EQ(slurp(other / "keep.txt"), "mine\n");
}

// iobench-micro's Google Benchmark JSON (tests/data/micro_gbench.json, a real
// run): the gate compares it and the charts draw it, like a results file.
TEST(e2e_plot, google_benchmark_json_is_compared_and_plotted) {
    const std::string micro = (fs::path(IOBENCH_TEST_DATA) / "micro_gbench.json").string();
    const auto same = run_cli("compare " + micro + " " + micro);
    EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
    EXPECT_NE(same.out.find("io_uring"), std::string::npos) << same.out;
    EXPECT_NE(same.out.find("cpu_per_op"), std::string::npos) << same.out;
    EXPECT_EQ(same.out.find("p99 "), std::string::npos) << "no latency histogram, no p99 row: " << same.out;
    EXPECT_NE(same.out.find("IOPOLL requires O_DIRECT"), std::string::npos) << "the skip's reason: " << same.out;
    if (!have("gnuplot")) GTEST_SKIP() << "gnuplot is not installed (Debian gnuplot-nox)";
    const fs::path out = work_dir() / "micro";
    const auto r = run_cli("plot " + micro + " --quiet -o " + out.string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_png(out / "read_4k_pagecache_qd_1_batch_1-throughput.png");
    EXPECT_NE(slurp(out / "index.html").find("io_uring_iopoll"), std::string::npos);

    // In a directory (a suite's, made with --format), the exports beside the
    // results are left out, as compare leaves them: no run drawn twice.
    const fs::path suite_dir = work_dir() / "suite-with-exports";
    fs::create_directories(suite_dir);
    fs::copy_file(data / "network.json", suite_dir / "echo.json", fs::copy_options::overwrite_existing);
    fs::copy_file(micro, suite_dir / "gbench.json", fs::copy_options::overwrite_existing);
    std::ofstream(suite_dir / "gab-bigger.json") << "[]\n";
    const fs::path charts = work_dir() / "suite-charts";
    const auto d = run_cli("plot " + suite_dir.string() + " --quiet -o " + charts.string());
    ASSERT_EQ(d.exit_code, 0) << d.err;
    EXPECT_TRUE(fs::exists(charts / "echo-throughput.png"));
    EXPECT_FALSE(fs::exists(charts / "read_4k_pagecache_qd_1_batch_1-throughput.png")) << "the gbench export drawn";
}

}  // namespace

namespace {

// gnuplot-iostream would only perror this; iobench reads gnuplot's exit status and stderr.
TEST(e2e_plot, a_gnuplot_that_fails_is_reported_with_what_it_said) {
    const fs::path bin = work_dir() / "fake-bin", out = work_dir() / "failing";
    fs::create_directories(bin);
    std::ofstream(bin / "gnuplot") << "#!/bin/sh\ncat >/dev/null\necho '         line 7: no such terminal' >&2\nexit 1\n";
    fs::permissions(bin / "gnuplot", fs::perms::owner_all);
    const std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
    ::setenv("PATH", (bin.string() + ":/bin:/usr/bin").c_str(), 1);
    const auto r = run_cli("plot " + (data / "network.json").string() + " -o " + out.string());
    ::setenv("PATH", path.c_str(), 1);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("chart not drawn: echo-throughput: gnuplot exited with 1: line 7: no such terminal"),
              std::string::npos) << r.err;
    EXPECT_NE(slurp(out / "index.html").find("not drawn"), std::string::npos);
    EXPECT_TRUE(fs::exists(out / "src" / "echo-throughput.log"));  // what gnuplot said, kept beside its script
}

}  // namespace
