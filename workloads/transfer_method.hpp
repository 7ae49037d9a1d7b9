// The zero-copy transfer methods (--workload transfer --method ...): ways to
// move one file to a connected TCP socket, from read+send through a backend
// to send_zc and MSG_ZEROCOPY. The harness (harness/transfer) owns sockets,
// receivers, timing and CPU; a method owns only the sending loop. Adding a
// method is one function in a transfer_*.cpp and one line in transfer_method.cpp.
#pragma once

#include "backends/backend.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace iobench {

// What a method sends and through what.
struct transfer_io {
    int file_fd = -1;    // the file, opened O_RDONLY (buffered)
    int direct_fd = -1;  // --direct (methods with direct_reads): the same file with O_DIRECT, else -1
    uint64_t size = 0;   // bytes to send: the whole file
    uint32_t bs = 64 * 1024;
    int sock = -1;       // connected to the receiver (blocking unless the backend wants non-blocking fds)
    int sock2 = -1;      // tee: the second receiver
    backend* be = nullptr;  // read_send: the backend under test
};

// What a method did. The loop fills it without allocating; `error` is a
// static sentence naming the call that failed (with the -errno returned).
struct transfer_counts {
    uint64_t bytes = 0;            // bytes handed to the socket (each receiver's share)
    uint64_t syscalls = 0;         // sender syscalls (or backend calls, see syscalls_counted)
    const char* syscalls_counted = "syscalls the sender made";
    bool zerocopy_reported = false;
    uint64_t bytes_zero_copied = 0, bytes_copied = 0;  // from the kernel's own completion reports
    uint64_t direct_tail_bytes = 0;  // --direct: bytes read buffered (O_DIRECT refused or left them short)
    const char* error = nullptr;   // the failing call, with the result's -errno
    bool unsupported = false;      // the kernel refused the mechanism itself (setsockopt, opcode): not a failure
};

// Runs the whole transfer: 0, or -errno with counts.error set.
using transfer_fn = int (*)(const transfer_io&, transfer_counts&);

struct transfer_method {
    std::string_view name;
    std::string_view summary;
    // read_send runs on each --backend; the others are their own mechanism
    // and run on this one backend name (their results say so).
    std::string_view fixed_backend;  // empty: through the backend under test
    unsigned receivers;              // tee: 2
    bool direct_reads;               // --direct applies: it reads (or sendfiles) from an O_DIRECT fd
    transfer_fn run;
};

// The pipe the splice methods go through holds one chunk, at most 1 MiB (the
// default fs.pipe-max-size, so root and others run the same setup): a larger
// --bs moves through it in several splices, and file -> pipe comes back short.
inline int transfer_pipe_size(uint32_t bs) {
    return static_cast<int>(bs < 4096 ? 4096 : bs > (1u << 20) ? (1u << 20) : bs);
}

const transfer_method* find_transfer_method(std::string_view name);  // nullptr: unknown
std::string transfer_method_names(std::string_view sep = ", ");
size_t transfer_method_count();
const transfer_method& transfer_method_at(size_t i);

// The methods (transfer_copy.cpp, transfer_splice.cpp, transfer_uring.cpp, transfer_msg_zerocopy.cpp).
int transfer_read_send(const transfer_io&, transfer_counts&);
int transfer_mmap_send(const transfer_io&, transfer_counts&);
int transfer_sendfile(const transfer_io&, transfer_counts&);
int transfer_splice(const transfer_io&, transfer_counts&);
int transfer_tee(const transfer_io&, transfer_counts&);
int transfer_uring_splice(const transfer_io&, transfer_counts&);
int transfer_uring_send_zc(const transfer_io&, transfer_counts&);
int transfer_msg_zerocopy(const transfer_io&, transfer_counts&);

}  // namespace iobench
