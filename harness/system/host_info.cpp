// Host facts from uname, /proc and /sys; the target's filesystem and device
// come from /proc/self/mountinfo matched by st_dev.
#include "harness/system/host_info.hpp"

#include "backends/probe_util.hpp"
#include "harness/system/proc_text.hpp"

#include <climits>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <gnu/libc-version.h>
#include <link.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <thread>
#include <unistd.h>

namespace iobench {

namespace {

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("model name", 0) == 0) {
            const auto colon = line.find(':');
            if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
        }
    }
    return "unknown";
}

// The filesystem type of the mount holding `path` (the last matching mount wins).
std::string filesystem_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return {};
    if (S_ISBLK(st.st_mode)) return "block device";
    const std::string dev = std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev));
    std::ifstream in("/proc/self/mountinfo");
    std::string fs;
    for (std::string line; std::getline(in, line);) {
        std::istringstream f(line);
        std::string id, parent, majmin;
        f >> id >> parent >> majmin;
        if (majmin != dev) continue;
        const auto dash = line.find(" - ");
        if (dash == std::string::npos) continue;
        std::istringstream tail(line.substr(dash + 3));
        tail >> fs;
    }
    return fs;
}

// libaio has no version call: the file the dynamic linker loaded names it
// (libaio.so.1.0.2), whatever package or path it came from.
std::string loaded_libaio() {
    std::string found = "unknown";
    ::dl_iterate_phdr(
        [](dl_phdr_info* info, size_t, void* out) {
            const std::string_view name = info->dlpi_name ? info->dlpi_name : "";
            if (name.find("/libaio.so") == std::string_view::npos) return 0;
            char real[PATH_MAX];
            if (::realpath(info->dlpi_name, real)) *static_cast<std::string*>(out) = library_file_version(real, "libaio");
            return 1;
        },
        &found);
    return found;
}

// The request queue of the target's device; a partition's is its disk's.
void read_queue(host_facts& h) {
    namespace fs = std::filesystem;
    if (h.target_device.empty()) {
        h.queue_scheduler = h.queue_rotational = h.queue_io_poll = h.queue_nr_requests = "unavailable";
        return;
    }
    std::error_code ec;
    fs::path q = fs::path("/sys/class/block") / h.target_device / "queue";
    if (!fs::exists(q, ec)) q = fs::path("/sys/class/block") / h.target_device / ".." / "queue";
    h.queue_scheduler = active_scheduler(read_text((q / "scheduler").string()));
    h.queue_rotational = sysfs_value(read_text((q / "rotational").string()));
    h.queue_io_poll = sysfs_value(read_text((q / "io_poll").string()));
    h.queue_nr_requests = sysfs_value(read_text((q / "nr_requests").string()));
}

}  // namespace

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

host_facts collect_host_facts(const std::string& target_path) {
    host_facts h;
    utsname u {};
    if (::uname(&u) == 0) {
        h.kernel = u.release;
        h.hostname = u.nodename;
    }
    h.cpu_model = cpu_model();
    h.cores = std::thread::hardware_concurrency();
    h.liburing_version = IOBENCH_LIBURING_VERSION;
    h.libaio_version = loaded_libaio();
    h.glibc_version = ::gnu_get_libc_version();
    const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
    h.cpus_online = online > 0 ? static_cast<unsigned>(online) : 0;
    h.cpufreq_governor = sysfs_value(read_text("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"));
    h.cpufreq_boost = sysfs_value(read_text("/sys/devices/system/cpu/cpufreq/boost"));
    if (!target_path.empty()) {
        h.target_path = target_path;
        h.target_fs = filesystem_of(target_path);
        struct stat st {};
        if (::stat(target_path.c_str(), &st) == 0 && S_ISBLK(st.st_mode)) {
            h.target_device = target_path.substr(target_path.rfind('/') + 1);
        } else {
            h.target_device = block_device_of(target_path);
        }
        read_queue(h);
    }
    return h;
}

std::string utc_timestamp() {
    const std::time_t t = std::time(nullptr);
    std::tm tm {};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace iobench
