// The comparison's outputs on a fixed report: the table's columns and notes,
// markdown that GitHub renders as a table, and JSON with the documented fields.
#include "compare_fixture.hpp"
#include "results/compare_writers.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

namespace iobench {
namespace {

using test::gate_file;
using test::gate_run;
using test::gate_side;

// io_uring 20% slower (a regression), epoll unchanged, libaio only in base,
// iopoll unsupported on both, and the kernel changed (allowed).
compare_report fixed_report(compare_settings s = {}) {
    const std::vector<double> iops{100'000, 101'200, 99'100, 100'600, 99'400};
    std::vector<double> slow;
    for (const double x : iops) slow.push_back(x * 0.8);
    run_result off = gate_run("io_uring_iopoll", {1});
    off.status = run_status::unsupported;
    off.reason = "no poll queues";
    compare_file b = gate_file({gate_run("io_uring", iops), gate_run("epoll", iops), gate_run("libaio", iops), off},
                               "qd32", "A/qd32.json");
    compare_file n = gate_file({gate_run("io_uring", slow), gate_run("epoll", iops), off}, "qd32", "B/qd32.json");
    n.file.context.host.kernel = "6.2.0-new";
    compare_side bs = gate_side({b}, "A"), ns = gate_side({n}, "B");
    bs.skipped = {"A/qd32.gbench.json"};
    s.allow_host_change = true;
    return compare_sides(bs, ns, s);
}

std::string text_of(compare_format f, const compare_report& r) {
    std::ostringstream out;
    write_compare(out, r, f);
    return out.str();
}

bool has(const std::string& text, const std::string& re) { return std::regex_search(text, std::regex(re)); }

TEST(compare_writers, the_table_has_every_column_and_says_what_was_left_out) {
    const std::string t = text_of(compare_format::table, fixed_report());
    EXPECT_TRUE(has(t, "^base A, new B\n")) << t;
    EXPECT_TRUE(has(t, "threshold 5%, alpha 0.05; p: one-sided Mann-Whitney U in the bad direction, "
                       "Benjamini-Hochberg over 6 comparisons")) << t;
    EXPECT_TRUE(has(t, "\njob +backend +workload +metric +base +new +change +p +HL shift \\[CI\\] +verdict\n")) << t;
    EXPECT_TRUE(has(t, "\nqd32 +io_uring +randread +iops +100\\.0k +80\\.0k +-20\\.0% +[0-9.e-]+ +-[0-9.]+% \\[-[0-9.]+%, "
                       "-[0-9.]+%\\] +regression\n")) << t;
    EXPECT_TRUE(has(t, "\nqd32 +epoll +randread +p99 +[0-9.]+us +[0-9.]+us +\\+0\\.0% .* (equivalent|inconclusive)\n")) << t;
    EXPECT_TRUE(has(t, "\nhost changed \\(--allow-host-change\\): kernel '6.1.0-test' -> '6.2.0-new'\n")) << t;
    EXPECT_TRUE(has(t, "\nonly in base: qd32 libaio randread \\(A/qd32.json\\)\n")) << t;
    EXPECT_TRUE(has(t, "\nnot compared: qd32 io_uring_iopoll randread: unsupported in base, unsupported in new "
                       "\\(no poll queues\\)\n")) << t;
    EXPECT_TRUE(has(t, "\nskipped \\(not an iobench result\\): A/qd32.gbench.json\n")) << t;
    EXPECT_TRUE(has(t, "\nresult: regression \\(6 comparisons: 3 regression, 0 improvement, [0-9] equivalent, "
                       "[0-9] inconclusive, 0 insufficient\\)\n$")) << t;
}

TEST(compare_writers, auto_adds_each_rows_threshold) {
    compare_settings s;
    s.auto_threshold = true;
    const std::string t = text_of(compare_format::table, fixed_report(s));
    EXPECT_TRUE(has(t, "threshold auto \\(per metric: max\\(3%, 1 x the base's A/A noise\\)\\)")) << t;
    EXPECT_TRUE(has(t, " threshold +verdict\n")) << t;
    EXPECT_TRUE(has(t, "\\] +[0-9.]+% +regression\n")) << t;
}

TEST(compare_writers, markdown_is_a_github_table_with_regressions_in_bold) {
    const std::string m = text_of(compare_format::markdown, fixed_report());
    EXPECT_TRUE(has(m, "^### iobench compare: \\*\\*3 regressions\\*\\*\n\n")) << m;
    EXPECT_TRUE(has(m, "\n\\| job \\| backend \\| workload \\| metric \\| base \\| new \\| change \\| p \\| HL shift \\[CI\\] "
                       "\\| verdict \\|\n\\|---\\|---\\|---\\|---\\|---:\\|---:\\|---:\\|---:\\|---\\|---\\|\n")) << m;
    EXPECT_TRUE(has(m, "\n\\| qd32 \\| io_uring \\| randread \\| iops \\| 100\\.0k \\| 80\\.0k \\| -20\\.0% \\| [^|]+ \\| [^|]+ "
                       "\\| \\*\\*regression\\*\\* \\|\n")) << m;
    EXPECT_TRUE(has(m, "\n- only in base: qd32 libaio randread")) << m;
    EXPECT_TRUE(has(m, "\nResult: regression")) << m;
    // Every table row has the header's cell count.
    std::istringstream lines(m);
    for (std::string l; std::getline(lines, l);)
        if (l.starts_with("|")) {
            EXPECT_EQ(std::count(l.begin(), l.end(), '|'), 11) << l;
        }
}

TEST(compare_writers, json_carries_the_documented_fields) {
    const auto doc = nlohmann::json::parse(text_of(compare_format::json, fixed_report()));
    EXPECT_EQ(doc["schema"], "iobench-compare/1");
    EXPECT_EQ(doc["base"], "A");
    EXPECT_EQ(doc["new"], "B");
    EXPECT_EQ(doc["settings"]["threshold"], 0.05);
    EXPECT_EQ(doc["settings"]["metrics"], nlohmann::json::array({"iops", "p99", "cpu_per_op"}));
    ASSERT_EQ(doc["comparisons"].size(), 6u);
    const auto& c = doc["comparisons"][0];
    for (const char* k : {"job", "backend", "workload", "metric", "label", "better", "base_status", "new_status",
                          "base_n", "new_n", "base_median", "new_median", "change", "p_worse", "q_worse", "p_better",
                          "q_better", "shift", "threshold", "verdict", "needed_per_side"})
        EXPECT_TRUE(c.contains(k)) << k;
    EXPECT_EQ(c["verdict"], "regression");
    EXPECT_EQ(c["better"], "higher");
    EXPECT_EQ(c["base_n"], 5);
    EXPECT_NEAR(c["change"].get<double>(), -0.2, 1e-9);
    EXPECT_TRUE(c["shift"]["bounded"].get<bool>());
    EXPECT_EQ(doc["host_changes"][0]["field"], "kernel");
    EXPECT_EQ(doc["unmatched"][0]["side"], "base");
    EXPECT_EQ(doc["not_compared"][0]["new_status"], "unsupported");
    EXPECT_EQ(doc["skipped"][0], "A/qd32.gbench.json");
    EXPECT_EQ(doc["summary"]["outcome"], "regression");
    EXPECT_EQ(doc["summary"]["verdicts"]["regression"], 3);
}

TEST(compare_writers, formats_by_name) {
    EXPECT_EQ(parse_compare_format("markdown"), compare_format::markdown);
    EXPECT_EQ(parse_compare_format("json"), compare_format::json);
    EXPECT_FALSE(parse_compare_format("csv"));
}

}  // namespace
}  // namespace iobench
