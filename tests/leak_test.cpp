// 1000 tiny storage runs back to back in one process, cycling through every
// backend that runs here: afterwards the process holds as many fds and
// threads as before, fs.aio-nr (the system's libaio events) is back where
// it was, and the temp dir is empty. A leak of an fd, a ring, an aio
// context, a thread or a temporary target shows up as a count that grew.
#include "harness/cli/options.hpp"
#include "harness/run/run_plan.hpp"
#include "harness/storage/storage_runner.hpp"
#include "harness/storage/test_file.hpp"
#include "workloads/verify_pattern.hpp"

#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace iobench;

namespace {

struct counts {
    size_t fds = 0, tasks = 0, temp_files = 0;
    unsigned long aio_nr = 0;
    bool operator==(const counts&) const = default;
};

size_t entries(const fs::path& d) {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(d)) ++n;
    return n;
}

counts now(const fs::path& dir) {
    counts c;
    c.fds = entries("/proc/self/fd");
    c.tasks = entries("/proc/self/task");
    c.temp_files = entries(dir);
    std::ifstream("/proc/sys/fs/aio-nr") >> c.aio_nr;
    return c;
}

std::ostream& operator<<(std::ostream& o, const counts& c) {
    return o << "fds " << c.fds << ", tasks " << c.tasks << ", aio-nr " << c.aio_nr << ", temp files " << c.temp_files;
}

// Threads that end on their own after the last run (glibc's AIO helpers
// after aio_idle_time, the SQPOLL thread after sq_thread_idle) get a while.
counts settled(const fs::path& dir, const counts& want) {
    counts c = now(dir);
    for (int i = 0; i < 100 && !(c == want); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        c = now(dir);
    }
    return c;
}

TEST(leak, a_thousand_tiny_runs_leave_no_fd_thread_aio_context_or_temp_file) {
    const fs::path dir = fs::path(IOBENCH_TEST_TMP) / ("leak-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const char* argv[] = {"iobench", "run", "--backend", "all", "--workload", "randread", "--buffered", "--size", "64k",
                          "--iodepth", "4", "--ops", "16", "--ramp", "0", "--interval", "0", "--dir", dir.c_str()};
    const run_options o = parse_command_line(static_cast<int>(std::size(argv)), argv).run;
    const run_plan plan = plan_of(o);
    const auto one = [&](const std::string& backend) {
        test_file target({"", o.dir, o.size, o.seed ^ default_pattern_seed, false});
        return run_storage_backend(backend, o, plan, target);
    };
    // One round first: what runs here, and the one-time setup (glibc's AIO
    // pool, the registry's probes) out of the way before the baseline.
    std::vector<std::string> runnable;
    for (const auto& b : o.backends)
        if (one(b).status != run_status::unsupported) runnable.push_back(b);
    ASSERT_FALSE(runnable.empty());
    for (const auto& b : runnable) std::printf("leak: cycling through %s\n", b.c_str());
    // At rest the process is its main thread alone: glibc's AIO helpers of
    // that round idle out (aio_idle_time) before the baseline is taken.
    counts rest = now(dir);
    rest.tasks = 1;
    const counts before = settled(dir, rest);
    const auto t0 = std::chrono::steady_clock::now();
    // test_file says what it writes, 1000 times: stderr to /dev/null meanwhile.
    const int saved_err = ::dup(2), null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    ::dup2(null_fd, 2);
    ::close(null_fd);
    unsigned failed = 0;
    for (unsigned i = 0; i < 1000; ++i) {
        const run_result r = one(runnable[i % runnable.size()]);
        failed += r.status == run_status::error;
    }
    ::dup2(saved_err, 2);
    ::close(saved_err);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const counts after = settled(dir, before);
    std::printf("leak: 1000 runs over %zu backends in %.1f s; before: fds %zu, tasks %zu, aio-nr %lu, temp files %zu; "
                "after: fds %zu, tasks %zu, aio-nr %lu, temp files %zu\n", runnable.size(), secs, before.fds,
                before.tasks, before.aio_nr, before.temp_files, after.fds, after.tasks, after.aio_nr, after.temp_files);
    EXPECT_EQ(failed, 0u);
    EXPECT_EQ(after, before) << "before: " << before << "; after: " << after;
    fs::remove_all(dir);
}

}  // namespace
