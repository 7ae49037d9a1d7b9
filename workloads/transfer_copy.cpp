// The copying transfer methods: read_send (read into a user buffer, then send,
// both through the backend under test) and mmap_send (send from a mapping).
#include "workloads/transfer_method.hpp"
#include "workloads/transfer_read.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

namespace iobench {

namespace {

// One op through the backend, waited for (bounded: a socket that stops
// draining fails with -ETIMEDOUT instead of hanging the run).
int64_t one_op(backend& be, const io_op& op) {
    be.prepare({&op, 1});
    if (const int s = be.submit(); s < 0) return s;
    io_completion c;
    const int n = be.reap({&c, 1}, 1, std::chrono::seconds(10));
    if (n < 0) return n;
    if (n == 0) return -ETIMEDOUT;
    return c.result;
}

// What the backend's own counters say the sender's calls were.
void count_backend_calls(const backend& be, const backend_counters& before, transfer_counts& c) {
    const backend_counters d = be.counters() - before;
    if (be.caps() & cap_one_op_per_thread) {
        c.syscalls += d.submit_calls;  // each submit ran the one syscall inline
        c.syscalls_counted = "syscalls (the backend runs one per submit)";
    } else if (d.enter_calls > 0) {
        c.syscalls += d.enter_calls;
        c.syscalls_counted = "io_uring_enter calls (+ preads where the backend has no file reads)";
    } else {
        c.syscalls += d.submit_calls + d.reap_calls;
        c.syscalls_counted = "backend submit + reap calls (each about one syscall: the op or the wait)";
    }
}

}  // namespace

int transfer_read_send(const transfer_io& io, transfer_counts& c) {
    backend& be = *io.be;
    const aligned_buffer buf = alloc_aligned(io.bs, c);
    if (!buf) return -ENOMEM;
    char* p = buf.get();
    const bool backend_reads = be.caps() & cap_files;
    const backend_counters before = be.counters();
    uint64_t direct_preads = 0;
    int rc = 0;
    for (uint64_t off = 0; off < io.size && rc == 0;) {
        const auto want = static_cast<uint32_t>(std::min<uint64_t>(io.bs, io.size - off));
        uint32_t got = 0;
        // O_DIRECT asks for the whole aligned block: at the file's end the
        // kernel returns the short tail (ext4), so the tail needs no special read.
        const int rfd = io.direct_fd >= 0 ? io.direct_fd : io.file_fd;
        const uint32_t ask = io.direct_fd >= 0 ? io.bs : want;
        int64_t r = 0;
        if (backend_reads) {
            r = one_op(be, io_op{op_kind::read, 0, 0, rfd, p, ask, off, 1});
        } else {
            r = ::pread(rfd, p, ask, static_cast<off_t>(off));  // epoll has no file reads: say so in the setup
            ++direct_preads;
            if (r < 0) r = -errno;
        }
        if (r < 0 && !(io.direct_fd >= 0 && r == -EINVAL)) {
            c.error = "read_send: read";
            rc = static_cast<int>(r);
            break;
        }
        got = r > 0 ? static_cast<uint32_t>(std::min<int64_t>(r, want)) : 0;
        // A short (or, for O_DIRECT, refused) read: the rest buffered, at its unaligned offset.
        while (got < want) {
            const ssize_t n = ::pread(io.file_fd, p + got, want - got, static_cast<off_t>(off + got));
            ++direct_preads;
            if (n <= 0) {
                c.error = "read_send: pread (rest of a short read)";
                rc = n < 0 ? -errno : -EIO;
                break;
            }
            if (io.direct_fd >= 0) c.direct_tail_bytes += static_cast<uint64_t>(n);
            got += static_cast<uint32_t>(n);
        }
        for (uint32_t sent = 0; rc == 0 && sent < got;) {
            const int64_t s = one_op(be, io_op{op_kind::send, 0, 0, io.sock, p + sent, got - sent, 0, 2});
            if (s <= 0) {
                c.error = "read_send: send";
                rc = s < 0 ? static_cast<int>(s) : -EPIPE;
                break;
            }
            sent += static_cast<uint32_t>(s);
            c.bytes += static_cast<uint64_t>(s);
        }
        off += got;
    }
    count_backend_calls(be, before, c);
    c.syscalls += direct_preads;
    return rc;
}

int transfer_mmap_send(const transfer_io& io, transfer_counts& c) {
    struct mapping {  // RAII: unmapped on every way out
        void* at;
        size_t len;
        ~mapping() {
            if (at != MAP_FAILED) ::munmap(at, len);
        }
    } map{::mmap(nullptr, io.size, PROT_READ, MAP_SHARED, io.file_fd, 0), io.size};
    c.syscalls += 2;  // mmap, munmap
    if (map.at == MAP_FAILED) {
        c.error = "mmap_send: mmap";
        return -errno;
    }
    ::madvise(map.at, io.size, MADV_SEQUENTIAL);
    const auto* p = static_cast<const char*>(map.at);
    int rc = 0;
    for (uint64_t off = 0; off < io.size;) {
        const auto want = static_cast<size_t>(std::min<uint64_t>(io.bs, io.size - off));
        const ssize_t n = ::send(io.sock, p + off, want, MSG_NOSIGNAL);
        ++c.syscalls;
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            c.error = "mmap_send: send";
            rc = n < 0 ? -errno : -EPIPE;
            break;
        }
        off += static_cast<uint64_t>(n);
        c.bytes += static_cast<uint64_t>(n);
    }
    return rc;
}

}  // namespace iobench
