// The measurement plan every run follows, storage and network alike: the
// window (ramp, measure start, deadline or --ops budget), the interval
// timeline, --steady-state, repetitions interleaved across backends, and the
// window's two edges, which are where everything sampled "over the window"
// (process CPU today) is taken, in one place.
#pragma once

#include "harness/run/steady_state.hpp"
#include "harness/system/host_sample.hpp"
#include "harness/system/thread_cpu.hpp"
#include "results/run_result.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace iobench {

struct run_options;

// Test-only fault injection (IOBENCH_TEST_FAULT, read once per run): lets the
// tests prove a self-check fires (drop_stamp) or that the regression gate
// catches a slower build (op_delay_us=N: the harness busy-waits N us per
// completed op), or that a short transfer fails the run (transfer_short: the
// transfer method sends one byte less than the file), or that the stall
// detector names a stuck op (stall or stall:BACKEND: one storage worker drops
// one completion of the window, on every backend or on BACKEND only, and the
// stall limit is 1 s instead of 30 s). Never set it for a real measurement.
enum class test_fault : uint8_t { none, drop_stamp, op_delay, transfer_short, stall, small_cq };

struct run_plan {
    uint64_t ramp_ns = 0;
    uint64_t runtime_ns = 0;  // the deadline after the measure start; 0 = bounded by `ops`
    uint64_t ops = 0;         // --ops budget (all workers together), 0 = by runtime
    uint64_t interval_ns = 0; // --interval, 0 = no timeline
    unsigned repeat = 1;
    steady_state_spec steady;
    test_fault fault = test_fault::none;
    uint64_t op_delay_ns = 0;  // test_fault::op_delay: busy-wait per completed op (storage) / response (load)
    std::string fault_backend;  // test_fault::stall: only this backend ("" = every one)
    uint64_t stall_limit_ns = 30'000'000'000ull;  // storage: see storage_engine.hpp (1 s under test_fault::stall)
};

// A note for every result a test fault touched, so its numbers are never taken for a measurement.
std::string fault_note(const run_plan& p);

run_plan plan_of(const run_options& o);

// One repetition's window on the monotonic clock, fixed before the workers go.
struct window_times {
    uint64_t start_ns = 0;          // workers start issuing (the ramp begins)
    uint64_t measure_start_ns = 0;  // completions from here on are measured
    uint64_t stop_ns = 0;           // the deadline (0 = --ops bounded)
};
window_times open_window(const run_plan& p, uint64_t start_ns);

// The window's edges. Every runner calls at_start() when the measure start
// passes and at_end() when the window closes, from its own control thread
// (never a worker's hot path). Whatever is sampled across the window belongs
// here, so a new sampler (per-thread CPU, context switches) is added in these
// two functions and reaches storage and network runs together.
class window_edges {
public:
    void at_start();  // hook: window start
    void at_end();    // hook: window end (idempotent: the first call counts)
    bool started() const { return started_; }
    cpu_usage cpu() const;  // the whole process between the edges (RUSAGE_SELF)
    // Per-thread CPU at each edge (/proc/self/task), for the split by thread class.
    const cpu_sample& start_sample() const { return s0_; }
    const cpu_sample& end_sample() const { return s1_; }
    // The CPU other processes used between the edges (nullopt: not ended, or /proc unreadable).
    const std::optional<neighbour_load>& neighbour() const { return neighbour_; }

private:
    bool started_ = false, ended_ = false;
    cpu_sample s0_, s1_;
    std::optional<neighbour_sampler> neighbours_;
    std::optional<neighbour_load> neighbour_;
};

// Runs every backend `plan.repeat` times, interleaved (A B C A B C ...), and
// hands each backend's repetitions, combined, to `done` in backend order: at
// its place in the last round, so with one repetition results stream as
// before. A backend that is unsupported or fails is not repeated. Stops
// early (combining what ran) when interrupted: the run in progress is marked
// interrupted and names the backends never started, which are left out.
// After a run returns: if SIGINT/SIGTERM arrived, an ok or suspect run
// becomes "interrupted" with how long its window ran in the reason (its
// figures are what it measured until then); errors stay errors.
void mark_interrupted(run_result& r);

using run_one_fn = std::function<run_result(const std::string& backend, unsigned repetition)>;
using done_fn = std::function<void(run_result)>;
void run_interleaved(const std::vector<std::string>& backends, const run_plan& plan, const run_one_fn& one,
                     const done_fn& done);

}  // namespace iobench
