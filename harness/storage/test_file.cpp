// Target file preparation: create, check space, prefill, reuse, remove.
#include "harness/storage/test_file.hpp"

#include "backends/probe_util.hpp"
#include "backends/unique_fd.hpp"
#include "harness/cli/errors.hpp"
#include "harness/system/interrupt.hpp"
#include "workloads/verify_pattern.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <linux/fs.h>
#include <memory>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <system_error>
#include <unistd.h>

namespace iobench {

namespace {
constexpr const char* pattern_xattr = "user.iobench.pattern";
constexpr size_t prefill_chunk = 1 << 20;



// The xattr holds the pattern seed, or 0 once a run wrote other data: its
// presence says iobench created the file, its value whether --verify can trust it.
struct file_mark {
    bool ours = false;
    uint64_t seed = 0;
};
file_mark read_mark(const std::string& path) {
    uint64_t stored = 0;
    if (::getxattr(path.c_str(), pattern_xattr, &stored, sizeof stored) != sizeof stored) return {};
    return {true, stored};
}
}  // namespace

test_file::test_file(const test_file_spec& spec) : size_(spec.size), seed_(spec.seed) {
    if (!spec.file.empty()) {
        path_ = spec.file;
    } else {
        struct stat st {};
        if (::stat(spec.dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
            throw usage_error("--dir " + spec.dir + ": not a directory (" + errno_text(errno ? errno : ENOTDIR) + ")");
        path_ = spec.dir + "/iobench." + std::to_string(::getpid()) + ".tmp";
        temporary_ = true;
        guard_.emplace(path_);
    }

    struct stat st {};
    const bool exists = ::stat(path_.c_str(), &st) == 0;
    if (exists && S_ISBLK(st.st_mode)) {
        block_device_ = true;
        unique_fd dev(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
        uint64_t bytes = 0;
        if (!dev || ::ioctl(dev.get(), BLKGETSIZE64, &bytes) != 0)
            throw usage_error("--file " + path_ + ": cannot open block device (" + errno_text(errno) + ")");
        if (bytes < size_)
            throw usage_error("--size: device " + path_ + " has only " + std::to_string(bytes) + " bytes");
        if (spec.need_pattern) throw usage_error("--verify: not supported on a block device target (" + path_ + ")");
        std::fprintf(stderr, "iobench: target block device %s (%llu bytes used)\n", path_.c_str(),
                     static_cast<unsigned long long>(size_));
        return;
    }
    if (exists && !S_ISREG(st.st_mode)) throw usage_error("--file " + path_ + ": not a regular file or block device");

    const bool big_enough = exists && static_cast<uint64_t>(st.st_size) >= size_;
    const file_mark mark = exists ? read_mark(path_) : file_mark{};
    if (big_enough && (!spec.need_pattern || (mark.ours && mark.seed == seed_))) {
        std::fprintf(stderr, "iobench: reusing %s (%llu bytes)\n", path_.c_str(),
                     static_cast<unsigned long long>(st.st_size));
        return;
    }
    if (exists && !mark.ours)
        throw usage_error("--file " + path_ + ": exists (" + std::to_string(st.st_size) + " bytes) but was not written by iobench" +
                          (big_enough ? " with the --verify pattern" : " and is smaller than --size") +
                          "; iobench will not overwrite it");

    const int flags = O_RDWR | O_CLOEXEC | (exists ? 0 : O_CREAT | O_EXCL);
    unique_fd f(::open(path_.c_str(), flags, 0644));
    if (!f) {
        const int e = errno;
        if (e == ENOENT) throw usage_error((temporary_ ? "--dir " : "--file ") + path_ + ": directory does not exist");
        throw usage_error((temporary_ ? "--dir " : "--file ") + path_ + ": cannot create (" + errno_text(e) + ")");
    }
    try {
        // Reserve the space first, so a full disk is an error now, not mid-run.
        // Check first: where fallocate is missing, glibc emulates it by writing.
        struct statvfs vfs {};
        const uint64_t have = exists ? static_cast<uint64_t>(st.st_size) : 0;
        if (::fstatvfs(f.get(), &vfs) == 0 && size_ > have &&
            size_ - have > static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize)
            throw usage_error("--size " + std::to_string(size_) + ": no space for " + path_ + " (" +
                              std::to_string(static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize >> 20) + " MiB free)");
        if (int e = ::posix_fallocate(f.get(), 0, static_cast<off_t>(size_)); e != 0 && e != EOPNOTSUPP) {
            if (e == ENOSPC || e == EDQUOT) throw usage_error("--size " + std::to_string(size_) + ": no space for " + path_ + " (" + errno_text(e) + ")");
            throw std::system_error(e, std::system_category(), "fallocate " + path_);
        }
        std::fprintf(stderr, "iobench: writing %s (%llu MiB) with the verify pattern\n", path_.c_str(),
                     static_cast<unsigned long long>(size_ >> 20));
        prefill(f.get());
    } catch (...) {
        if (!exists) ::unlink(path_.c_str());
        throw;
    }
    // Leave a file we created even when --file named it: it is the user's now.
}

test_file::~test_file() {
    if (temporary_) ::unlink(path_.c_str());
}

void test_file::prefill(int fd) {
    void* raw = nullptr;
    if (::posix_memalign(&raw, 4096, prefill_chunk) != 0) throw std::bad_alloc();
    std::unique_ptr<void, decltype(&std::free)> buf(raw, &std::free);
    const uint64_t no_pattern = 0;  // ours, but not trustworthy until the last byte is down
    ::fsetxattr(fd, pattern_xattr, &no_pattern, sizeof no_pattern, 0);
    for (uint64_t off = 0; off < size_; off += prefill_chunk) {
        if (interrupted()) throw std::runtime_error("interrupted while writing " + path_);
        const auto len = static_cast<uint32_t>(std::min<uint64_t>(prefill_chunk, size_ - off));
        fill_pattern(buf.get(), (len + 7) & ~7u, off, seed_);
        for (uint32_t done = 0; done < len;) {
            const ssize_t n = ::pwrite(fd, static_cast<char*>(buf.get()) + done, len - done, static_cast<off_t>(off + done));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                const int e = n < 0 ? errno : EIO;
                if (e == ENOSPC) throw usage_error("--size: no space left writing " + path_ + " (" + errno_text(e) + ")");
                throw std::system_error(e, std::system_category(), "prefill " + path_);
            }
            done += static_cast<uint32_t>(n);
        }
    }
    if (::fdatasync(fd) != 0) throw std::system_error(errno, std::system_category(), "fdatasync " + path_);
    // Reads must come from the device, not from the pages the prefill left behind.
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::fsetxattr(fd, pattern_xattr, &seed_, sizeof seed_, 0);  // best effort: no xattrs means re-prefill
}

std::string test_file::check_all() const {
    // O_DIRECT so the check reads what reached the device, not the page cache.
    unique_fd f(::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT));
    if (!f) f.reset(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
    if (!f) return "verify: cannot open " + path_ + " (" + errno_text(errno) + ")";
    void* raw = nullptr;
    if (::posix_memalign(&raw, 4096, prefill_chunk) != 0) throw std::bad_alloc();
    std::unique_ptr<void, decltype(&std::free)> buf(raw, &std::free);
    for (uint64_t off = 0; off < size_; off += prefill_chunk) {
        const auto len = static_cast<uint32_t>(std::min<uint64_t>(prefill_chunk, size_ - off));
        for (uint32_t done = 0; done < len;) {
            const ssize_t n = ::pread(f.get(), static_cast<char*>(buf.get()) + done, len - done, static_cast<off_t>(off + done));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return "verify: read back at offset " + std::to_string(off + done) + ": " + errno_text(n < 0 ? errno : EIO);
            done += static_cast<uint32_t>(n);
        }
        if (const uint64_t bad = check_pattern(buf.get(), len & ~7u, off, seed_); bad != UINT64_MAX)
            return "verify: data mismatch at offset " + std::to_string(bad) + " (read back after the run)";
    }
    return {};
}

void test_file::forget_pattern() {
    static constexpr uint64_t no_pattern = 0;
    if (!block_device_) ::setxattr(path_.c_str(), pattern_xattr, &no_pattern, sizeof no_pattern, XATTR_REPLACE);
}

}  // namespace iobench
