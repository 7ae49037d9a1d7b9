// Storage runs: one backend at a time, N worker threads, one measured window
// per repetition, timed by the run plan (harness/run/run_plan.hpp).
#include "harness/storage/storage_runner.hpp"

#include "harness/cli/progress.hpp"
#include "harness/run/run_checks.hpp"
#include "harness/system/clock.hpp"
#include "harness/system/host_sample.hpp"
#include "harness/system/interrupt.hpp"
#include "harness/system/result_counters.hpp"
#include "harness/system/thread_cpu.hpp"
#include "harness/storage/storage_engine.hpp"

#include <fcntl.h>
#include <optional>
#include <thread>

namespace iobench {

namespace {

void sleep_until_ns(uint64_t t) {
    while (true) {
        const uint64_t now = now_ns();
        if (now >= t || interrupted()) return;
        std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<uint64_t>(t - now, 200'000'000)));
    }
}

bool stall_fault_on(const run_plan& plan, std::string_view backend) {
    return plan.fault == test_fault::stall && (plan.fault_backend.empty() || plan.fault_backend == backend);
}

std::vector<storage_job> plan_jobs(const backend_entry& entry, const run_options& o, const run_plan& plan,
                                   const test_file& target) {
    const bool per_thread = entry.caps & cap_one_op_per_thread;
    const unsigned threads = per_thread ? o.jobs * o.iodepth : o.jobs;
    const storage_pattern pattern = o.pattern;
    const bool sequential = pattern == storage_pattern::read || pattern == storage_pattern::write;
    // Sequential workers each get their own slice; random ones share the file.
    uint64_t slice = o.size;
    if (sequential) slice = std::max<uint64_t>(o.bs, (o.size / threads) / o.bs * o.bs);
    const timeline_shape shape = timeline_shape_for(plan.runtime_ns, plan.interval_ns, threads);

    std::vector<storage_job> jobs(threads);
    for (unsigned t = 0; t < threads; ++t) {
        storage_job& j = jobs[t];
        j.entry = &entry;
        j.options = backend_options_for(o, per_thread ? 1 : o.iodepth);
        j.options.test_small_cq = plan.fault == test_fault::small_cq;
        j.path = target.path();
        j.open_flags = (writes_data(pattern) || o.fsync_every ? O_RDWR : O_RDONLY) | (o.buffered ? 0 : O_DIRECT);
        j.pattern = pattern;
        j.bs = o.bs;
        j.region_start = sequential ? std::min<uint64_t>(t * slice, o.size - slice) : 0;
        j.region_len = slice;
        j.rwmixread = o.rwmixread;
        j.fsync_every = o.fsync_every;
        j.verify = o.verify;
        j.pattern_seed = target.pattern_seed();
        j.offset_seed = (o.seed ? o.seed : 0x9e3779b97f4a7c15ull) + t * 0x632be59bd9b4e019ull;
        j.timeline = shape;
        j.fault_drop_stamp = plan.fault == test_fault::drop_stamp && t == 0;
        j.fault_op_delay_ns = plan.op_delay_ns;
        j.fault_stall = stall_fault_on(plan, entry.name) && t == 0;
        j.stall_limit_ns = plan.stall_limit_ns;
    }
    return jobs;
}

void add_notes(run_result& r, const backend_entry& entry, const run_options& o, unsigned threads) {
    if ((entry.caps & cap_needs_direct) && o.buffered)
        r.notes.push_back(std::string(entry.name) + " with buffered I/O is synchronous inside the submit call on Linux");
    if (entry.caps & cap_one_op_per_thread)
        r.notes.push_back(std::to_string(threads) + (threads == 1 ? " thread" : " threads") +
                          " with one op in flight each (iodepth x jobs)");
    if (entry.caps & cap_fd_per_slot)  // which posix_aio setup ran
        r.notes.push_back(o.aio_fds == aio_fd_mode::one
                              ? "--aio-fds one: one fd; glibc runs its requests one after another (fio's posixaio setup)"
                              : "--aio-fds per-slot: one fd per in-flight op, so glibc runs iodepth requests at once");
}

// The runner thread between the measure start and the deadline: progress
// lines, and --steady-state judged at each interval edge from the live count.
std::optional<steady_state_result> watch_window(run_clock& clock, const window_times& w, const run_plan& plan,
                                                progress_line& progress) {
    const bool steady = plan.steady.enabled && plan.interval_ns > 0;
    steady_state_detector detector(plan.steady);
    const uint64_t tick = steady ? plan.interval_ns : 1'000'000'000ull;
    uint64_t next = w.measure_start_ns + tick, last_ops = 0;
    while (now_ns() < w.stop_ns && !interrupted()) {
        sleep_until_ns(std::min(w.stop_ns, next));
        const uint64_t now = now_ns();
        if (steady && now >= next && now < w.stop_ns) {
            const uint64_t ops = clock.live_ops.load(std::memory_order_relaxed);
            const double iops = static_cast<double>(ops - last_ops) * 1e9 / static_cast<double>(tick);
            last_ops = ops;
            if (detector.add(iops)) {
                clock.stop_ns.store(now, std::memory_order_relaxed);  // the workers close the window at their next batch
                return steady_state_result{true, static_cast<double>(now - w.measure_start_ns) / 1e9, plan.steady.text};
            }
        }
        if (now >= next) next += tick;
        progress.update(now - w.measure_start_ns, plan.runtime_ns, clock.live_ops.load());
    }
    if (plan.steady.enabled) return steady_state_result{false, 0, plan.steady.text};
    return std::nullopt;
}

}  // namespace

run_result run_storage_backend(const std::string& backend_name, const run_options& o, const run_plan& plan,
                               test_file& target) {
    run_result r;
    r.backend = backend_name;
    r.workload = o.workload;
    r.counters = counters_of({});
    const backend_entry& entry = *find_backend(backend_name);

    probe_context ctx{io_target::file, target.path(), !o.buffered};
    if (auto p = entry.probe(ctx); !p.ok) {
        r.status = run_status::unsupported;
        r.reason = p.reason;
        return r;
    }
    auto jobs = plan_jobs(entry, o, plan, target);
    const auto threads = static_cast<unsigned>(jobs.size());
    r.threads = threads;
    if (writes_data(o.pattern) && !o.verify) target.forget_pattern();

    r.target_cached_fraction = cached_fraction(target.path(), o.size);  // at the start, before the ramp
    run_clock clock(threads);
    if (plan.ops) clock.ops_left = plan.ops;
    std::vector<worker_result> results(threads);
    std::vector<std::jthread> workers;
    workers.reserve(threads);
    for (unsigned t = 0; t < threads; ++t)
        workers.emplace_back([&, t] { run_storage_worker(jobs[t], clock, results[t]); });

    clock.ready.wait();
    const window_times w = open_window(plan, now_ns());
    clock.measure_start_ns = w.measure_start_ns;
    clock.stop_ns.store(w.stop_ns);
    clock.go.count_down();

    progress_line progress(backend_name + " " + o.workload, o.quiet);
    window_edges edges;
    sleep_until_ns(w.measure_start_ns);
    edges.at_start();
    if (w.stop_ns) {
        r.steady_state = watch_window(clock, w, plan, progress);
        edges.at_end();
        workers.clear();  // joins
    } else {
        for (auto& t : workers) t.join();
        edges.at_end();
    }
    r.neighbour = edges.neighbour();
    progress.finish();

    uint64_t end = clock.measure_start_ns;
    double inflight_sum = 0;
    backend_counters counters, in_window;
    check_inputs checks;
    std::vector<const interval_recorder*> timelines;
    double depth_p50 = 0;
    for (auto& x : results) {
        if (!x.ok && r.status == run_status::ok) {
            r.status = run_status::error;
            r.reason = x.error;
        }
        r.latency.merge(x.latency);
        r.ops += x.ops;
        r.bytes += x.bytes;
        r.read_ops += x.reads;
        r.write_ops += x.writes;
        r.fsyncs += x.fsyncs;
        r.errors += x.errors;
        counters += x.counters;
        in_window += x.window_counters;
        end = std::max(end, x.measure_end_ns);
        inflight_sum += x.inflight_ns_sum;
        checks.negative_latencies += x.negative_latencies;
        checks.censored.merge(x.censored);
        checks.censored_oldest_ns = std::max(checks.censored_oldest_ns, x.censored_oldest_ns);
        timelines.push_back(&x.timeline);
        depth_p50 += x.depth.median();  // workers' depths add up; so, roughly, do their medians
        if (r.setup.empty()) r.setup = x.setup;
    }
    r.counters = counters_of(counters);
    const uint64_t window = end > clock.measure_start_ns ? end - clock.measure_start_ns : 0;
    r.duration_s = static_cast<double>(window) / 1e9;
    mark_interrupted(r);  // before the checks below, so a cut-short window is not called an error
    if (window > 0) {
        r.iops = static_cast<double>(r.ops) / r.duration_s;
        r.bytes_per_sec = static_cast<double>(r.bytes) / r.duration_s;
        r.achieved_iodepth = inflight_sum / static_cast<double>(window);
        checks.inflight_mean = r.achieved_iodepth;
    }
    set_window_cpu(r, split_window(edges.start_sample(), edges.end_sample(), storage_split_rules(backend_name)));
    set_calls_per_op(r, in_window);
    r.timeline = merge_timeline(timelines, window);
    if (plan.interval_ns && !jobs.empty() && jobs[0].timeline.widened)
        r.notes.push_back("timeline: --interval widened to " +
                          std::to_string(static_cast<double>(jobs[0].timeline.interval_ns) / 1e9) +
                          " s to keep the interval histograms within 64 MiB");
    if (r.status == run_status::ok && r.ops == 0) {
        r.status = run_status::error;
        r.reason = "no op completed inside the measured window (is --ramp longer than the run?)";
    }
    // fio's way: a write job with --verify reads everything back afterwards.
    if (o.verify && writes_data(o.pattern) && r.status == run_status::ok && !interrupted()) {
        if (std::string bad = target.check_all(); !bad.empty()) {
            r.status = run_status::error;
            r.reason = std::move(bad);
            ++r.errors;
        } else {
            r.notes.push_back("verify: read back all " + std::to_string(target.size()) + " bytes after the run: intact");
        }
    }
    add_notes(r, entry, o, threads);
    if (const std::string f = fault_note(plan); !f.empty()) r.notes.push_back(f);
    if (stall_fault_on(plan, entry.name))
        r.notes.push_back("IOBENCH_TEST_FAULT=stall: test-only: one completion was withheld and the stall limit is 1 s");
    apply_checks(r, checks);
    achieved_facts asked;
    asked.iodepth_requested = static_cast<double>(o.iodepth) * o.jobs;
    asked.iodepth_mean = r.achieved_iodepth;
    asked.iodepth_p50 = depth_p50;
    apply_achieved(r, std::move(asked));
    return r;
}

}  // namespace iobench
