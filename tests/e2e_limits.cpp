// End-to-end fault tests that need a system limit or a kernel device: EIO
// from a device-mapper "error" target over a loop device, io_setup against a
// lowered fs.aio-max-nr, fixed buffers over a tiny RLIMIT_MEMLOCK without
// CAP_IPC_LOCK. Each changed setting is put back by a guard, also when an
// assertion fails; where the kernel refuses the injection the test skips
// with the kernel's reason, it never passes.
#include "tests/cli_runner.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

using nlohmann::json;
using namespace iobench::test;
namespace fs = std::filesystem;

namespace {

// `backend` failed with a reason that names it and every one of `causes`.
void expect_error(const json& doc, const std::string& backend, const std::vector<std::string>& causes) {
    const json* r = find_run(doc, backend);
    ASSERT_NE(r, nullptr) << backend;
    EXPECT_EQ((*r)["status"], "error") << backend;
    const std::string why = (*r)["reason"];
    EXPECT_EQ(why.rfind(backend + ": ", 0), 0u) << why;
    for (const auto& c : causes) EXPECT_NE(why.find(c), std::string::npos) << c << " not in: " << why;
}

void expect_kept(const json& doc, const std::string& backend) {
    const json* r = find_run(doc, backend);
    ASSERT_NE(r, nullptr) << backend;
    EXPECT_TRUE(measured(*r)) << backend << ": " << (*r)["status"] << " " << (*r)["reason"];
    EXPECT_GT((*r)["ops"].get<uint64_t>(), 0u) << backend;
}

// A shell command's exit code, its stderr (trimmed) in `err`.
int sh(const std::string& cmd, std::string* err = nullptr) {
    const fs::path e = work_dir() / "sh.err";
    const int st = std::system((cmd + " 2>" + e.string()).c_str());
    if (err) {
        *err = slurp(e);
        while (!err->empty() && err->back() == '\n') err->pop_back();
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// A loop device over a 16 MiB file whose first 8 MiB map through
// dm-linear and whose last 8 MiB are a dm "error" target: reads there fail
// with EIO in the block layer. Torn down in the destructor.
struct failing_device {
    std::string loop, name = "iobench-eio-" + std::to_string(::getpid()), why_not;
    fs::path image = work_dir() / "eio.img";
    failing_device() {
        if (::geteuid() != 0) {
            why_not = "needs root for losetup and dmsetup";
            return;
        }
        const int ctl = ::open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
        if (ctl < 0) {  // e.g. ENODEV: the kernel has no device-mapper driver
            why_not = "device-mapper: open /dev/mapper/control: " + std::string(std::strerror(errno)) + " (" +
                      strerrorname_np(errno) + ")";
            return;
        }
        ::close(ctl);
        { std::ofstream(image).flush(); }
        fs::resize_file(image, 16 << 20);
        const fs::path l = work_dir() / "loop.name";
        if (sh("losetup -f --show " + image.string() + " >" + l.string(), &why_not) != 0) return;
        loop = slurp(l);
        while (!loop.empty() && loop.back() == '\n') loop.pop_back();
        const std::string table = "0 16384 linear " + loop + " 0\n16384 16384 error";
        if (sh("printf '" + table + "\\n' | dmsetup create " + name, &why_not) != 0) return;
        why_not.clear();
    }
    ~failing_device() {
        sh("dmsetup remove --retry " + name);
        if (!loop.empty()) sh("losetup -d " + loop);
        fs::remove(image);
    }
    std::string path() const { return "/dev/mapper/" + name; }
};

TEST(e2e_limits, a_failing_device_is_eio_on_each_backend) {
    const failing_device dev;
    if (!dev.why_not.empty()) GTEST_SKIP() << dev.why_not;
    const fs::path out = fresh_dir("eio") / "r.json";
    const auto r = run_cli("run --backend blocking,libaio,io_uring --workload randread --size 16m --runtime 1s "
                           "--ramp 0 --interval 0 --quiet --file " + dev.path() + " -o " + out.string());
    EXPECT_EQ(r.exit_code, 1) << r.err;
    const json doc = json::parse(slurp(out));
    ASSERT_EQ(doc["results"].size(), 3u);
    for (const char* b : {"blocking", "libaio", "io_uring"}) expect_error(doc, b, {"read at offset ", "EIO"});
}

// Writes fs.aio-max-nr for one test and puts the old value back.
struct aio_max_nr_guard {
    std::string old = slurp("/proc/sys/fs/aio-max-nr"), why_not;
    explicit aio_max_nr_guard(unsigned v) {
        std::ofstream f("/proc/sys/fs/aio-max-nr");
        if (!(f << v << '\n' << std::flush)) why_not = "/proc/sys/fs/aio-max-nr: " + std::string(std::strerror(errno));
    }
    ~aio_max_nr_guard() { std::ofstream("/proc/sys/fs/aio-max-nr") << old; }
};

// io_setup(depth) asks for more events than aio-max-nr leaves (the kernel
// counts every context's events in fs.aio-nr): libaio fails with EAGAIN
// naming the limit; blocking, alongside, is kept.
TEST(e2e_limits, an_exhausted_aio_max_nr_is_eagain_naming_the_limit) {
    const aio_max_nr_guard lowered(1);
    if (!lowered.why_not.empty()) GTEST_SKIP() << lowered.why_not;
    const fs::path dir = fresh_dir("aio-max-nr");
    const auto r = run_cli("run --backend blocking,libaio --workload randread --buffered --size 4m --iodepth 4 "
                           "--runtime 300ms --ramp 0 --interval 0 --dir " + dir.string() + " -o " + (dir / "r.json").string());
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.out.find("error: libaio: io_setup(4) exceeds the system-wide AIO event limit: raise "
                         "/proc/sys/fs/aio-max-nr"), std::string::npos) << r.out;
    const json doc = json::parse(slurp(dir / "r.json"));
    ASSERT_EQ(doc["results"].size(), 2u);
    expect_error(doc, "libaio", {"/proc/sys/fs/aio-max-nr", "EAGAIN"});
    expect_kept(doc, "blocking");
}

// Root without CAP_IPC_LOCK (setpriv drops it from the inheritable and
// bounding sets) under a 16 KiB RLIMIT_MEMLOCK (prlimit): the ring fits, the
// registered buffers do not, so io_uring fails with ENOMEM naming the limit.
// With CAP_IPC_LOCK the limit is not applied (KERNEL-FACTS §12).
TEST(e2e_limits, fixed_buffers_over_a_tiny_memlock_limit_are_enomem_naming_it) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to drop CAP_IPC_LOCK with setpriv";
    std::string why;
    if (sh("setpriv --inh-caps=-ipc_lock --bounding-set=-ipc_lock true", &why) != 0) GTEST_SKIP() << "setpriv: " << why;
    const fs::path dir = fresh_dir("memlock");
    const auto r = run_cli_with_prefix("prlimit --memlock=16384:16384 setpriv --inh-caps=-ipc_lock --bounding-set=-ipc_lock -- ",
                                       "run --backend blocking,io_uring --fixed-buffers --workload randread --buffered "
                                       "--size 4m --iodepth 4 --runtime 300ms --ramp 0 --interval 0 --dir " +
                                           dir.string() + " -o " + (dir / "r.json").string());
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.out.find("error: io_uring: io_uring_register_buffers"), std::string::npos) << r.out;
    const json doc = json::parse(slurp(dir / "r.json"));
    ASSERT_EQ(doc["results"].size(), 2u);
    expect_error(doc, "io_uring", {"ENOMEM", "RLIMIT_MEMLOCK (ulimit -l = 16 KiB)", "CAP_IPC_LOCK"});
    expect_kept(doc, "blocking");
}

}  // namespace

// ctest runs one test per entry: exit 77 (SKIP_RETURN_CODE) when it skipped,
// so a refused injection shows as skipped, never as passed.
int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    const int rc = RUN_ALL_TESTS();
    const auto* u = ::testing::UnitTest::GetInstance();
    return rc == 0 && u->skipped_test_count() > 0 && u->successful_test_count() == 0 ? 77 : rc;
}
