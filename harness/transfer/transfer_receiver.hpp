// The transfer receiver: drains one socket to EOF on its own thread and checks
// every byte against the file's per-offset pattern (workloads/verify_pattern.hpp).
#pragma once

#include "results/run_result.hpp"

#include <cstdint>

namespace iobench {

struct receive_report {
    uint64_t bytes = 0;                 // received before EOF (or the error)
    uint64_t bad_offset = UINT64_MAX;   // first byte that is not the file's, UINT64_MAX: none
    int err = 0;                        // -errno of a failed recv (-EAGAIN: the 10 s idle bound passed)
    cpu_usage cpu;                      // this thread's (RUSAGE_THREAD)
};

// Receives until EOF on `sock` (blocking, with SO_RCVTIMEO set by the caller),
// checking against `seed`. Bytes past `expect` are counted, never checked.
void receive_and_verify(int sock, uint64_t expect, uint64_t seed, receive_report& out);

}  // namespace iobench
