// Unit tests of the thread-CPU sampler on the running test process: the /proc
// parsers, the classifier, a named thread's CPU landing in its class (alive
// at the window's end, or exited inside it), io_uring's SQPOLL thread and
// glibc's AIO helpers found and classified, and the split adding up exactly.
#include "harness/system/thread_cpu.hpp"

#include <aio.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <liburing.h>
#include <thread>
#include <time.h>
#include <unistd.h>

using namespace iobench;

namespace {

double seconds(const cpu_usage& c) { return c.user_s + c.sys_s; }
const class_cpu& of(const cpu_split& s, thread_class c) { return s.by_class[static_cast<size_t>(c)]; }

// Burns `ms` of this thread's own CPU (its CPU clock, not the wall clock).
void spin_cpu_ms(unsigned ms) {
    auto cpu_ns = [] {
        timespec ts{};
        ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
    };
    const uint64_t until = cpu_ns() + ms * 1'000'000ull;
    volatile uint64_t x = 0;
    while (cpu_ns() < until) x = x + 1;
}

void expect_adds_up(const cpu_split& s) {
    double user = 0, sys = 0;
    for (const auto& k : s.by_class) {
        user += k.cpu.user_s;
        sys += k.cpu.sys_s;
    }
    EXPECT_NEAR(user, s.total.user_s, 1e-9);
    EXPECT_NEAR(sys, s.total.sys_s, 1e-9);
}

const task_entry* find_class(const cpu_sample& s, thread_class c) {
    for (const auto& e : s.tasks)
        if (!e.exited && e.cls == c) return &e;
    return nullptr;
}

TEST(thread_cpu, parses_stat_with_spaces_and_parentheses_in_comm) {
    // Fields 14, 15 (utime, stime) and 22 (starttime); comm is "a) (b c".
    const std::string stat = "4242 (a) (b c) S 4 5 6 7 8 9 10 11 12 13 111 222 16 17 18 19 20 21 333 23 24\n";
    task_times t;
    ASSERT_TRUE(parse_task_stat(stat, t));
    EXPECT_STREQ(t.comm, "a) (b c");
    EXPECT_EQ(t.user_ticks, 111u);
    EXPECT_EQ(t.sys_ticks, 222u);
    EXPECT_EQ(t.start_ticks, 333u);
    EXPECT_FALSE(parse_task_stat("4242 (x) S 1 2", t));

    const std::string status = "Name:\tx\nvoluntary_ctxt_switches:\t17\nnonvoluntary_ctxt_switches:\t5\n";
    parse_task_status(status, t);
    EXPECT_EQ(t.vcsw, 17u);
    EXPECT_EQ(t.ivcsw, 5u);
}

TEST(thread_cpu, classifies_threads_without_a_role_by_name) {
    EXPECT_EQ(class_of_comm("iou-sqp-1234", "iobench"), thread_class::iou_sqp);
    EXPECT_EQ(class_of_comm("iou-wrk-1234", "iobench"), thread_class::iou_wrk);
    // glibc's helpers inherit their creator's name: the process's or an iobench thread's.
    EXPECT_EQ(class_of_comm("iobench", "iobench"), thread_class::aio_helpers);
    EXPECT_EQ(class_of_comm("ib-storage", "iobench"), thread_class::aio_helpers);
    EXPECT_EQ(class_of_comm("kworker", "iobench"), thread_class::other);
    EXPECT_EQ(to_string(thread_class::aio_helpers), "aio-helpers");
}

TEST(thread_cpu, a_sample_sees_every_thread_and_the_main_one_is_harness) {
    const cpu_sample s = sample_cpu();
    ASSERT_TRUE(s.valid);
    const task_entry* main = nullptr;
    for (const auto& e : s.tasks)
        if (e.t.tid == ::getpid() && !e.exited) main = &e;
    ASSERT_NE(main, nullptr);
    EXPECT_EQ(main->cls, thread_class::harness);
    EXPECT_GT(main->t.runtime_ns, 0u);
    EXPECT_GT(s.process.user_s + s.process.sys_s, 0.0);
}

TEST(thread_cpu, a_named_thread_gets_its_cpu_in_its_class) {
    std::atomic<bool> spun{false}, done{false};
    const cpu_sample a = sample_cpu();
    std::thread t([&] {
        const thread_role role(thread_class::load, "ib-test-spin");
        spin_cpu_ms(50);
        spun = true;
        while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
    while (!spun) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const cpu_sample b = sample_cpu();
    done = true;
    t.join();
    const cpu_split s = split_window(a, b, {});
    EXPECT_GE(seconds(of(s, thread_class::load).cpu), 0.045);
    EXPECT_EQ(of(s, thread_class::load).threads, 1u);
    EXPECT_GE(seconds(s.client), 0.045);  // a load thread is the client's
    expect_adds_up(s);
    char comm[16] = {};
    for (const auto& e : b.tasks)
        if (e.cls == thread_class::load && !e.exited) std::memcpy(comm, e.t.comm, sizeof comm);
    EXPECT_STREQ(comm, "ib-test-spin");
}

TEST(thread_cpu, a_thread_that_exits_inside_the_window_is_still_counted) {
    const cpu_sample a = sample_cpu();
    std::thread([] {
        const thread_role role(thread_class::load, "ib-test-exit");
        spin_cpu_ms(50);
    }).join();
    const cpu_sample b = sample_cpu();
    const cpu_split s = split_window(a, b, {});
    EXPECT_GE(seconds(of(s, thread_class::load).cpu), 0.045);
    // Its final record, not the residue, holds it.
    EXPECT_LT(std::abs(seconds(s.residue)), 0.02);
    expect_adds_up(s);
}

TEST(thread_cpu, an_sqpoll_thread_is_classified_and_belongs_to_its_rings_creator) {
    std::atomic<int> phase{0};
    int setup_error = 0;
    cpu_sample a, b;
    std::thread t([&] {
        const thread_role role(thread_class::load, "ib-test-ring");
        io_uring ring{};
        io_uring_params p{};
        p.flags = IORING_SETUP_SQPOLL;
        p.sq_thread_idle = 200;  // ms: the poller spins between the samples
        setup_error = io_uring_queue_init_params(8, &ring, &p);
        if (setup_error == 0) {
            io_uring_prep_nop(io_uring_get_sqe(&ring));
            io_uring_submit(&ring);
            io_uring_cqe* cqe = nullptr;
            io_uring_wait_cqe(&ring, &cqe);
            io_uring_cqe_seen(&ring, cqe);
        }
        phase = 1;
        while (phase != 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        if (setup_error == 0) io_uring_queue_exit(&ring);
    });
    while (phase != 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (setup_error != 0) {
        phase = 2;
        t.join();
        GTEST_SKIP() << "SQPOLL ring: " << std::strerror(-setup_error);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // the poller renames itself within ~1 ms
    a = sample_cpu();
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    b = sample_cpu();
    phase = 2;
    t.join();
    const task_entry* sqp = find_class(b, thread_class::iou_sqp);
    ASSERT_NE(sqp, nullptr) << "no iou-sqp-<tid> thread in /proc/self/task";
    EXPECT_EQ(std::string(sqp->t.comm).rfind("iou-sqp-", 0), 0u);
    EXPECT_TRUE(sqp->client) << "the ring was made by a load thread";
    const cpu_split s = split_window(a, b, {});
    EXPECT_GT(seconds(of(s, thread_class::iou_sqp).cpu), 0.0) << "SQPOLL must not look free";
    EXPECT_GE(of(s, thread_class::iou_sqp).cpu.sys_s, of(s, thread_class::iou_sqp).cpu.user_s);
    expect_adds_up(s);
}

TEST(thread_cpu, glibc_aio_helpers_carry_their_creators_name_and_are_classified) {
    const int fd = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    cpu_sample during;
    std::thread([&] {
        const thread_role role(thread_class::harness, "ib-test-aio");
        char buf[4096];
        aiocb cb{};
        cb.aio_fildes = fd;
        cb.aio_buf = buf;
        cb.aio_nbytes = sizeof buf;
        ASSERT_EQ(::aio_read(&cb), 0) << std::strerror(errno);
        const aiocb* list[] = {&cb};
        while (::aio_error(&cb) == EINPROGRESS) ::aio_suspend(list, 1, nullptr);
        EXPECT_EQ(::aio_return(&cb), static_cast<ssize_t>(sizeof buf));
        during = sample_cpu();  // glibc keeps an idle helper for aio_idle_time (1 s by default)
    }).join();
    ::close(fd);
    const task_entry* helper = find_class(during, thread_class::aio_helpers);
    ASSERT_NE(helper, nullptr) << "no glibc AIO helper thread seen";
    EXPECT_STREQ(helper->t.comm, "ib-test-aio") << "helpers inherit their creator's name";
}

TEST(thread_cpu, network_rules_put_helpers_where_posix_aio_runs) {
    EXPECT_TRUE(network_split_rules("io_uring", "posix_aio").helpers_client);
    EXPECT_FALSE(network_split_rules("posix_aio", "epoll").helpers_client);
    EXPECT_FALSE(network_split_rules("posix_aio", "posix_aio").helpers_client);  // cannot be told apart
    EXPECT_TRUE(network_split_rules("", "epoll").helpers_client);                // load: all of it is the client
    EXPECT_EQ(network_split_rules("epoll", "posix_aio").residue_to, thread_class::aio_helpers);
    EXPECT_EQ(storage_split_rules("io_uring").residue_to, thread_class::other);
    EXPECT_EQ(storage_split_rules("posix_aio").residue_to, thread_class::aio_helpers);
}

}  // namespace
