// The preflight: before the first run, look for setups that make numbers
// doubtful (a powersave governor, a cached target under --buffered, a busy
// neighbour, an SQPOLL poller with too few CPUs to spin on). Warnings go to
// stderr and into the results; --strict refuses to run with any.
#pragma once

#include "harness/system/host_sample.hpp"
#include "results/run_result.hpp"

#include <optional>
#include <string>
#include <vector>

namespace iobench {

struct run_options;

// Below this many online CPUs an SQPOLL poller (a core of its own while it
// spins) competes with the harness threads for the rest.
inline constexpr unsigned sqpoll_min_cpus = 3;
inline constexpr double cached_warn_fraction = 0.5;

// What the warnings are decided from: the run's setup and what was sampled.
struct preflight_facts {
    std::string governor;   // host_facts::cpufreq_governor
    unsigned cpus_online = 0;
    bool storage = false, buffered = false;
    std::vector<std::string> backends;        // every backend the invocation will drive (load side too)
    std::optional<double> target_cached;      // storage: residency of the bytes the run touches
    std::optional<neighbour_load> neighbour;  // other processes' CPU over the sample
    unsigned sample_ms = 0;
};

// One line per doubtful thing, in a fixed order; empty when all is well.
std::vector<std::string> preflight_warnings(const preflight_facts& f);

inline constexpr unsigned preflight_sample_ms = 200;

// Gathers the facts (sampling /proc/stat for preflight_sample_ms), prints each
// warning to stderr and returns them; with --strict throws usage_error (exit 2)
// naming them all on one line instead.
std::vector<std::string> check_before_runs(const run_options& o, const host_facts& host, const std::string& target);

}  // namespace iobench
