// Unit tests of the command-line parser: sizes, durations, validation messages.
#include "harness/cli/errors.hpp"
#include "harness/cli/options.hpp"

#include <gtest/gtest.h>
#include <vector>

using namespace iobench;

namespace {
command_line parse(std::vector<const char*> args) {
    args.insert(args.begin(), "iobench");
    return parse_command_line(static_cast<int>(args.size()), args.data());
}

std::string usage_message(std::vector<const char*> args) {
    try {
        parse(std::move(args));
    } catch (const usage_error& e) {
        return e.what();
    }
    return "no error";
}
}  // namespace

TEST(options, sizes_take_binary_suffixes) {
    EXPECT_EQ(parse_size("4k", "--bs"), 4096u);
    EXPECT_EQ(parse_size("4K", "--bs"), 4096u);
    EXPECT_EQ(parse_size("1G", "--size"), 1ull << 30);
    EXPECT_EQ(parse_size("1GiB", "--size"), 1ull << 30);
    EXPECT_EQ(parse_size("512", "--bs"), 512u);
    EXPECT_EQ(parse_size("2m", "--bs"), 2u << 20);
    EXPECT_THROW(parse_size("4q", "--bs"), usage_error);
    EXPECT_THROW(parse_size("lots", "--bs"), usage_error);
    EXPECT_THROW(parse_size("-4k", "--bs"), usage_error);
}

TEST(options, durations_take_units) {
    EXPECT_EQ(parse_duration_ns("10s", "--runtime"), 10'000'000'000u);
    EXPECT_EQ(parse_duration_ns("10", "--runtime"), 10'000'000'000u);
    EXPECT_EQ(parse_duration_ns("250ms", "--runtime"), 250'000'000u);
    EXPECT_EQ(parse_duration_ns("1.5s", "--runtime"), 1'500'000'000u);
    EXPECT_EQ(parse_duration_ns("2m", "--runtime"), 120'000'000'000u);
    EXPECT_THROW(parse_duration_ns("10 fortnights", "--runtime"), usage_error);
}

// Found by tests/fuzz/fuzz_units: " -5" wrapped to 2^64-5, "nan"/"inf"/1e300
// durations were cast to uint64_t (undefined), and --rate nan was taken.
TEST(options, blanks_minus_signs_and_non_finite_values_are_usage_errors) {
    EXPECT_THROW(parse_size(" -5", "--bs"), usage_error);
    EXPECT_THROW(parse_size(" 5", "--bs"), usage_error);
    for (const char* d : {"nan", "inf", "-nan", "1e300", "1e10h"}) EXPECT_THROW(parse_duration_ns(d, "--runtime"), usage_error) << d;
    for (const char* r : {"nan", "inf", "-1"}) {
        const char* argv[] = {"iobench", "run", "--workload", "echo", "--rate", r};
        EXPECT_THROW(parse_command_line(6, argv), usage_error) << r;
    }
}

TEST(options, run_defaults_match_the_documented_ones) {
    const auto cl = parse({"run"});
    ASSERT_EQ(cl.cmd, command_line::verb::run);
    EXPECT_EQ(cl.run.workload, "randread");
    EXPECT_EQ(cl.run.bs, 4096u);
    EXPECT_EQ(cl.run.iodepth, 32u);
    EXPECT_EQ(cl.run.jobs, 1u);
    EXPECT_EQ(cl.run.size, 1ull << 30);
    EXPECT_EQ(cl.run.runtime_ns, 10'000'000'000u);
    EXPECT_FALSE(cl.run.buffered);
    EXPECT_GE(cl.run.backends.size(), 7u);  // "all"
}

TEST(options, backend_lists_are_split_and_checked) {
    const auto cl = parse({"run", "--backend", "blocking,io_uring"});
    EXPECT_EQ(cl.run.backends, (std::vector<std::string>{"blocking", "io_uring"}));
    EXPECT_NE(usage_message({"run", "--backend", "blocking,nosuch"}).find("--backend: unknown backend 'nosuch'"), std::string::npos);
}

TEST(options, bad_values_name_their_flag) {
    EXPECT_NE(usage_message({"run", "--bs", "1000"}).find("--bs"), std::string::npos);
    EXPECT_EQ(parse({"run", "--bs", "1000", "--buffered"}).run.bs, 1000u);
    EXPECT_NE(usage_message({"run", "--size", "1k", "--bs", "4k"}).find("--size"), std::string::npos);
    EXPECT_NE(usage_message({"run", "--rwmixread", "101"}).find("--rwmixread"), std::string::npos);
    EXPECT_NE(usage_message({"run", "--aio-notify", "carrier-pigeon"}).find("--aio-notify"), std::string::npos);
    EXPECT_NE(usage_message({"run", "--file", "x", "--dir", "y"}).find("--file and --dir"), std::string::npos);
    EXPECT_NE(usage_message({"frobnicate"}).find("unknown command"), std::string::npos);
    EXPECT_NE(usage_message({"run", "--iodepth", "lots"}).find("iodepth"), std::string::npos);
}

TEST(options, network_sizes_take_suffixes_and_defaults_follow_the_workload) {
    EXPECT_EQ(parse({"run", "--workload", "echo", "--msg-size", "16k"}).run.msg_size, 16384u);
    EXPECT_EQ(parse({"run", "--workload", "echo"}).run.msg_size, 64u);
    EXPECT_EQ(parse({"run", "--workload", "stream"}).run.msg_size, 65536u);
    EXPECT_EQ(parse({"serve", "--backend", "epoll", "--buf-size", "4k"}).run.buf_size, 4096u);
    EXPECT_NE(usage_message({"run", "--workload", "echo", "--msg-size", "0"}).find("--msg-size"), std::string::npos);
    EXPECT_NE(usage_message({"run", "--workload", "echo", "--buf-count", "3"}).find("--buf-count"), std::string::npos);
    EXPECT_NE(usage_message({"load", "--workload", "echo"}).find("--target"), std::string::npos);
}

TEST(options, help_is_not_an_error) {
    EXPECT_EQ(parse({"run", "--help"}).cmd, command_line::verb::help);
    EXPECT_EQ(parse({"--help"}).cmd, command_line::verb::help);
    EXPECT_FALSE(parse({"run", "--help"}).help_text.empty());
}

TEST(options, measurement_flags_default_and_validate) {
    const auto d = parse({"run"});
    EXPECT_EQ(d.run.repeat, 1u);
    EXPECT_EQ(d.run.interval_ns, 1'000'000'000u);
    EXPECT_FALSE(d.run.steady.enabled);
    const auto cl = parse({"run", "--repeat", "5", "--interval", "100ms", "--steady-state", "iops:5%"});
    EXPECT_EQ(cl.run.repeat, 5u);
    EXPECT_EQ(cl.run.interval_ns, 100'000'000u);
    EXPECT_TRUE(cl.run.steady.enabled);
    EXPECT_EQ(cl.run.steady.text, "iops:5%:5");
    EXPECT_EQ(parse({"run", "--interval", "0"}).run.interval_ns, 0u);
    EXPECT_EQ(parse({"load", "--target", "127.0.0.1:1", "--interval", "250ms"}).run.interval_ns, 250'000'000u);
    EXPECT_NE(usage_message({"run", "--repeat", "0"}).find("--repeat"), std::string::npos);
    EXPECT_NE(usage_message({"run", "--interval", "5ms"}).find("--interval"), std::string::npos);
    EXPECT_NE(usage_message({"run", "--interval", "soon"}).find("--interval"), std::string::npos);
    EXPECT_NE(usage_message({"run", "--steady-state", "iops"}).find("--steady-state"), std::string::npos);
    EXPECT_NE(usage_message({"run", "--steady-state", "iops:5%", "--interval", "0"}).find("--steady-state"),
              std::string::npos);
    EXPECT_NE(usage_message({"run", "--steady-state", "iops:5%", "--ops", "100"}).find("--steady-state"),
              std::string::npos);
    EXPECT_NE(usage_message({"run", "--workload", "echo", "--steady-state", "iops:5%"}).find("storage"),
              std::string::npos);
}

TEST(options, aio_fds_and_strict_reach_the_run_and_the_backend) {
    const auto d = parse({"run"}).run;
    EXPECT_EQ(d.aio_fds, aio_fd_mode::per_slot);
    EXPECT_EQ(d.backend_opts.aio_fds, aio_fd_mode::per_slot);
    EXPECT_FALSE(d.strict);
    const auto one = parse({"run", "--aio-fds", "one", "--strict"}).run;
    EXPECT_EQ(one.aio_fds, aio_fd_mode::one);
    EXPECT_EQ(backend_options_for(one, 8).aio_fds, aio_fd_mode::one);
    EXPECT_TRUE(one.strict);
    EXPECT_TRUE(parse({"load", "--target", "127.0.0.1:1", "--strict"}).run.strict);
    EXPECT_NE(usage_message({"run", "--aio-fds", "two"}).find("--aio-fds: unknown setup 'two'"), std::string::npos);
    const std::string help = parse({"run", "--help"}).help_text;
    EXPECT_NE(help.find("--aio-fds"), std::string::npos);
    EXPECT_NE(help.find("--strict"), std::string::npos);
}

// Issue 20: out-of-range network values and flags of the other kind of
// workload exit 2 naming the flag, where some used to be accepted and ignored.
TEST(options, network_values_out_of_range_name_their_flag) {
    for (const char* verb : {"run", "load"}) {
        std::vector<const char*> base{verb, "--workload", "echo"};
        if (std::string(verb) == "load") base.insert(base.end(), {"--target", "127.0.0.1:9"});
        auto with = [&](std::vector<const char*> extra) {
            auto a = base;
            a.insert(a.end(), extra.begin(), extra.end());
            return usage_message(a);
        };
        EXPECT_EQ(with({"--connections", "0"}), "--connections: must be between 1 and 65536") << verb;
        EXPECT_EQ(with({"--rate", "-5"}), "--rate: must not be negative") << verb;
    }
}

TEST(options, storage_flags_on_a_network_workload_are_refused) {
    for (std::vector<const char*> flag : std::vector<std::vector<const char*>>{
             {"--iodepth", "4"}, {"--bs", "8k"}, {"--size", "4m"}, {"--dir", "/tmp"}, {"--buffered"}, {"--verify"},
             {"--ops", "10"}, {"--fixed-buffers"}, {"--rwmixread", "50"}}) {
        std::vector<const char*> a{"run", "--workload", "echo"};
        a.insert(a.end(), flag.begin(), flag.end());
        EXPECT_EQ(usage_message(a), std::string(flag[0]) + ": storage workloads only (--workload echo is a network workload)");
    }
}

TEST(options, network_flags_on_a_storage_workload_are_refused) {
    for (std::vector<const char*> flag : std::vector<std::vector<const char*>>{
             {"--connections", "4"}, {"--rate", "100"}, {"--msg-size", "1k"}, {"--pipeline", "2"},
             {"--client-backend", "io_uring"}, {"--zerocopy"}, {"--no-multishot"}, {"--buf-count", "64"}, {"--netns"}}) {
        std::vector<const char*> a{"run", "--workload", "randread"};
        a.insert(a.end(), flag.begin(), flag.end());
        EXPECT_EQ(usage_message(a), std::string(flag[0]) + ": network workloads only (--workload randread is a storage workload)");
    }
    // Their defaults, and the storage flags, are still fine.
    EXPECT_EQ(usage_message({"run", "--workload", "randread", "--iodepth", "4", "--bs", "8k"}), "no error");
    EXPECT_EQ(usage_message({"run", "--workload", "echo", "--connections", "4"}), "no error");
}
