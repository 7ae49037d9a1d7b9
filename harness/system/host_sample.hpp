// What the host is doing around a run, sampled at its edges (never inside
// the window): the target's page-cache residency, and the CPU other
// processes used meanwhile.
#pragma once

#include "harness/system/proc_text.hpp"
#include "results/run_result.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace iobench {

// The fraction (0..1) of the first `len` bytes of `path` (the part a run
// touches) resident in the page cache, from mincore() over a read-only
// mapping; nullopt if it cannot be mapped (empty, a device refusing mmap).
std::optional<double> cached_fraction(const std::string& path, uint64_t len);

// Machine busy time and this process's CPU at construction; finish() turns
// the difference into the CPU other processes used, in CPUs.
class neighbour_sampler {
public:
    neighbour_sampler();
    // nullopt if /proc/stat or /proc/self/stat could not be read.
    std::optional<neighbour_load> finish() const;

private:
    std::optional<cpu_jiffies> machine_;
    std::optional<uint64_t> self_;
    uint64_t start_ns_;
};

}  // namespace iobench
