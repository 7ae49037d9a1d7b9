// The conformance runner: `conformance --backend=NAME --target=file|socket`.
// Probes the backend first; when it cannot run here, prints "SKIP: <reason>"
// and exits 77 (ctest SKIP_RETURN_CODE), never a pass. Also the cases that
// hold for either target.
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/vfs.h>
#include <vector>

#include <linux/magic.h>

namespace iobench::test {
namespace {

using namespace std::chrono_literals;

TEST(common, instance_matches_registry) {
    const auto be = make();
    const backend_entry& e = current_entry();
    EXPECT_EQ(be->name(), e.name);
    EXPECT_EQ(be->caps(), e.caps) << caps_to_string(be->caps()) << " vs registry " << caps_to_string(e.caps);
    EXPECT_FALSE(be->describe().empty());
    // The probe said yes for this target, so caps must list it.
    const uint32_t need = current_target() == io_target::file ? cap_files : cap_sockets;
    EXPECT_TRUE(e.caps & need) << "caps " << caps_to_string(e.caps) << " lack the probed target";
}

TEST(common, reap_min_zero_on_idle_backend_returns_at_once) {
    const auto be = make();
    std::array<io_completion, 8> out{};
    const auto t0 = std::chrono::steady_clock::now();
    // min = 0 is satisfied at once: the long timeout must not be waited out.
    EXPECT_EQ(be->reap(out, 0, 10s), 0);
    EXPECT_EQ(be->reap(out, 0, 0ns), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

TEST(common, reap_timeout_with_nothing_in_flight_returns_zero) {
    const auto be = make();
    std::array<io_completion, 8> out{};
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(be->reap(out, 1, 200ms), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

// Ops that complete at once on the current target: 4 KiB reads of a scratch
// file, or 16-byte sends on a connected pair (no thread-per-op backend blocks).
struct quick_ops {
    quick_ops() {
        if (current_target() == io_target::file) {
            file.emplace(16 * 4096);
        } else {
            listener.emplace(nonblocking_sockets());
            pair = make_tcp_pair(*listener);
        }
    }
    io_op op(unsigned i, uint64_t token) {
        if (file) return make_op(op_kind::read, file->fd(), buf.data() + i * 4096, 4096, token, uint64_t{i} * 4096);
        return make_op(op_kind::send, pair.a.get(), buf.data(), 16, token);
    }
    std::optional<temp_file> file;
    std::optional<tcp_listener> listener;
    tcp_pair pair;
    aligned_buffer buf{16 * 4096};
};

// The front layer's depth contract: an op beyond depth is refused with a
// completion, not an abort and not a queue that grows.
TEST(common, an_op_beyond_depth_completes_with_ebusy) {
    quick_ops q;
    const auto be = make(2);
    std::vector<io_op> ops;
    for (unsigned i = 0; i < 5; ++i) ops.push_back(q.op(i, 100 + i));
    const completion_map got = run_all(*be, ops);
    ASSERT_EQ(got.size(), ops.size());
    for (unsigned i = 0; i < ops.size(); ++i) {
        ASSERT_EQ(got.at(ops[i].token).size(), 1u) << "op " << i;
        EXPECT_EQ(got.at(ops[i].token)[0].result, i < 2 ? int64_t{ops[i].len} : -EBUSY) << "op " << i;
    }
    // Refused ops took no depth, and the admitted ones gave theirs back.
    const std::array again{q.op(0, 200), q.op(1, 201)};
    expect_all(run_all(*be, again), again, op_len);
}

TEST(common, a_token_with_bit_63_is_refused_with_einval) {
    quick_ops q;
    const auto be = make();
    const uint64_t bad = token_reserved_bit | 7;
    const std::array ops{q.op(0, bad), q.op(1, 8)};
    const completion_map got = run_all(*be, ops);
    ASSERT_EQ(got.size(), 2u);
    ASSERT_EQ(got.at(bad).size(), 1u);
    EXPECT_EQ(got.at(bad)[0].result, -EINVAL);
    EXPECT_EQ(got.at(8)[0].result, int64_t{ops[1].len}) << "the valid op beside it still runs";
    EXPECT_EQ(be->cancel(bad), -ENOENT);
}

// Provided buffers are one optional extension: without it, both calls are
// the same logic error (not a throw for one and a silent no-op for the other).
TEST(common, provided_buffer_calls_without_the_extension_throw_the_same_logic_error) {
    const auto be = make();
    aligned_buffer pool(4 * 4096);
    if (has_cap(cap_provided_buffers)) {
        EXPECT_THROW(be->return_buffer(1, 0), std::logic_error) << "return_buffer before add_buffer_group";
        EXPECT_NO_THROW(be->add_buffer_group(1, pool.data(), 4096, 4));
        return;
    }
    std::string add_error, return_error;
    try {
        be->add_buffer_group(1, pool.data(), 4096, 4);
    } catch (const std::logic_error& e) {
        add_error = e.what();
    }
    try {
        be->return_buffer(1, 0);
    } catch (const std::logic_error& e) {
        return_error = e.what();
    }
    EXPECT_FALSE(add_error.empty()) << "add_buffer_group did not throw std::logic_error";
    EXPECT_EQ(add_error, return_error);
    EXPECT_NE(add_error.find(be->name()), std::string::npos) << add_error;
}

int usage(const char* why) {
    std::fprintf(stderr, "conformance: %s\nusage: conformance --backend=NAME --target=file|socket [gtest flags]\n", why);
    return 2;
}

}  // namespace
}  // namespace iobench::test

int main(int argc, char** argv) {
    using namespace iobench;
    std::string name;
    std::string_view target_name = "file";
    std::vector<char*> rest{argv[0]};
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a.starts_with("--backend=")) name = a.substr(10);
        else if (a.starts_with("--target=")) target_name = a.substr(9);
        else rest.push_back(argv[i]);
    }
    if (name.empty()) return iobench::test::usage("--backend=NAME is required");
    if (target_name != "file" && target_name != "socket") return iobench::test::usage("--target must be file or socket");
    const io_target target = target_name == "file" ? io_target::file : io_target::socket;
    const backend_entry* e = find_backend(name);
    if (!e) {
        std::string known;
        for (const auto& r : registry()) known.append(" ").append(r.name);
        std::fprintf(stderr, "conformance: unknown backend '%s' (known:%s)\n", name.c_str(), known.c_str());
        return 2;
    }

    // The file cases need a disk filesystem: tmpfs would test something else.
    struct statfs fs {};
    const std::string& dir = iobench::test::tmp_dir();
    if (::statfs(dir.c_str(), &fs) != 0 || fs.f_type == TMPFS_MAGIC) {
        std::fprintf(stderr, "conformance: scratch dir %s is missing or on tmpfs\n", dir.c_str());
        return 1;
    }
    probe_context ctx;
    ctx.target = target;
    ctx.direct = true;
    probe_result pr;
    try {
        const iobench::test::temp_file probe_file(4096);
        ctx.file_path = probe_file.path();
        pr = e->probe(ctx);
    } catch (const std::exception& ex) {  // a probe reports, it does not throw
        std::fprintf(stderr, "conformance: probing %s threw: %s\n", name.c_str(), ex.what());
        return 1;
    }
    std::printf("conformance: backend %s [%s], target %s\n", e->name.data(), caps_to_string(e->caps).c_str(),
                target_name.data());
    if (!pr.ok) {
        std::printf("SKIP: %s\n", pr.reason.c_str());
        return 77;
    }
    iobench::test::set_current(*e, target);

    int gargc = static_cast<int>(rest.size());
    rest.push_back(nullptr);  // argv[argc] is null: gtest shifts it down when it removes a flag
    rest.push_back(nullptr);
    ::testing::InitGoogleTest(&gargc, rest.data());
    // Unless asked for something else, run the target's cases and the common ones.
    if (GTEST_FLAG_GET(filter) == "*")
        GTEST_FLAG_SET(filter, target == io_target::file ? "common.*:file*" : "common.*:socket*");
    return RUN_ALL_TESTS();
}
