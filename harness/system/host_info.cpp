// Host facts from uname, /proc and /sys; the target's filesystem and device
// come from /proc/self/mountinfo matched by st_dev.
#include "harness/system/host_info.hpp"

#include "backends/probe_util.hpp"

#include <ctime>
#include <fstream>
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

}  // namespace

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
    if (!target_path.empty()) {
        h.target_path = target_path;
        h.target_fs = filesystem_of(target_path);
        struct stat st {};
        if (::stat(target_path.c_str(), &st) == 0 && S_ISBLK(st.st_mode)) {
            h.target_device = target_path.substr(target_path.rfind('/') + 1);
        } else {
            h.target_device = block_device_of(target_path);
        }
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
