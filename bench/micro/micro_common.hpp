// What every micro-benchmark family shares: the scratch files, the probe
// contexts, the per-op counters (backend calls, context switches) and the
// registration defaults (process CPU time, real time).
#pragma once

#include "backends/registry.hpp"

#include <benchmark/benchmark.h>

#include <string>

namespace iobench::micro {

inline constexpr uint32_t block_size = 4096;
inline constexpr size_t scratch_len = size_t{8} << 20;  // 8 MiB: page-cache resident

// Made once in main before registration: one file on the disk filesystem
// (--micro_dir, pre-read into the page cache) and one in /dev/shm (tmpfs).
struct scratch_files {
    std::string disk;
    std::string shm;
};
const scratch_files& scratch();
void make_scratch(const std::string& dir);  // throws std::system_error
void remove_scratch();

// The registry probe for the family's target (buffered: page cache and tmpfs);
// its reason, when it says no, is what the skipped benchmark reports.
probe_result probe_file(const backend_entry& e, const std::string& path);
probe_result probe_socket(const backend_entry& e);

// Context switches of the whole process, so helper threads count too.
long process_context_switches();

// Calls per op from the backend's counters and context switches per op,
// between start() and finish(); with threads each thread adds its share
// and only thread 0 counts the process's context switches.
class op_counters {
public:
    void start(const backend& be, const benchmark::State& st);
    void finish(const backend& be, benchmark::State& st) const;

private:
    backend_counters at_{};
    long csw_ = 0;
};

// Every benchmark: real time and the whole process's CPU (glibc AIO's
// helpers, SQPOLL's poller and blocking's threads are paid for).
benchmark::internal::Benchmark* defaults(benchmark::internal::Benchmark* b);

// The registration functions, one per family file.
void register_storage_round_trip(const backend_entry& e);
void register_tmpfs_write(const backend_entry& e);
void register_socket_pair(const backend_entry& e);
void register_uring(const backend_entry& e);

}  // namespace iobench::micro
