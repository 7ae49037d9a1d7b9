// Job files: INI framing, sweep expansion, and errors that name file, line and
// key; the shipped suites parse and pass the command-line parser.
#include "backends/registry.hpp"
#include "harness/cli/errors.hpp"
#include "harness/cli/options.hpp"
#include "harness/cli/suite_file.hpp"

#include <chrono>
#include <gtest/gtest.h>

#include <string>

namespace iobench {
namespace {

std::string error_of(const std::string& text, bool check = true) {
    try {
        const suite s = parse_suite(text, "t.ini");
        if (check) check_suite(s);
    } catch (const usage_error& e) {
        return e.what();
    }
    return {};
}

TEST(suite_file, global_keys_then_job_keys_and_sweeps_expand) {
    const suite s = parse_suite("[global]\nruntime = 2s\nbackend = io_uring,libaio\n"
                                "[qd]\nworkload=randread\niodepth = 1, 16\nbs=4k,64k\n"
                                "[echo]\nworkload = echo\nruntime = 1s\n",
                                "t.ini");
    ASSERT_EQ(s.jobs.size(), 5u);
    EXPECT_EQ(s.jobs[0].name, "qd-iodepth=1-bs=4k");
    EXPECT_EQ(s.jobs[3].name, "qd-iodepth=16-bs=64k");
    const std::vector<std::string> want{"run", "--runtime=2s", "--backend=io_uring,libaio", "--workload=randread",
                                        "--iodepth=16", "--bs=64k"};
    EXPECT_EQ(s.jobs[3].args, want) << "backend= is one list, not a sweep";
    EXPECT_EQ(s.jobs[4].name, "echo");
    EXPECT_EQ(s.jobs[4].args[1], "--runtime=1s") << "a job's key replaces the global one, in place";
    check_suite(s);
}

TEST(suite_file, set_overrides_replace_the_key_in_every_job_after_global_and_job) {
    const std::vector<suite_key> sets{parse_suite_override("repeat=2"), parse_suite_override("bs = 4k,8k")};
    const suite s = parse_suite("[global]\nrepeat = 6\n[a]\nworkload = randread\nbs = 64k\n[b]\nrepeat = 9\n", "t.ini",
                                sets);
    ASSERT_EQ(s.jobs.size(), 4u) << "an overriding list sweeps in every job";
    EXPECT_EQ(s.jobs[0].name, "a-bs=4k");
    EXPECT_EQ(s.jobs[0].args, (std::vector<std::string>{"run", "--repeat=2", "--workload=randread", "--bs=4k"}));
    EXPECT_EQ(s.jobs[3].name, "b-bs=8k");
    EXPECT_EQ(s.jobs[3].args, (std::vector<std::string>{"run", "--repeat=2", "--bs=8k"})) << "over the job's own repeat";
    check_suite(s);

    try {
        check_suite(parse_suite("[a]\nworkload = randread\n", "t.ini", {parse_suite_override("bs=four")}));
        ADD_FAILURE() << "a bad --set value must be refused";
    } catch (const usage_error& e) {
        EXPECT_EQ(std::string(e.what()).rfind("--set bs: ", 0), 0u) << e.what();
    }
    EXPECT_THROW(parse_suite_override("=2"), usage_error);
    EXPECT_THROW(parse_suite_override("output=x.json"), usage_error);
}

TEST(suite_file, booleans_are_bare_keys_or_true_false) {
    const suite s = parse_suite("[a]\nbuffered\nverify = true\nquiet = false\n", "t.ini");
    ASSERT_EQ(s.jobs.size(), 1u);
    EXPECT_EQ(s.jobs[0].args, (std::vector<std::string>{"run", "--buffered", "--verify"}));
}

TEST(suite_file, errors_name_file_line_and_key) {
    EXPECT_EQ(error_of("[a]\nworkload = randread\nblocksize = 4k\n").rfind("t.ini:3: blocksize: ", 0), 0u)
        << error_of("[a]\nworkload = randread\nblocksize = 4k\n");
    EXPECT_EQ(error_of("[a]\nbs = four\n").rfind("t.ini:2: bs: ", 0), 0u) << error_of("[a]\nbs = four\n");
    EXPECT_EQ(error_of("[a]\nbs=4k\n[a]\nbs=8k\n"), "t.ini:3: duplicate section [a]");
    EXPECT_EQ(error_of("[a]\nbs=4k\nbs=8k\n"), "t.ini:3: bs: given twice in [a] (first on line 2)");
    EXPECT_EQ(error_of("[a\nbs=4k\n"), "t.ini:1: malformed section header '[a'");
    EXPECT_EQ(error_of("bs=4k\n"), "t.ini:1: a key before any [section]");
    EXPECT_EQ(error_of("[a]\nbad key = 1\n"), "t.ini:2: malformed line 'bad key = 1' (want key = value)");
    EXPECT_EQ(error_of("[a]\niodepth = 1,,4\n"), "t.ini:2: iodepth: empty value in the list '1,,4'");
    EXPECT_EQ(error_of("[a]\noutput = x.json\n"), "t.ini:2: output: set by the suite (DIR/JOB.json), not in the file");
    EXPECT_EQ(error_of("[global]\nbs=4k\n"), "t.ini:2: no jobs (a [section] other than [global])");
    // A swept job's name can meet another section's: the message points at the later [section].
    EXPECT_EQ(error_of("[a]\nbs=4k,8k\n\n[a-bs=4k]\nbs=16k\n"), "t.ini:4: two jobs named a-bs=4k");
    EXPECT_EQ(error_of("[my job]\nbs=4k\n"),
              "t.ini:1: section name 'my job' must not hold spaces or slashes (it names a file)");
}

TEST(suite_file, shipped_suites_parse_and_pass_the_option_parser) {
    for (const char* name : {"default.ini", "full.ini", "ci.ini", "transfer.ini"}) {
        const suite s = read_suite(std::string(IOBENCH_SOURCE_DIR) + "/suites/" + name);
        EXPECT_FALSE(s.jobs.empty()) << name;
        check_suite(s);
    }
    EXPECT_EQ(read_suite(std::string(IOBENCH_SOURCE_DIR) + "/suites/full.ini").jobs.size(), 4u + 4 + 3 + 2 + 3 + 3);
    EXPECT_EQ(read_suite(std::string(IOBENCH_SOURCE_DIR) + "/suites/transfer.ini").jobs.size(), 5u);  // the bs sweep
}

// ./run_all.sh's files keep the names they had before it read default.ini (plus the iodepth sweep's).
TEST(suite_file, default_suite_jobs_keep_run_all_file_names) {
    std::vector<std::string> names;
    for (const suite_job& j : read_suite(std::string(IOBENCH_SOURCE_DIR) + "/suites/default.ini").jobs)
        names.push_back(j.name);
    EXPECT_EQ(names, (std::vector<std::string>{"randread-4k-qd32", "randread-4k-qd1", "randread-4k-iodepth=4",
                                                "randread-4k-iodepth=8", "randread-4k-iodepth=16", "randwrite-4k-qd32",
                                                "read-128k-qd8", "echo-64c", "http-64c"}));
}

// The gate's suite: storage and network, every backend, 6 repetitions (the
// fewest with which a one-sided U test on one metric alone can reach
// p < 0.05 / 33 after the Benjamini-Hochberg correction of its 33 comparisons).
TEST(suite_file, ci_suite_covers_storage_and_network_with_six_repetitions) {
    const suite s = read_suite(std::string(IOBENCH_SOURCE_DIR) + "/suites/ci.ini");
    bool storage = false, network = false;
    for (const suite_job& j : s.jobs) {
        std::vector<const char*> argv{"iobench"};
        for (const std::string& a : j.args) argv.push_back(a.c_str());
        const command_line cl = parse_command_line(static_cast<int>(argv.size()), argv.data());
        EXPECT_EQ(cl.run.repeat, 6u) << j.name;
        EXPECT_EQ(cl.run.backends.size(), registry().size()) << j.name << ": backend = all";
        (cl.run.network() ? network : storage) = true;
    }
    EXPECT_TRUE(storage);
    EXPECT_TRUE(network);
}

TEST(suite_file, a_missing_file_is_one_line) {
    try {
        read_suite("/nonexistent/x.ini");
        FAIL();
    } catch (const usage_error& e) {
        EXPECT_STREQ(e.what(), "/nonexistent/x.ini: cannot read the suite file");
    }
}

}  // namespace
}  // namespace iobench

// Found while fuzzing job files: sweeps multiply, and seven keys of ten values
// (10^7 jobs) hung the expansion; beyond max_suite_jobs it is a usage error.
TEST(suite_file, a_sweep_beyond_the_job_cap_is_refused_quickly) {
    std::string text = "[j]\n";
    for (char k = 'a'; k <= 'g'; ++k) text += std::string(1, k) + " = 1,2,3,4,5,6,7,8,9,10\n";
    try {
        iobench::parse_suite(text, "big.ini");
        FAIL() << "no error";
    } catch (const iobench::usage_error& e) {
        EXPECT_NE(std::string(e.what()).find("more than 10000 jobs"), std::string::npos) << e.what();
    }
}

// Found while fuzzing job files: a section of 60000 distinct keys took 20 s
// (duplicate check and key merge were quadratic); now it is linear.
TEST(suite_file, a_section_of_many_keys_reads_in_linear_time) {
    std::string text = "[j]\n";
    for (int i = 0; i < 60000; ++i) {  // appended piecewise: GCC 12's -Wrestrict misfires on "k" + to_string
        text += 'k';
        text += std::to_string(i);
        text += " = 1\n";
    }
    const auto t0 = std::chrono::steady_clock::now();
    const iobench::suite s = iobench::parse_suite(text, "many.ini");
    ASSERT_EQ(s.jobs.size(), 1u);
    EXPECT_EQ(s.jobs[0].keys.size(), 60000u);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));  // was 20 s
}
