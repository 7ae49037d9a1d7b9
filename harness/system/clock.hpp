// The harness's only clock: CLOCK_MONOTONIC in nanoseconds. Backends never read it.
// Also the one conversion of rusage times to seconds.
#pragma once

#include <cstdint>
#include <sys/time.h>
#include <time.h>

namespace iobench {

inline uint64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Busy-waits `ns` on this clock: IOBENCH_TEST_FAULT=op_delay_us's fixed
// cost per op (test-only), CPU spent as the harness would spend it.
inline void spin_for(uint64_t ns) {
    const uint64_t until = now_ns() + ns;
    while (now_ns() < until) {}
}

// A rusage time as seconds.
inline double seconds_of(const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

}  // namespace iobench
