// The closed-loop storage engine one worker thread runs: keep `depth` ops in
// flight on one backend instance, stamp every op's submit and completion time,
// requeue short transfers, check --verify patterns, stop at the deadline.
#pragma once

#include "backends/registry.hpp"
#include "harness/run/interval_timeline.hpp"
#include "results/histogram.hpp"
#include "workloads/storage_workload.hpp"

#include <atomic>
#include <cstdint>
#include <latch>
#include <string>

namespace iobench {

// Shared by all workers of one run: the measured window and live progress.
// Workers set up, count down `ready`, and wait on `go`; the runner fills in
// the times between the two, so set-up cost never lands in the window.
// The window's bounds are read on every completion and written once (the
// deadline again when --steady-state closes the window early, hence atomic;
// a relaxed load is a plain load); the two counters are written by every
// worker: each group has a cache line of its own, so the writes never
// invalidate the line the reads come from.
struct run_clock {
    static constexpr size_t cache_line = 64;
    explicit run_clock(unsigned workers) : ready(workers), go(1) {}
    std::latch ready, go;
    alignas(cache_line) uint64_t measure_start_ns = 0;  // ops completing before this are warm-up
    std::atomic<uint64_t> stop_ns{0};                   // stop issuing at this instant (0 = no deadline)
    alignas(cache_line) std::atomic<uint64_t> ops_left{UINT64_MAX};  // --ops budget shared by all workers
    alignas(cache_line) std::atomic<uint64_t> live_ops{0};           // measured ops so far, for progress lines
};

// An op in flight this long is a stall: the run fails naming it. It is also
// the grace after the deadline (ops in flight then get this long to finish),
// so a storage run ends by --ramp + --runtime + this, whatever the backend does.
inline constexpr uint64_t default_stall_limit_ns = 30'000'000'000ull;

struct storage_job {
    const backend_entry* entry = nullptr;
    backend_options options;
    std::string path;
    int open_flags = 0;  // O_RDONLY/O_RDWR | O_DIRECT ...
    storage_pattern pattern = storage_pattern::randread;
    uint32_t bs = 4096;
    uint64_t region_start = 0, region_len = 0;
    unsigned rwmixread = 70;
    unsigned fsync_every = 0;
    bool verify = false;
    uint64_t pattern_seed = 0;
    uint64_t offset_seed = 1;
    timeline_shape timeline;        // interval slots to size at setup (run_plan's --interval)
    bool fault_drop_stamp = false;  // IOBENCH_TEST_FAULT=drop_stamp (test-only): one op of the window loses its stamp
    uint64_t fault_op_delay_ns = 0; // IOBENCH_TEST_FAULT=op_delay_us=N (test-only): busy-wait per completed op
    bool fault_stall = false;       // IOBENCH_TEST_FAULT=stall (test-only): one op's completion is withheld
    uint64_t stall_limit_ns = default_stall_limit_ns;  // an op in flight longer than this fails the run
};

struct worker_result {
    bool ok = true;
    std::string error;  // first failure, with the offset where there is one
    std::string setup;  // backend::describe()
    histogram latency;           // the merge of the interval slots' histograms, filled after the run
    uint64_t ops = 0, bytes = 0, reads = 0, writes = 0, fsyncs = 0, errors = 0;
    uint64_t measure_end_ns = 0;
    double inflight_ns_sum = 0;  // integral of ops in flight over the window, in op*ns (after the run)
    backend_counters counters;
    interval_recorder timeline;  // per-interval latency, ops, bytes, ops in flight (the hot path records here)
    depth_histogram depth;       // time at each depth in the kernel, for the median depth
    uint64_t negative_latencies = 0;  // completions stamped before their submit (left out of the histogram)
    histogram censored;          // ops in flight when the window closed: their age then
    uint64_t censored_oldest_ns = 0;
    backend_counters window_counters;  // counted inside the measured window (for calls per op)
};

// Runs on the calling thread (the backend is created here). Never throws:
// setup failures come back as ok = false with the message.
void run_storage_worker(const storage_job& job, run_clock& clock, worker_result& out);

}  // namespace iobench
