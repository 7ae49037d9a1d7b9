// --workload transfer, in process: every method (read_send on every backend
// with sockets) moves a small file with an unaligned tail byte-exact to
// loopback receivers that check each byte; a short transfer and a corrupted
// byte fail loudly with the offset; tee reaches both receivers; send_zc and
// MSG_ZEROCOPY report copied vs zero-copied. Behaviour only, never timing.
#include "harness/cli/options.hpp"
#include "harness/net/netns.hpp"
#include "harness/run/run_plan.hpp"
#include "harness/storage/test_file.hpp"
#include "harness/transfer/transfer_receiver.hpp"
#include "harness/transfer/transfer_runner.hpp"
#include "workloads/verify_pattern.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <memory>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace iobench {
namespace {

constexpr uint64_t file_size = 300 * 1024 + 777;  // several chunks and an unaligned tail

run_options options_of(std::vector<std::string> extra) {
    std::vector<std::string> args{"iobench", "run", "--workload", "transfer", "--size", std::to_string(file_size),
                                  "--bs", "16k", "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    return parse_command_line(static_cast<int>(argv.size()), argv.data()).run;
}

// One pattern-filled file for the whole binary (test_file removes it at exit).
const test_file& shared_file() {
    static std::unique_ptr<test_file> f = [] {
        std::filesystem::create_directories(IOBENCH_TEST_TMP);
        return std::make_unique<test_file>(test_file_spec{"", IOBENCH_TEST_TMP, file_size, 0x5eed ^ default_pattern_seed, true});
    }();
    return *f;
}

run_result run_row(const std::string& row, const run_options& o, const run_plan& plan = {}) {
    return run_transfer_row(row, o, plan, shared_file());
}

std::vector<std::string> every_row() { return transfer_rows(options_of({"--method", "all", "--backend", "all"})); }

class transfer_rows_test : public ::testing::TestWithParam<std::string> {};

TEST_P(transfer_rows_test, moves_the_file_byte_exact) {
    const run_options o = options_of({"--method", "all", "--backend", "all"});
    const run_result r = run_row(GetParam(), o);
    if (r.status == run_status::unsupported) {
        ASSERT_FALSE(r.reason.empty());
        GTEST_SKIP() << r.reason;
    }
    ASSERT_EQ(r.status, run_status::ok) << r.reason;
    ASSERT_TRUE(r.transfer);
    EXPECT_EQ(r.transfer->bytes, file_size);
    EXPECT_EQ(r.bytes, file_size);
    EXPECT_GT(r.transfer->syscalls, 0u);
    EXPECT_FALSE(r.transfer->syscalls_counted.empty());
    if (r.transfer->zerocopy_reported) {
        EXPECT_EQ(r.transfer->bytes_zero_copied + r.transfer->bytes_copied, file_size);
    }
}

INSTANTIATE_TEST_SUITE_P(all, transfer_rows_test, ::testing::ValuesIn(every_row()), [](const auto& info) {
    std::string n = info.param;
    for (auto& ch : n)
        if (ch == '@') ch = '_';
    return n;
});

// O_DIRECT reads through each backend with file reads; the tail is not a multiple of 512.
TEST(transfer, read_send_direct_handles_the_unaligned_tail) {
    const run_options o = options_of({"--method", "read_send", "--direct"});
    for (const char* b : {"blocking", "libaio", "io_uring", "epoll"}) {
        const run_result r = run_row(std::string("read_send@") + b, o);
        if (r.status == run_status::unsupported) continue;
        ASSERT_EQ(r.status, run_status::ok) << b << ": " << r.reason;
        EXPECT_TRUE(r.transfer->direct);
        EXPECT_EQ(r.transfer->bytes, file_size) << b;
    }
}

// The methods that read the file themselves, from an O_DIRECT fd. ext4 returns
// the short tail to an aligned O_DIRECT read, but sendfile refuses it (EINVAL):
// that tail goes from the buffered fd, and a note says so.
TEST(transfer, direct_methods_send_the_unaligned_tail_buffered) {
    const run_options o = options_of({"--method", "all", "--direct"});
    for (const char* m : {"sendfile", "io_uring_send_zc", "msg_zerocopy"}) {
        const run_result r = run_row(m, o);
        if (r.status == run_status::unsupported) continue;
        ASSERT_EQ(r.status, run_status::ok) << m << ": " << r.reason;
        EXPECT_TRUE(r.transfer->direct) << m;
        EXPECT_EQ(r.transfer->bytes, file_size) << m;
        bool noted = false;
        for (const auto& n : r.notes) noted = noted || n.find("read buffered") != std::string::npos;
        EXPECT_TRUE(noted || std::string(m) != "sendfile") << m;
    }
    EXPECT_FALSE(run_row("splice", o).transfer->direct);  // splice reads through the page cache only
}

// --netns: the receivers in one namespace, the sender in the other, over a veth pair (root + iproute2).
TEST(transfer, netns_moves_the_file_over_a_veth_pair) {
    std::unique_ptr<netns_pair> ns;
    try {
        ns = std::make_unique<netns_pair>();
    } catch (const std::exception& e) {
        GTEST_SKIP() << "no network namespaces here: " << e.what();
    }
    const run_options o = options_of({"--method", "all"});
    for (const char* row : {"sendfile", "tee", "read_send@io_uring", "msg_zerocopy"}) {
        const run_result r = run_transfer_row(row, o, {}, shared_file(), ns.get());
        if (r.status == run_status::unsupported) continue;
        ASSERT_EQ(r.status, run_status::ok) << row << ": " << r.reason;
        EXPECT_EQ(r.transfer->bytes, file_size) << row;
    }
}

// --bs above the 1 MiB pipe: every file -> pipe splice comes back short, which
// breaks io_uring's link (the pair's second half: -ECANCELED) and is re-issued.
TEST(transfer, chunks_larger_than_the_pipe_take_short_splices_and_stay_exact) {
    constexpr uint64_t big = 3 * (1u << 20) + 777;
    // Its own directory: a temporary target is named by the pid, so it would replace the shared one.
    const std::string dir = std::string(IOBENCH_TEST_TMP) + "/big";
    std::filesystem::create_directories(dir);
    const test_file f(test_file_spec{"", dir, big, 0x5eed ^ default_pattern_seed, true});
    std::vector<std::string> args{"iobench", "run", "--workload", "transfer", "--size", std::to_string(big),
                                  "--bs", "4m", "--method", "splice,tee,io_uring_splice", "--quiet"};
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    const run_options o = parse_command_line(static_cast<int>(argv.size()), argv.data()).run;
    for (const char* m : {"splice", "tee", "io_uring_splice"}) {
        const run_result r = run_transfer_row(m, o, {}, f);
        if (r.status == run_status::unsupported) continue;
        ASSERT_EQ(r.status, run_status::ok) << m << ": " << r.reason;
        EXPECT_EQ(r.transfer->bytes, big) << m;
        EXPECT_GT(r.transfer->syscalls, 2 * (big >> 20)) << m;  // several splices per 4 MiB chunk
    }
}

TEST(transfer, tee_delivers_to_both_receivers) {
    const run_result r = run_row("tee", options_of({"--method", "tee"}));
    ASSERT_EQ(r.status, run_status::ok) << r.reason;
    EXPECT_EQ(r.transfer->receivers, 2u);
    EXPECT_EQ(r.transfer->bytes, file_size);  // the smaller of the two receivers' verified counts
}

// On loopback the receive is local, so the kernel copies: reported, not an error.
TEST(transfer, zero_copy_methods_report_copied_bytes_on_loopback) {
    for (const char* m : {"io_uring_send_zc", "msg_zerocopy"}) {
        const run_result r = run_row(m, options_of({"--method", m}));
        if (r.status == run_status::unsupported) {
            EXPECT_FALSE(r.reason.empty());
            continue;
        }
        ASSERT_EQ(r.status, run_status::ok) << m << ": " << r.reason;
        ASSERT_TRUE(r.transfer->zerocopy_reported) << m;
        EXPECT_EQ(r.transfer->bytes_zero_copied + r.transfer->bytes_copied, file_size) << m;
        EXPECT_GT(r.transfer->bytes_copied, 0u) << m;
    }
}

TEST(transfer, cold_cache_is_recorded) {
    const run_result r = run_row("sendfile", options_of({"--method", "sendfile", "--cache", "cold"}));
    ASSERT_EQ(r.status, run_status::ok) << r.reason;
    EXPECT_EQ(r.transfer->cache, "cold");
    EXPECT_GE(r.transfer->cached_fraction, 0.0);
    EXPECT_LT(r.transfer->cached_fraction, 0.5);  // just dropped; readahead may not have run
}

// A sender that stops one byte short: every receiver sees it, the run fails naming the offset.
TEST(transfer, a_short_transfer_fails_with_the_offset) {
    run_plan plan;
    plan.fault = test_fault::transfer_short;
    for (const char* row : {"sendfile", "tee", "read_send@blocking", "io_uring_splice"}) {
        const run_result r = run_row(row, options_of({"--method", "all"}), plan);
        if (r.status == run_status::unsupported) continue;
        EXPECT_EQ(r.status, run_status::error) << row;
        EXPECT_NE(r.reason.find("short transfer, missing from offset " + std::to_string(file_size - 1)), std::string::npos)
            << row << ": " << r.reason;
    }
}

// The receiver on its own: a flipped byte is found at its offset; fewer bytes are counted.
TEST(transfer_receiver, finds_a_corrupted_byte_and_counts_a_short_stream) {
    constexpr uint64_t seed = 42;
    constexpr uint32_t len = 70'001;
    std::vector<unsigned char> data((len + 7) & ~7u);
    fill_pattern(data.data(), static_cast<uint32_t>(data.size()), 0, seed);
    for (const uint64_t flip : {uint64_t{12'345}, uint64_t{len - 1}, UINT64_MAX}) {
        std::vector<unsigned char> sent(data.begin(), data.begin() + len);
        if (flip != UINT64_MAX) sent[flip] ^= 0x40;
        int sv[2];
        ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        receive_report rep;
        std::thread rx(receive_and_verify, sv[1], len, seed, std::ref(rep));
        const size_t n = flip == UINT64_MAX ? len - 10 : len;  // the clean case also stops 10 bytes short
        for (size_t off = 0; off < n;) off += static_cast<size_t>(::send(sv[0], sent.data() + off, n - off, 0));
        ::close(sv[0]);
        rx.join();
        ::close(sv[1]);
        EXPECT_EQ(rep.bytes, n);
        EXPECT_EQ(rep.bad_offset, flip);
    }
}

TEST(transfer_options, bad_input_is_a_usage_error) {
    EXPECT_THROW(options_of({"--method", "carrier_pigeon"}), std::exception);
    EXPECT_THROW(options_of({"--cache", "lukewarm"}), std::exception);
    EXPECT_THROW(options_of({"--direct", "--bs", "1000"}), std::exception);
    const run_options o = options_of({"--method", "sendfile,tee"});
    EXPECT_EQ(o.methods, (std::vector<std::string>{"sendfile", "tee"}));
    EXPECT_EQ(options_of({}).bs, 16u * 1024);
}

}  // namespace
}  // namespace iobench
