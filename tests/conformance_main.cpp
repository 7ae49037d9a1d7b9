// The conformance runner: `conformance --backend=NAME --target=file|socket`.
// Probes the backend first; when it cannot run here, prints "SKIP: <reason>"
// and exits 77 (ctest SKIP_RETURN_CODE), never a pass. Also the cases that
// hold for either target.
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <exception>
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
    rest.push_back(nullptr);
    ::testing::InitGoogleTest(&gargc, rest.data());
    // Unless asked for something else, run the target's cases and the common ones.
    if (GTEST_FLAG_GET(filter) == "*")
        GTEST_FLAG_SET(filter, target == io_target::file ? "common.*:file*" : "common.*:socket*");
    return RUN_ALL_TESTS();
}
