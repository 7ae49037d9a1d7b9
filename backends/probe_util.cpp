// Probe helpers: open a real file the way the run will, and name errnos.
#include "backends/probe_util.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace iobench {

std::string errno_text(int err) {
    const char* n = strerrorname_np(err);
    return std::string(n ? n : "E?") + ": " + std::strerror(err);
}

unique_fd open_probe_file(const probe_context& ctx, std::string& why) {
    const int direct = ctx.direct ? O_DIRECT : 0;
    if (!ctx.file_path.empty()) {
        unique_fd fd(::open(ctx.file_path.c_str(), O_RDONLY | O_CLOEXEC | direct));
        if (!fd) why = "open " + ctx.file_path + (ctx.direct ? " with O_DIRECT" : "") + ": " + errno_text(errno);
        return fd;
    }
    // A page-sized temp file, so a read of 4 KiB has data behind it.
    char tmpl[] = "/tmp/iobench-probe-XXXXXX";
    unique_fd w(::mkstemp(tmpl));
    if (!w) {
        why = std::string("mkstemp /tmp: ") + errno_text(errno);
        return {};
    }
    char page[4096] = {};
    const bool wrote = ::pwrite(w.get(), page, sizeof page, 0) == static_cast<ssize_t>(sizeof page);
    unique_fd fd(::open(tmpl, O_RDONLY | O_CLOEXEC | direct));
    const int err = errno;
    ::unlink(tmpl);
    if (!wrote) {
        why = "cannot write a probe file in /tmp";
        return {};
    }
    if (!fd) why = std::string("open /tmp probe file") + (ctx.direct ? " with O_DIRECT" : "") + ": " + errno_text(err);
    return fd;
}

std::string block_device_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return {};
    const std::string link = "/sys/dev/block/" + std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev));
    char buf[4096];
    const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
    if (n <= 0) return {};
    buf[n] = 0;
    std::string target(buf);
    // .../block/vda or .../block/vda/vda1: the last component names the device.
    return target.substr(target.rfind('/') + 1);
}

}  // namespace iobench
