// Unit tests of the /proc and /sys parsers behind the host facts, and of the
// preflight's decisions, fed with text and facts (nothing read from this host).
#include "harness/system/preflight.hpp"
#include "harness/system/proc_text.hpp"

#include <gtest/gtest.h>

using namespace iobench;

TEST(host_text, sysfs_values_are_trimmed_and_missing_ones_unavailable) {
    EXPECT_EQ(sysfs_value("performance\n"), "performance");
    EXPECT_EQ(sysfs_value("  256 \n"), "256");
    EXPECT_EQ(sysfs_value(""), "unavailable");
    EXPECT_EQ(sysfs_value("\n"), "unavailable");
}

TEST(host_text, the_active_scheduler_is_the_bracketed_one) {
    EXPECT_EQ(active_scheduler("none [mq-deadline] kyber bfq \n"), "mq-deadline");
    EXPECT_EQ(active_scheduler("[none] mq-deadline\n"), "none");
    EXPECT_EQ(active_scheduler("none\n"), "none");  // a device with no choice
    EXPECT_EQ(active_scheduler(""), "unavailable");
}

TEST(host_text, proc_stat_busy_is_user_nice_system) {
    const auto j = parse_proc_stat("cpu  342615 127 78717 114020 5484 0 17278 554 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n");
    ASSERT_TRUE(j);
    EXPECT_EQ(j->busy, 342615u + 127 + 78717);
    EXPECT_EQ(j->total, 342615u + 127 + 78717 + 114020 + 5484 + 0 + 17278 + 554);
    // An old kernel's four fields still parse; garbage does not.
    const auto old = parse_proc_stat("cpu  10 20 30 40\n");
    ASSERT_TRUE(old);
    EXPECT_EQ(old->busy, 60u);
    EXPECT_FALSE(parse_proc_stat("intr 1 2 3\n"));
    EXPECT_FALSE(parse_proc_stat("cpu  1 2\n"));
    EXPECT_FALSE(parse_proc_stat(""));
}

TEST(host_text, pid_stat_cpu_survives_odd_command_names) {
    const std::string tail = " S 1 2 3 4 5 6 7 8 9 10 250 75 0 0 20 0 9 0 100 2000 300";
    EXPECT_EQ(parse_pid_stat_cpu("4242 (iobench)" + tail), 325u);
    EXPECT_EQ(parse_pid_stat_cpu("4242 (a b) c))" + tail), 325u);  // comm may hold ") "
    EXPECT_FALSE(parse_pid_stat_cpu("4242 (iobench) S 1 2"));
    EXPECT_FALSE(parse_pid_stat_cpu("no parenthesis here"));
}

TEST(host_text, a_neighbour_is_machine_busy_less_our_own) {
    const cpu_jiffies m0{1000, 5000}, m1{1100, 5200};
    // 1 s at 100 ticks/s: machine 100 busy ticks, we used 70: 0.3 of a CPU elsewhere.
    const auto n = neighbour_between(m0, m1, 500, 570, 1'000'000'000, 100);
    EXPECT_DOUBLE_EQ(n.cpu_fraction, 0.3);
    EXPECT_TRUE(n.busy);
    // We used it all (rounding may even make ours look larger): nobody else.
    const auto alone = neighbour_between(m0, m1, 500, 605, 1'000'000'000, 100);
    EXPECT_EQ(alone.cpu_fraction, 0.0);
    EXPECT_FALSE(alone.busy);
    // At the threshold exactly is not busy; a hair above is.
    EXPECT_FALSE(neighbour_between(m0, {1010, 5100}, 0, 0, 1'000'000'000, 100).busy);
    EXPECT_TRUE(neighbour_between(m0, {1011, 5100}, 0, 0, 1'000'000'000, 100).busy);
    EXPECT_FALSE(neighbour_between(m0, m1, 0, 0, 0, 100).busy);  // no interval, no claim
}

TEST(host_text, the_library_version_is_the_loaded_file_name) {
    EXPECT_EQ(library_file_version("/usr/lib/x86_64-linux-gnu/libaio.so.1.0.2", "libaio"), "libaio.so.1.0.2");
    EXPECT_EQ(library_file_version("/opt/lib/libaio.so.1.0.1", "libaio"), "libaio.so.1.0.1");
    EXPECT_EQ(library_file_version("/usr/lib/libc.so.6", "libaio"), "unknown");
}

namespace {
preflight_facts quiet_host() {
    preflight_facts f;
    f.governor = "unavailable";
    f.cpus_online = 8;
    f.storage = true;
    f.backends = {"io_uring", "io_uring_sqpoll"};
    f.target_cached = 0.0;
    f.neighbour = neighbour_load{0.02, false};
    f.sample_ms = 200;
    return f;
}
}  // namespace

TEST(preflight, a_quiet_host_has_nothing_to_say) { EXPECT_TRUE(preflight_warnings(quiet_host()).empty()); }

TEST(preflight, each_doubtful_setup_is_one_warning_naming_it) {
    preflight_facts f = quiet_host();
    f.governor = "powersave";
    auto w = preflight_warnings(f);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_NE(w[0].find("powersave"), std::string::npos);

    f = quiet_host();
    f.target_cached = 0.97;
    EXPECT_TRUE(preflight_warnings(f).empty()) << "O_DIRECT reads do not come from the page cache";
    f.buffered = true;
    w = preflight_warnings(f);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_NE(w[0].find("97% in the page cache"), std::string::npos) << w[0];
    f.target_cached = 0.5;
    EXPECT_TRUE(preflight_warnings(f).empty()) << "half or less is not 'cached'";

    f = quiet_host();
    f.neighbour = neighbour_load{0.45, true};
    w = preflight_warnings(f);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_NE(w[0].find("busy neighbour"), std::string::npos);
    EXPECT_NE(w[0].find("45%"), std::string::npos) << w[0];

    f = quiet_host();
    f.cpus_online = 2;
    w = preflight_warnings(f);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_NE(w[0].find("io_uring_sqpoll on 2 CPUs"), std::string::npos) << w[0];
    f.backends = {"io_uring", "libaio"};
    EXPECT_TRUE(preflight_warnings(f).empty()) << "no poller selected";
    f.cpus_online = 3;
    f.backends = {"io_uring_sqpoll"};
    EXPECT_TRUE(preflight_warnings(f).empty()) << "3 CPUs are enough";
}

TEST(preflight, several_warnings_come_in_a_fixed_order) {
    preflight_facts f = quiet_host();
    f.governor = "powersave";
    f.buffered = true;
    f.target_cached = 1.0;
    f.neighbour = neighbour_load{2.0, true};
    f.cpus_online = 1;
    const auto w = preflight_warnings(f);
    ASSERT_EQ(w.size(), 4u);
    EXPECT_NE(w[0].find("powersave"), std::string::npos);
    EXPECT_NE(w[1].find("page cache"), std::string::npos);
    EXPECT_NE(w[2].find("neighbour"), std::string::npos);
    EXPECT_NE(w[3].find("on 1 CPU:"), std::string::npos) << w[3];
}
