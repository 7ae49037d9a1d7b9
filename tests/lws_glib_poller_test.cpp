// The GLib pollers of `--server lws` against poll(2)'s contract, which GLib
// relies on: level-triggered answers (an fd left readable is reported again,
// though no new data woke it), events changed between calls, fds dropped and
// added, a wait woken by data. Every poller the factory builds here: these
// are the cases where a completion-driven poll could differ from poll(2).
#include "backends/registry.hpp"
#include "harness/net/lws_glib_poll.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using namespace std::chrono;

struct sock_pair {
    int a = -1, b = -1;
    sock_pair() {
        int sv[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
        a = sv[0];
        b = sv[1];
    }
    ~sock_pair() {
        if (a >= 0) ::close(a);
        if (b >= 0) ::close(b);
    }
    void send(size_t n) const { ASSERT_EQ(::write(b, std::string(n, 'x').data(), n), static_cast<ssize_t>(n)); }
    void drain(size_t n) const {
        std::vector<char> buf(n);
        ASSERT_EQ(::read(a, buf.data(), n), static_cast<ssize_t>(n));
    }
};

class glib_poller_test : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (!iobench::find_backend(GetParam())->probe({iobench::io_target::socket, {}, false}).ok) GTEST_SKIP() << "probe";
        p_ = iobench::make_glib_poller(GetParam(), 512, {});
    }
    // -1 with EINTR is poll(2)'s answer too (GLib calls again): so does this.
    int poll_set(GPollFD* f, size_t n, int timeout_ms) {
        int r;
        while ((r = p_->poll(f, static_cast<unsigned>(n), timeout_ms)) < 0 && errno == EINTR) {}
        EXPECT_GE(r, 0) << std::strerror(errno);
        return r;
    }
    int poll1(int fd, gushort events, int timeout_ms, gushort* rev = nullptr) {
        GPollFD f{fd, events, 0};
        const int r = poll_set(&f, 1, timeout_ms);
        if (rev) *rev = f.revents;
        return r;
    }
    std::unique_ptr<iobench::glib_poller> p_;
};

TEST_P(glib_poller_test, an_fd_left_readable_is_reported_again_level_triggered) {
    sock_pair s;
    EXPECT_EQ(poll1(s.a, G_IO_IN, 30), 0);
    s.send(10);
    gushort rev = 0;
    EXPECT_EQ(poll1(s.a, G_IO_IN, 1000, &rev), 1);
    EXPECT_EQ(rev, G_IO_IN);
    s.drain(4);  // 6 bytes left: no new wakeup, still readable
    for (int k = 0; k < 3; ++k) {
        const auto t0 = steady_clock::now();
        EXPECT_EQ(poll1(s.a, G_IO_IN, 2000), 1) << k;
        EXPECT_LT(steady_clock::now() - t0, milliseconds(500)) << k;
    }
    s.drain(6);
    EXPECT_EQ(poll1(s.a, G_IO_IN, 30), 0);
    EXPECT_EQ(poll1(s.a, G_IO_IN, 0), 0);
}

TEST_P(glib_poller_test, changed_events_take_effect_at_once) {
    sock_pair s;
    gushort rev = 0;
    EXPECT_EQ(poll1(s.a, G_IO_IN, 20), 0);
    EXPECT_EQ(poll1(s.a, G_IO_OUT, 1000, &rev), 1);
    EXPECT_EQ(rev, G_IO_OUT);
    EXPECT_EQ(poll1(s.a, G_IO_IN, 20), 0);  // back to IN only: writable no longer counts
    s.send(1);
    EXPECT_EQ(poll1(s.a, G_IO_IN | G_IO_OUT, 1000, &rev), 1);
    EXPECT_EQ(rev, G_IO_IN | G_IO_OUT);
}

TEST_P(glib_poller_test, a_wait_is_woken_by_data) {
    sock_pair s;
    EXPECT_EQ(poll1(s.a, G_IO_IN, 10), 0);
    std::thread writer([&] {
        std::this_thread::sleep_for(milliseconds(80));
        s.send(3);
    });
    const auto t0 = steady_clock::now();
    EXPECT_EQ(poll1(s.a, G_IO_IN, 5000), 1);
    EXPECT_LT(steady_clock::now() - t0, milliseconds(2000));
    writer.join();
}

TEST_P(glib_poller_test, many_fds_only_the_ready_ones_each_time) {
    std::vector<sock_pair> pairs(200);
    std::vector<GPollFD> set;
    for (const sock_pair& s : pairs) set.push_back({s.a, G_IO_IN, 0});
    EXPECT_EQ(poll_set(set.data(), set.size(), 20), 0);
    for (size_t i = 0; i < pairs.size(); i += 3) pairs[i].send(8);
    // A completion-based poller may report the 67 over a few calls (the
    // kernel posts their CQEs as it handles each wakeup), never a wrong one.
    const auto until = [&](int expected) {
        int got = 0;
        for (int tries = 0; tries < 200 && got < expected; ++tries) {
            if (tries) std::this_thread::sleep_for(milliseconds(2));
            got = poll_set(set.data(), set.size(), 200);
        }
        return got;
    };
    const int expected = static_cast<int>((pairs.size() + 2) / 3);
    for (int round = 0; round < 3; ++round) {  // not drained: the same set each time
        ASSERT_EQ(until(expected), expected) << round;
        for (size_t i = 0; i < set.size(); ++i) EXPECT_EQ(set[i].revents, i % 3 == 0 ? G_IO_IN : 0) << i;
    }
    for (size_t i = 0; i < pairs.size(); i += 6) pairs[i].drain(8);
    EXPECT_EQ(poll_set(set.data(), set.size(), 200), expected / 2);
    set.resize(100);  // half of them gone from the set
    EXPECT_EQ(poll_set(set.data(), set.size(), 200), 17);
}

INSTANTIATE_TEST_SUITE_P(pollers, glib_poller_test,
                         ::testing::Values("blocking", "epoll", "libaio", "io_uring", "io_uring_sqpoll"),
                         [](const auto& info) { return info.param; });

}  // namespace
