// One chunk of the file into a user buffer for the methods that read before
// they send (send_zc, MSG_ZEROCOPY): with --direct an O_DIRECT read of the
// whole aligned block (the kernel returns the short tail at the file's end);
// whatever O_DIRECT refuses or leaves short is read buffered, and counted.
#pragma once

#include "workloads/transfer_method.hpp"

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <unistd.h>

namespace iobench {

struct aligned_free {
    void operator()(char* p) const { std::free(p); }
};
using aligned_buffer = std::unique_ptr<char[], aligned_free>;

// `bytes` aligned to 4096 (what O_DIRECT and page pinning want); empty, with
// c.error set, when memory is short (the caller returns -ENOMEM).
inline aligned_buffer alloc_aligned(size_t bytes, transfer_counts& c) {
    void* raw = nullptr;
    if (::posix_memalign(&raw, 4096, bytes) != 0) {
        c.error = "posix_memalign";
        return nullptr;
    }
    return aligned_buffer(static_cast<char*>(raw));
}

// 0, or -errno with c.error set. `p` is 4096-aligned and holds io.bs bytes.
inline int read_chunk(const transfer_io& io, char* p, uint64_t off, uint32_t want, transfer_counts& c,
                      const char* what) {
    uint32_t got = 0;
    if (io.direct_fd >= 0) {
        const ssize_t n = ::pread(io.direct_fd, p, io.bs, static_cast<off_t>(off));
        ++c.syscalls;
        if (n < 0 && errno != EINVAL) {
            c.error = what;
            return -errno;
        }
        if (n > 0) got = static_cast<uint32_t>(n < static_cast<ssize_t>(want) ? n : want);
    }
    while (got < want) {
        const ssize_t n = ::pread(io.file_fd, p + got, want - got, static_cast<off_t>(off + got));
        ++c.syscalls;
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            c.error = what;
            return n < 0 ? -errno : -EIO;
        }
        if (io.direct_fd >= 0) c.direct_tail_bytes += static_cast<uint64_t>(n);
        got += static_cast<uint32_t>(n);
    }
    return 0;
}

}  // namespace iobench
