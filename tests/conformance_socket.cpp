// Socket cases of the conformance suite: loopback TCP through the interface
// ops (recv/send/accept/connect), plus multishot and provided buffers where
// caps() offer them. Within a batch, the op that makes progress possible comes
// first: a thread-per-op backend runs the batch in order inside submit().
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>

namespace iobench::test {
namespace {

using namespace std::chrono_literals;

class socket_test : public ::testing::Test {
protected:
    tcp_listener listener_{nonblocking_sockets()};
    std::unique_ptr<backend> be_ = make();  // declared last: destroyed before the sockets
};

TEST_F(socket_test, connect_and_accept) {
    const unique_fd client = tcp_socket(nonblocking_sockets());
    sockaddr_in addr = listener_.addr;
    const std::array ops{make_op(op_kind::connect, client.get(), &addr, sizeof addr, 1),
                         make_op(op_kind::accept, listener_.fd.get(), nullptr, 0, 2)};
    const completion_map got = run_all(*be_, ops);
    ASSERT_EQ(got.size(), 2u);
    ASSERT_EQ(got.at(1).size(), 1u);
    ASSERT_EQ(got.at(2).size(), 1u);
    if (!has_cap(cap_accept_connect)) {  // e.g. POSIX AIO has no way to express them
        EXPECT_EQ(got.at(1)[0].result, -EOPNOTSUPP) << "connect";
        EXPECT_EQ(got.at(2)[0].result, -EOPNOTSUPP) << "accept";
        return;
    }
    EXPECT_EQ(got.at(1)[0].result, 0) << "connect";
    ASSERT_GT(got.at(2)[0].result, 0) << "accept must give a new fd";
    const unique_fd server(static_cast<int>(got.at(2)[0].result));
    // The two ends really are one connection.
    const char c = 'x';
    ASSERT_EQ(::send(client.get(), &c, 1, MSG_NOSIGNAL), 1);
    pollfd pfd{server.get(), POLLIN, 0};
    ASSERT_EQ(::poll(&pfd, 1, 5000), 1);
    char r = 0;
    EXPECT_EQ(::recv(server.get(), &r, 1, 0), 1);
    EXPECT_EQ(r, 'x');
}

TEST_F(socket_test, echo_round_trip_of_64_bytes) {
    const tcp_pair p = make_tcp_pair(listener_);
    set_nonblocking(p.b.get(), nonblocking_sockets());  // both ends go through the backend
    std::array<uint8_t, 64> ping{}, pong{}, echo{};
    fill_pattern(ping, 64);
    const std::array there{make_op(op_kind::send, p.a.get(), ping.data(), 64, 1),
                           make_op(op_kind::recv, p.b.get(), pong.data(), 64, 2)};
    expect_all(run_all(*be_, there), there, 64);
    const std::array back{make_op(op_kind::send, p.b.get(), pong.data(), 64, 3),
                          make_op(op_kind::recv, p.a.get(), echo.data(), 64, 4)};
    expect_all(run_all(*be_, back), back, 64);
    EXPECT_EQ(pattern_mismatch(echo, 64), -1);
}

TEST_F(socket_test, one_mib_send_is_requeued_until_done_and_arrives_exact) {
    constexpr size_t total = 1 << 20;
    const tcp_pair p = make_tcp_pair(listener_);
    // Small socket buffers, so a non-blocking send of 1 MiB comes back partial.
    const int small = 64 * 1024;
    ::setsockopt(p.a.get(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    ::setsockopt(p.b.get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    aligned_buffer tx(total), rx(total);
    fill_pattern(tx.span(), 0);
    size_t received = 0;
    std::jthread peer([&] {
        for (ssize_t r = 1; received < total && r > 0; received += r > 0 ? r : 0)
            r = ::recv(p.b.get(), rx.data() + received, total - received, 0);
    });
    size_t sent = 0;
    unsigned sends = 0;
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (sent < total && std::chrono::steady_clock::now() < until) {
        // A partial send is a success: the caller requeues the rest.
        const auto len = static_cast<uint32_t>(total - sent);
        const int64_t r = run_one(*be_, make_op(op_kind::send, p.a.get(), tx.data() + sent, len, 1000 + sends++));
        if (r <= 0) {
            ADD_FAILURE() << "send " << sends << " after " << sent << " bytes: result " << r;
            break;
        }
        sent += static_cast<size_t>(r);
    }
    ::shutdown(p.a.get(), SHUT_WR);  // the peer sees EOF even if sending failed
    peer.join();
    EXPECT_EQ(sent, total);
    ASSERT_EQ(received, total);
    EXPECT_EQ(std::memcmp(rx.data(), tx.data(), total), 0);
    std::printf("[info] 1 MiB went out in %u sends\n", sends);
}

TEST_F(socket_test, recv_after_peer_close_returns_zero) {
    tcp_pair p = make_tcp_pair(listener_);
    p.b.reset();
    std::array<uint8_t, 64> buf{};
    EXPECT_EQ(run_one(*be_, make_op(op_kind::recv, p.a.get(), buf.data(), 64, 1)), 0);
}

TEST_F(socket_test, peer_reset_is_an_error_completion) {
    tcp_pair p = make_tcp_pair(listener_);
    const linger abort_close{1, 0};  // close() sends RST instead of FIN
    ASSERT_EQ(::setsockopt(p.b.get(), SOL_SOCKET, SO_LINGER, &abort_close, sizeof abort_close), 0);
    p.b.reset();
    std::array<uint8_t, 64> buf{};
    EXPECT_EQ(run_one(*be_, make_op(op_kind::recv, p.a.get(), buf.data(), 64, 1)), -ECONNRESET);
    // The reset was reported; a send now fails too (and must not raise SIGPIPE).
    const int64_t r = run_one(*be_, make_op(op_kind::send, p.a.get(), buf.data(), 64, 2));
    EXPECT_TRUE(r == -EPIPE || r == -ECONNRESET) << "send after reset: " << r;
}

TEST_F(socket_test, recv_stays_pending_until_data_arrives) {
    if (has_cap(cap_one_op_per_thread)) GTEST_SKIP() << "runs each op inside submit(): a recv with no data would block";
    const tcp_pair p = make_tcp_pair(listener_);
    std::array<uint8_t, 32> buf{}, data{};
    const io_op op = make_op(op_kind::recv, p.a.get(), buf.data(), 32, 0x7eed000000000001ull);
    be_->prepare(std::span(&op, 1));
    ASSERT_GE(be_->submit(), 0);
    std::array<io_completion, 4> out{};
    // No data yet: nothing may complete (not even with -EAGAIN).
    const int early = be_->reap(out, 1, 100ms);
    ASSERT_EQ(early, 0) << "completed with no data sent, result " << out[0].result;
    fill_pattern(data, 32);
    ASSERT_EQ(::send(p.b.get(), data.data(), 32, 0), 32);
    const completion_map got = reap_finals(*be_, 1);
    expect_all(got, std::span(&op, 1), 32);
    EXPECT_EQ(buf, data);
}

// The contract: forget_fd before close. Then a new connection that gets the
// same fd number works (epoll must register the new file, not trust the old).
TEST_F(socket_test, forget_fd_then_close_then_reuse_of_the_number_works) {
    std::array<uint8_t, 16> data{};
    fill_pattern(data, 16);
    tcp_pair p = make_tcp_pair(listener_);
    const int num = p.a.get();
    for (unsigned round = 0; round < 3; ++round) {
        std::array<uint8_t, 16> buf{};
        const io_op op = make_op(op_kind::recv, num, buf.data(), 16, 10 + round);
        if (has_cap(cap_one_op_per_thread)) {  // the recv runs inside submit(): data first
            ASSERT_EQ(::send(p.b.get(), data.data(), 16, 0), 16);
            ASSERT_EQ(run_one(*be_, op), 16) << "round " << round;
        } else {  // the recv waits in the backend (epoll: on the fd's registration)
            be_->prepare(std::span(&op, 1));
            ASSERT_GE(be_->submit(), 0);
            std::array<io_completion, 4> out{};
            ASSERT_EQ(be_->reap(out, 1, 50ms), 0) << "round " << round << ": completed with no data";
            ASSERT_EQ(::send(p.b.get(), data.data(), 16, 0), 16);
            expect_all(reap_finals(*be_, 1), std::span(&op, 1), 16);
        }
        EXPECT_EQ(buf, data) << "round " << round;
        be_->forget_fd(num);
        p.a.reset();
        p = make_tcp_pair(listener_);
        if (p.a.get() != num) {  // put the new connection under the old number
            ASSERT_EQ(::dup3(p.a.get(), num, O_CLOEXEC), num);
            p.a.reset(num);
        }
    }
    be_->forget_fd(num);
}

TEST_F(socket_test, many_sockets_in_one_batch_keep_their_own_data) {
    constexpr unsigned n = 16, stride = 128;
    auto len = [](unsigned i) { return 40 + 5 * i; };  // distinct: a token given to the wrong op shows
    std::vector<tcp_pair> pairs;
    for (unsigned i = 0; i < n; ++i) pairs.push_back(make_tcp_pair(listener_));
    aligned_buffer tx(n * stride), rx(n * stride);
    fill_pattern(tx.span(), 0);
    // Data first, so every recv finds its bytes waiting.
    for (unsigned i = 0; i < n; ++i)
        ASSERT_EQ(::send(pairs[i].b.get(), tx.data() + i * stride, len(i), 0), static_cast<ssize_t>(len(i)));
    std::vector<io_op> recvs, sends;
    for (unsigned i = 0; i < n; ++i) {
        recvs.push_back(make_op(op_kind::recv, pairs[i].a.get(), rx.data() + i * stride, len(i), (1ull << 62) + i));
        sends.push_back(make_op(op_kind::send, pairs[i].a.get(), tx.data() + i * stride + 8, len(i), (1ull << 61) + i));
    }
    expect_all(run_all(*be_, recvs), recvs, op_len);
    expect_all(run_all(*be_, sends), sends, op_len);
    for (unsigned i = 0; i < n; ++i) {
        EXPECT_EQ(std::memcmp(rx.data() + i * stride, tx.data() + i * stride, len(i)), 0) << "recv on pair " << i;
        std::array<uint8_t, stride> got{};
        size_t have = 0;
        for (ssize_t r = 1; have < len(i) && r > 0; have += r > 0 ? r : 0)
            r = ::recv(pairs[i].b.get(), got.data() + have, len(i) - have, 0);
        ASSERT_EQ(have, len(i));
        EXPECT_EQ(std::memcmp(got.data(), tx.data() + i * stride + 8, len(i)), 0) << "send on pair " << i;
    }
}

TEST_F(socket_test, multishot_accept_yields_one_completion_per_connection) {
    if (!has_cap(cap_multishot)) GTEST_SKIP() << "no cap_multishot";
    constexpr unsigned n = 8;
    io_op op = make_op(op_kind::accept, listener_.fd.get(), nullptr, 0, 0x6cce000000000008ull);
    op.flags = op_multishot;
    be_->prepare(std::span(&op, 1));
    ASSERT_GE(be_->submit(), 0);
    std::vector<unique_fd> clients, accepted;
    for (unsigned i = 0; i < n; ++i) {
        clients.push_back(tcp_socket(true));
        const int r = ::connect(clients.back().get(), reinterpret_cast<const sockaddr*>(&listener_.addr),
                                sizeof listener_.addr);
        ASSERT_TRUE(r == 0 || errno == EINPROGRESS) << "connect " << i;
    }
    std::array<io_completion, 16> out{};
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (accepted.size() < n && std::chrono::steady_clock::now() < until) {
        const int got = be_->reap(out, 1, 100ms);
        ASSERT_GE(got, 0);
        for (int i = 0; i < got; ++i) {
            ASSERT_EQ(out[i].token, op.token);
            ASSERT_GT(out[i].result, 0) << "accept " << accepted.size();
            accepted.emplace_back(static_cast<int>(out[i].result));
            ASSERT_TRUE(out[i].flags & cqe_more) << "the multishot accept ended after " << accepted.size();
        }
    }
    ASSERT_EQ(accepted.size(), n);
    // Stopping it: the final completion (without cqe_more) must still come.
    ASSERT_GE(be_->cancel(op.token), 0);
    const completion_map fin = reap_finals(*be_, 1);
    ASSERT_EQ(fin.size(), 1u);
    ASSERT_EQ(fin.begin()->first, op.token);
    EXPECT_EQ(fin.begin()->second.back().result, -ECANCELED);
}

TEST_F(socket_test, multishot_recv_with_provided_buffers_delivers_one_mib_in_order) {
    if (!has_cap(cap_multishot) || !has_cap(cap_provided_buffers)) GTEST_SKIP() << "no multishot provided-buffer recv";
    constexpr size_t total = 1 << 20, buf_size = 4096, count = 4;
    constexpr uint16_t group = 3;
    const tcp_pair p = make_tcp_pair(listener_);
    aligned_buffer pool(buf_size * count), tx(total), rx(total);
    fill_pattern(tx.span(), 0);
    be_->add_buffer_group(group, pool.data(), buf_size, count);
    io_op op = make_op(op_kind::recv, p.a.get(), nullptr, 0, 0x5ec0000000000001ull);
    op.flags = op_multishot | op_buffer_select;
    op.buf_group = group;
    be_->prepare(std::span(&op, 1));
    ASSERT_GE(be_->submit(), 0);
    std::jthread peer([&] {  // 4 buffers for 1 MiB: the ring runs dry again and again
        ::send(p.b.get(), tx.data(), total, 0);
        ::shutdown(p.b.get(), SHUT_WR);
    });
    size_t pos = 0;
    unsigned completions = 0, test_rearms = 0;
    bool eof = false;
    std::array<io_completion, 16> out{};
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (!eof && std::chrono::steady_clock::now() < until) {
        const int n = be_->reap(out, 1, 100ms);
        ASSERT_GE(n, 0);
        for (int i = 0; i < n; ++i, ++completions) {
            const io_completion& c = out[i];
            ASSERT_EQ(c.token, op.token);
            if (c.result > 0) {
                ASSERT_TRUE(c.flags & cqe_buffer) << "data without a provided buffer";
                ASSERT_LT(c.buf_id, count);
                ASSERT_EQ(c.buf, pool.data() + c.buf_id * buf_size) << "buf does not match buf_id";
                ASSERT_LE(pos + static_cast<size_t>(c.result), total);
                std::memcpy(rx.data() + pos, c.buf, static_cast<size_t>(c.result));
                pos += static_cast<size_t>(c.result);
                be_->return_buffer(group, c.buf_id);
            }
            if (c.flags & cqe_more) continue;
            // Final completion: EOF, or (allowed by the contract) an end with data; never -ENOBUFS.
            ASSERT_GE(c.result, 0) << "the multishot recv ended after " << pos << " bytes";
            eof = c.result == 0;
            if (!eof) {
                ++test_rearms;
                be_->prepare(std::span(&op, 1));
                ASSERT_GE(be_->submit(), 0);
            }
        }
    }
    ASSERT_TRUE(eof) << "no EOF after " << pos << " bytes";
    ASSERT_EQ(pos, total);
    EXPECT_EQ(std::memcmp(rx.data(), tx.data(), total), 0);
    std::printf("[info] %u completions, %llu ENOBUFS re-arms in the backend, %u re-arms by the test\n", completions,
                static_cast<unsigned long long>(be_->counters().enobufs_rearms), test_rearms);
}

}  // namespace
}  // namespace iobench::test
