// Which backends must run on a Linux CI machine like the project's (kernel
// 6.x, ext4, root): a probe that regresses to "unsupported" would otherwise
// turn every test of that backend into a skip and the suite would stay green.
// On a machine that really lacks one (no SQPOLL permission, say), exclude the
// label: ctest -LE pinned.
#include "backends/registry.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <string>
#include <unistd.h>

namespace iobench {
namespace {

struct pinned {
    std::string_view backend;
    io_target target;
};

constexpr pinned must_run[] = {
    {"blocking", io_target::file},  {"blocking", io_target::socket},  {"epoll", io_target::socket},
    {"posix_aio", io_target::file}, {"posix_aio", io_target::socket}, {"libaio", io_target::file},
    {"libaio", io_target::socket},  {"io_uring", io_target::file},    {"io_uring", io_target::socket},
    {"io_uring_sqpoll", io_target::file}, {"io_uring_sqpoll", io_target::socket},
};

// An O_DIRECT-capable file on disk (the build tree, not /tmp, which may be tmpfs).
std::string probe_file() {
    const std::string path = std::string(IOBENCH_TEST_TMPDIR) + "/pinned-probe.data";
    ::mkdir(IOBENCH_TEST_TMPDIR, 0755);
    const int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    EXPECT_GE(fd, 0) << path;
    if (fd >= 0) {
        EXPECT_EQ(::ftruncate(fd, 0), 0);
        static char block[1 << 16];
        for (int i = 0; i < 16; ++i) EXPECT_EQ(::write(fd, block, sizeof block), static_cast<ssize_t>(sizeof block));
        ::close(fd);
    }
    return path;
}

TEST(pinned_backends, probe_ok_on_linux_ci) {
    const std::string file = probe_file();
    for (const pinned& p : must_run) {
        const backend_entry* e = find_backend(p.backend);
        ASSERT_NE(e, nullptr) << p.backend;
        probe_context ctx;
        ctx.target = p.target;
        ctx.file_path = file;
        const probe_result r = e->probe(ctx);
        EXPECT_TRUE(r.ok) << p.backend << (p.target == io_target::file ? " (file)" : " (socket)") << ": " << r.reason;
    }
    ::unlink(file.c_str());
}

}  // namespace
}  // namespace iobench
