// The run plan's cold parts: building it from the options, the window
// times, its edges, and the interleaved repetition loop.
#include "harness/run/run_plan.hpp"

#include "harness/cli/errors.hpp"
#include "harness/cli/options.hpp"
#include "harness/system/cpu_time.hpp"
#include "harness/system/interrupt.hpp"
#include "results/repetitions.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace iobench {

namespace {

constexpr std::string_view op_delay_key = "op_delay_us=";

void fault_from_env(run_plan& p) {
    const char* f = std::getenv("IOBENCH_TEST_FAULT");
    if (!f || !*f) return;
    const std::string_view v(f);
    if (v == "drop_stamp") {
        p.fault = test_fault::drop_stamp;
        return;
    }
    if (v == "stall" || v.starts_with("stall:")) {
        p.fault = test_fault::stall;
        p.fault_backend = v == "stall" ? "" : std::string(v.substr(6));
        p.stall_limit_ns = 1'000'000'000ull;  // so a test sees the detector fire in seconds, not 30 s
        return;
    }
    if (v == "small_cq") {
        p.fault = test_fault::small_cq;
        return;
    }
    if (v == "transfer_short") {
        p.fault = test_fault::transfer_short;
        return;
    }
    if (v.starts_with(op_delay_key)) {
        const std::string n(v.substr(op_delay_key.size()));
        char* end = nullptr;
        const unsigned long us = n.empty() || n[0] == '-' ? 0 : std::strtoul(n.c_str(), &end, 10);
        if (us == 0 || us > 1'000'000 || *end)
            throw usage_error(std::string("IOBENCH_TEST_FAULT=") + f + ": op_delay_us takes 1 to 1000000 (us)");
        p.fault = test_fault::op_delay;
        p.op_delay_ns = us * 1000;
        return;
    }
    throw usage_error(std::string("IOBENCH_TEST_FAULT=") + f + ": unknown test fault (drop_stamp, op_delay_us=N, transfer_short, stall, stall:BACKEND, small_cq)");
}

}  // namespace

run_plan plan_of(const run_options& o) {
    run_plan p;
    p.ramp_ns = o.ramp_ns;
    p.runtime_ns = o.ops ? 0 : o.runtime_ns;
    p.ops = o.ops;
    p.interval_ns = o.interval_ns;
    p.repeat = o.repeat;
    p.steady = o.steady;
    fault_from_env(p);
    return p;
}

std::string fault_note(const run_plan& p) {
    if (p.fault == test_fault::op_delay)
        return "IOBENCH_TEST_FAULT=op_delay_us=" + std::to_string(p.op_delay_ns / 1000) +
               ": test-only slowdown, the harness busy-waited that long per completed op; not a measurement";
    return {};
}

window_times open_window(const run_plan& p, uint64_t start_ns) {
    window_times w;
    w.start_ns = start_ns;
    w.measure_start_ns = start_ns + p.ramp_ns;
    w.stop_ns = p.runtime_ns ? w.measure_start_ns + p.runtime_ns : 0;
    return w;
}

void window_edges::at_start() {
    if (started_) return;
    started_ = true;
    s0_ = sample_cpu();
    neighbours_.emplace();
}

void window_edges::at_end() {
    if (!started_ || ended_) return;
    ended_ = true;
    s1_ = sample_cpu();
    neighbour_ = neighbours_->finish();
}

cpu_usage window_edges::cpu() const { return ended_ ? s1_.process - s0_.process : cpu_usage{}; }

void mark_interrupted(run_result& r) {
    if (!interrupted() || (r.status != run_status::ok && r.status != run_status::suspect)) return;
    r.status = run_status::interrupted;
    char ran[32];
    std::snprintf(ran, sizeof ran, "%.3f", r.duration_s);
    r.reason = std::string("interrupted by ") + interrupt_name() + " after " + ran + " s of the measured window";
}

namespace {
// Backends an interrupt kept from starting are left out of the results (a
// row with no figures would read as a measurement); the interrupted run
// names them, and so does stderr.
void note_not_run(run_result& r, const std::vector<std::string>& backends, unsigned round, size_t current) {
    std::string names;  // in the first round, the backends after this one have not started; later, all have
    for (size_t i = current + 1; round == 0 && i < backends.size(); ++i) names += (names.empty() ? "" : ", ") + backends[i];
    if (names.empty()) return;
    r.notes.push_back("interrupted: not run: " + names);
    std::fprintf(stderr, "iobench: interrupted by %s during %s; not run: %s\n", interrupt_name(), backends[current].c_str(),
                 names.c_str());
}
}  // namespace

void run_interleaved(const std::vector<std::string>& backends, const run_plan& plan, const run_one_fn& one,
                     const done_fn& done) {
    const unsigned repeat = std::max(1u, plan.repeat);
    std::vector<std::vector<run_result>> reps(backends.size());
    std::vector<bool> finished(backends.size(), false), emitted(backends.size(), false);
    auto emit = [&](size_t b) {
        if (emitted[b] || reps[b].empty()) return;
        emitted[b] = true;
        done(combine_repetitions(std::move(reps[b])));
    };
    for (unsigned round = 0; round < repeat; ++round) {
        for (size_t b = 0; b < backends.size(); ++b) {
            if (interrupted()) {
                for (size_t i = 0; i < backends.size(); ++i) emit(i);
                return;
            }
            if (!finished[b]) {
                run_result r = one(backends[b], round);
                mark_interrupted(r);
                if (r.status == run_status::interrupted) note_not_run(r, backends, round, b);
                // An unsupported or failed backend is not run again.
                if (r.status == run_status::unsupported || r.status == run_status::error ||
                    r.status == run_status::interrupted)
                    finished[b] = true;
                reps[b].push_back(std::move(r));
            }
            if (round + 1 == repeat) emit(b);
        }
    }
}

}  // namespace iobench
