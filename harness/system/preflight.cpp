// The preflight's checks and the one place --strict is enforced.
#include "harness/system/preflight.hpp"

#include "harness/cli/errors.hpp"
#include "harness/cli/options.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

namespace iobench {

namespace {

std::string percent(double f) { return std::to_string(static_cast<int>(f * 100 + 0.5)) + "%"; }

}  // namespace

std::vector<std::string> preflight_warnings(const preflight_facts& f) {
    std::vector<std::string> w;
    if (f.governor == "powersave")
        w.push_back("cpufreq governor is powersave: clocks ramp with load, so short runs read low (use performance)");
    if (f.storage && f.buffered && f.target_cached && *f.target_cached > cached_warn_fraction)
        w.push_back("target is " + percent(*f.target_cached) +
                    " in the page cache and --buffered is on: reads are served from memory, not the device "
                    "(fine for a page-cache benchmark)");
    if (f.neighbour && f.neighbour->busy)
        w.push_back("busy neighbour: other processes used " + percent(f.neighbour->cpu_fraction) + " of a CPU over " +
                    std::to_string(f.sample_ms) + " ms before the first run");
    if (f.cpus_online < sqpoll_min_cpus &&
        std::find(f.backends.begin(), f.backends.end(), "io_uring_sqpoll") != f.backends.end())
        w.push_back("io_uring_sqpoll on " + std::to_string(f.cpus_online) + (f.cpus_online == 1 ? " CPU" : " CPUs") +
                    ": its kernel poller spins a core and competes with the harness threads (fewer than " +
                    std::to_string(sqpoll_min_cpus) + ")");
    return w;
}

std::vector<std::string> check_before_runs(const run_options& o, const host_facts& host, const std::string& target) {
    preflight_facts f;
    f.governor = host.cpufreq_governor;
    f.cpus_online = host.cpus_online;
    f.storage = !o.network();
    f.buffered = o.buffered;
    f.backends = o.backends;
    if (o.network()) f.backends.push_back(o.client_backend);
    if (f.storage && !target.empty()) f.target_cached = cached_fraction(target, o.size);
    const neighbour_sampler sampler;
    std::this_thread::sleep_for(std::chrono::milliseconds(preflight_sample_ms));
    f.neighbour = sampler.finish();
    f.sample_ms = preflight_sample_ms;

    std::vector<std::string> w = preflight_warnings(f);
    if (o.strict && !w.empty()) {
        std::string all;
        for (const auto& s : w) all += (all.empty() ? "" : "; ") + s;
        throw usage_error("--strict: refusing to run with " + std::to_string(w.size()) +
                          (w.size() == 1 ? " warning: " : " warnings: ") + all);
    }
    for (const auto& s : w) std::fprintf(stderr, "iobench: warning: %s\n", s.c_str());
    return w;
}

}  // namespace iobench
