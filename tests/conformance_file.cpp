// File cases of the conformance suite: O_DIRECT, 4096-aligned buffers, a
// scratch file on disk. Every case asserts something a broken backend fails.
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace iobench::test {
namespace {

using namespace std::chrono_literals;
constexpr uint32_t bs = 4096;
constexpr uint64_t fresh_seed = 1ull << 40;  // a pattern the scratch file does not hold yet

// A descriptor number that is certainly closed.
int closed_fd() {
    const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    ::close(fd);
    return fd;
}

TEST(file, write_then_read_back) {
    constexpr unsigned blocks = 8;
    const temp_file f(blocks * bs);
    const auto be = make();
    aligned_buffer wbuf(blocks * bs), rbuf(blocks * bs);
    fill_pattern(wbuf.span(), fresh_seed);
    std::vector<io_op> writes, reads;
    for (unsigned i = 0; i < blocks; ++i) {
        writes.push_back(make_op(op_kind::write, f.fd(), wbuf.data() + i * bs, bs, 100 + i, i * bs));
        reads.push_back(make_op(op_kind::read, f.fd(), rbuf.data() + i * bs, bs, 200 + i, i * bs));
    }
    expect_all(run_all(*be, writes), writes, bs);
    expect_all(run_all(*be, reads), reads, bs);
    for (unsigned i = 0; i < blocks; ++i)
        EXPECT_EQ(pattern_mismatch(rbuf.span().subspan(i * bs, bs), fresh_seed + i * bs), -1) << "block " << i;
    // And past the backend: the file itself holds what was written.
    aligned_buffer check(blocks * bs);
    ASSERT_EQ(::pread(f.fd(), check.data(), check.size(), 0), static_cast<ssize_t>(check.size()));
    EXPECT_EQ(std::memcmp(check.data(), wbuf.data(), check.size()), 0);
}

TEST(file, read_across_eof_is_short) {
    const temp_file f(bs + 512);
    const auto be = make();
    aligned_buffer buf(2 * bs);
    std::memset(buf.data(), 0xaa, buf.size());
    EXPECT_EQ(run_one(*be, make_op(op_kind::read, f.fd(), buf.data(), 2 * bs, 1, bs)), 512);
    EXPECT_EQ(pattern_mismatch(buf.span().subspan(0, 512), bs), -1);
}

TEST(file, read_at_or_after_eof_returns_zero) {
    const temp_file f(2 * bs);
    const auto be = make();
    aligned_buffer buf(2 * bs);
    const std::array ops{make_op(op_kind::read, f.fd(), buf.data(), bs, 1, 2 * bs),
                         make_op(op_kind::read, f.fd(), buf.data() + bs, bs, 2, 64 * bs)};
    expect_all(run_all(*be, ops), ops, 0);
}

TEST(file, bad_fd_is_an_ebadf_completion) {
    const temp_file f(bs);
    const auto be = make();
    const int bad = closed_fd();
    aligned_buffer buf(4 * bs);
    // Good ops around the bad ones: one op's error must not sink the batch.
    const std::array good{make_op(op_kind::read, f.fd(), buf.data(), bs, 1),
                          make_op(op_kind::read, f.fd(), buf.data() + bs, bs, 4)};
    const std::array bad_ops{make_op(op_kind::read, bad, buf.data() + 2 * bs, bs, 2),
                             make_op(op_kind::write, bad, buf.data() + 3 * bs, bs, 3)};
    const std::array all{good[0], bad_ops[0], bad_ops[1], good[1]};
    const completion_map got = run_all(*be, all);
    ASSERT_EQ(got.size(), all.size());
    auto pick = [&](std::initializer_list<uint64_t> tokens) {
        completion_map m;
        for (uint64_t t : tokens)
            if (const auto it = got.find(t); it != got.end()) m.insert(*it);
        return m;
    };
    expect_all(pick({1, 4}), good, bs);
    expect_all(pick({2, 3}), bad_ops, -EBADF);
}

TEST(file, misaligned_direct_io_is_an_einval_completion) {
    const temp_file f(2 * bs);
    const auto be = make();
    aligned_buffer buf(4 * bs);
    const std::array bad{make_op(op_kind::read, f.fd(), buf.data() + 1, bs, 1),           // buffer
                         make_op(op_kind::read, f.fd(), buf.data() + bs, bs, 2, 1),       // offset
                         make_op(op_kind::write, f.fd(), buf.data() + 2 * bs + 1, bs, 3)};  // buffer
    expect_all(run_all(*be, bad), bad, -EINVAL);
    // The backend is still usable afterwards.
    EXPECT_EQ(run_one(*be, make_op(op_kind::read, f.fd(), buf.data() + 3 * bs, bs, 4)), bs);
    EXPECT_EQ(pattern_mismatch(buf.span().subspan(3 * bs, bs), 0), -1);
}

class file_depth : public ::testing::TestWithParam<unsigned> {};

TEST_P(file_depth, reads_in_flight_complete_once_into_their_own_buffers) {
    const unsigned n = GetParam();
    constexpr unsigned max_blocks = 4, stride = max_blocks * bs;
    const temp_file f(uint64_t{n + max_blocks} * bs);
    const auto be = make(n);
    aligned_buffer buf(n * stride);
    // Several rounds: slots must be recycled, and each round reads other blocks.
    // Lengths differ per op, so a token handed to the wrong op shows in its result.
    for (unsigned round = 0; round < 3; ++round) {
        std::memset(buf.data(), 0, buf.size());
        std::vector<io_op> ops;
        for (unsigned i = 0; i < n; ++i) {
            const uint64_t block = (i * 7 + round) % n;
            const uint32_t len = bs * (1 + (i + round) % max_blocks);
            ops.push_back(make_op(op_kind::read, f.fd(), buf.data() + i * stride, len,
                                  0x5eadbeef00000000ull + round * n + i, block * bs));
        }
        expect_all(run_all(*be, ops), ops, op_len);
        for (unsigned i = 0; i < n; ++i)
            ASSERT_EQ(pattern_mismatch(buf.span().subspan(i * stride, ops[i].len), ops[i].offset), -1)
                << "round " << round << " op " << i << " (block " << ops[i].offset / bs << ")";
    }
}

INSTANTIATE_TEST_SUITE_P(file, file_depth, ::testing::Values(1u, 32u, 64u),
                         [](const auto& info) { return "depth_" + std::to_string(info.param); });

TEST(file, tokens_come_back_bit_exact) {
    // Any token below 2^63 (bit 63 is reserved: see the common cases).
    constexpr std::array<uint64_t, 8> tokens{0, 1, ~0ull >> 1, 1ull << 62, 0x4000000000000001ull,
                                             0x5eadbeef00000000ull, 0xffffffffull, 0x7fffffff00000000ull};
    // Each op reads i+1 blocks at block i: its result identifies it.
    const temp_file f(2 * tokens.size() * bs);
    const auto be = make();
    aligned_buffer buf(tokens.size() * tokens.size() * bs);
    std::vector<io_op> ops;
    for (uint32_t i = 0; i < tokens.size(); ++i)
        ops.push_back(make_op(op_kind::read, f.fd(), buf.data() + i * tokens.size() * bs, (i + 1) * bs, tokens[i], i * bs));
    expect_all(run_all(*be, ops), ops, op_len);
    for (uint32_t i = 0; i < tokens.size(); ++i)
        EXPECT_EQ(pattern_mismatch(buf.span().subspan(i * tokens.size() * bs, ops[i].len), i * bs), -1)
            << "token 0x" << std::hex << tokens[i];
}

TEST(file, fsync_completes) {
    const temp_file f(bs);
    const auto be = make();
    aligned_buffer buf(bs);
    fill_pattern(buf.span(), fresh_seed);
    ASSERT_EQ(run_one(*be, make_op(op_kind::write, f.fd(), buf.data(), bs, 1)), bs);
    // 0, or -EINVAL where the filesystem has no fsync; nothing else.
    const int64_t r = run_one(*be, make_op(op_kind::fsync, f.fd(), nullptr, 0, 2));
    EXPECT_TRUE(r == 0 || r == -EINVAL) << "fsync result " << r;
    EXPECT_EQ(run_one(*be, make_op(op_kind::fsync, closed_fd(), nullptr, 0, 3)), -EBADF);
}

TEST(file, reaping_one_at_a_time_loses_nothing) {
    constexpr unsigned n = 16;
    const temp_file f(n * bs);
    const auto be = make(n);
    aligned_buffer buf(n * bs);
    std::vector<io_op> ops;
    for (unsigned i = 0; i < n; ++i) ops.push_back(make_op(op_kind::read, f.fd(), buf.data() + i * bs, bs, 50 + i, i * bs));
    be->prepare(ops);
    ASSERT_GE(be->submit(), 0);
    std::array<unsigned, n> seen{};
    unsigned total = 0;
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (total < n && std::chrono::steady_clock::now() < until) {
        if (be->submit() < 0) FAIL() << "submit failed";  // harmless when nothing is left to submit
        io_completion one[1];
        const int r = be->reap(one, 1, 100ms);
        ASSERT_GE(r, 0);
        ASSERT_LE(r, 1) << "reap() filled more than the span it was given";
        if (r == 0) continue;
        ASSERT_GE(one[0].token, 50u);
        ASSERT_LT(one[0].token, 50u + n);
        EXPECT_EQ(one[0].result, bs);
        ++seen[one[0].token - 50];
        ++total;
    }
    for (unsigned i = 0; i < n; ++i) EXPECT_EQ(seen[i], 1u) << "token " << 50 + i;
}

}  // namespace
}  // namespace iobench::test
