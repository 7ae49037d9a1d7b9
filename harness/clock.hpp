// The harness's only clock: CLOCK_MONOTONIC in nanoseconds. Backends never read it.
#pragma once

#include <cstdint>
#include <time.h>

namespace iobench {

inline uint64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace iobench
