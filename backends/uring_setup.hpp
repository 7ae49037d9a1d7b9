// io_uring ring setup shared by the backend and its probes: the setup flags
// of each mode, setup failures in words, and the real probes.
#pragma once

#include "backends/registry.hpp"

#include <liburing.h>
#include <string>
#include <string_view>

namespace iobench {

enum class uring_mode : uint8_t { interrupt, sqpoll, iopoll };

std::string_view uring_mode_name(uring_mode m);  // the registry name
unsigned uring_sq_entries(unsigned depth);       // depth rounded up to a power of two
// The setup flags (and CQ size, SQPOLL idle/cpu) mode `m` runs with.
io_uring_params uring_params(uring_mode m, const backend_options& o, unsigned sq_entries);
std::string uring_flags_text(unsigned setup_flags);  // "SQPOLL|SUBMIT_ALL|..."
// "; ... RLIMIT_MEMLOCK (ulimit -l = N KiB): raise it", for ENOMEM at setup.
std::string uring_memlock_hint();
// Why io_uring_queue_init_params failed, in words.
std::string uring_setup_failure(int err, unsigned setup_flags);

// RAII owner of an io_uring instance.
struct uring_owner {
    io_uring ring{};
    bool live = false;
    uring_owner() = default;
    uring_owner(const uring_owner&) = delete;
    uring_owner& operator=(const uring_owner&) = delete;
    ~uring_owner() {
        if (live) io_uring_queue_exit(&ring);
    }
    int init(unsigned entries, io_uring_params& p) {
        const int r = io_uring_queue_init_params(entries, &ring, &p);
        live = r == 0;
        return r;
    }
};

// Creates a real ring for mode `m`, checks the opcodes, runs a NOP round
// trip and, for files, opens the target (IOPOLL: one real polled read).
probe_result uring_probe(uring_mode m, const probe_context& ctx);

}  // namespace iobench
