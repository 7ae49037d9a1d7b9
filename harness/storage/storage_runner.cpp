// Storage runs: one backend at a time, N worker threads, one measured window.
#include "harness/storage/storage_runner.hpp"

#include "harness/system/clock.hpp"
#include "harness/system/cpu_time.hpp"
#include "harness/system/host_sample.hpp"
#include "harness/system/interrupt.hpp"
#include "harness/system/result_counters.hpp"
#include "harness/cli/progress.hpp"
#include "harness/storage/storage_engine.hpp"

#include <cmath>
#include <fcntl.h>
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

std::vector<storage_job> plan_jobs(const backend_entry& entry, const run_options& o, const test_file& target) {
    const bool per_thread = entry.caps & cap_one_op_per_thread;
    const unsigned threads = per_thread ? o.jobs * o.iodepth : o.jobs;
    const storage_pattern pattern = o.pattern;
    const bool sequential = pattern == storage_pattern::read || pattern == storage_pattern::write;
    // Sequential workers each get their own slice; random ones share the file.
    uint64_t slice = o.size;
    if (sequential) slice = std::max<uint64_t>(o.bs, (o.size / threads) / o.bs * o.bs);

    std::vector<storage_job> jobs(threads);
    for (unsigned t = 0; t < threads; ++t) {
        storage_job& j = jobs[t];
        j.entry = &entry;
        j.options = backend_options_for(o, per_thread ? 1 : o.iodepth);
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
    if (r.ops > 0 && r.achieved_iodepth > 0) {
        // Little's law: mean ops in flight = throughput x mean latency.
        const double little = r.iops * r.latency.mean() / 1e9;
        const double off = std::abs(little - r.achieved_iodepth) / r.achieved_iodepth;
        if (off > 0.05)
            r.notes.push_back("check failed: Little's law off by " + std::to_string(static_cast<int>(off * 100)) +
                              "% (iops x mean latency = " + std::to_string(little) + ", measured in flight = " +
                              std::to_string(r.achieved_iodepth) + ")");
    }
}

}  // namespace

run_result run_storage_backend(const std::string& backend_name, const run_options& o, test_file& target) {
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
    auto jobs = plan_jobs(entry, o, target);
    const auto threads = static_cast<unsigned>(jobs.size());
    r.threads = threads;
    if (writes_data(o.pattern) && !o.verify) target.forget_pattern();

    r.target_cached_fraction = cached_fraction(target.path(), o.size);  // at the start, before the ramp
    run_clock clock(threads);
    if (o.ops) clock.ops_left = o.ops;
    std::vector<worker_result> results(threads);
    std::vector<std::jthread> workers;
    workers.reserve(threads);
    for (unsigned t = 0; t < threads; ++t)
        workers.emplace_back([&, t] { run_storage_worker(jobs[t], clock, results[t]); });

    clock.ready.wait();
    const uint64_t start = now_ns();
    clock.measure_start_ns = start + o.ramp_ns;
    clock.stop_ns = o.ops ? 0 : clock.measure_start_ns + o.runtime_ns;
    clock.go.count_down();

    progress_line progress(backend_name + " " + o.workload, o.quiet);
    sleep_until_ns(clock.measure_start_ns);
    const cpu_usage cpu0 = process_cpu();
    const neighbour_sampler neighbours;
    cpu_usage cpu1;
    if (clock.stop_ns) {
        while (now_ns() < clock.stop_ns && !interrupted()) {
            sleep_until_ns(std::min(clock.stop_ns, now_ns() + 1'000'000'000));
            progress.update(now_ns() - clock.measure_start_ns, o.runtime_ns, clock.live_ops.load());
        }
        cpu1 = process_cpu();
        workers.clear();  // joins
    } else {
        for (auto& w : workers) w.join();
        cpu1 = process_cpu();
    }
    r.neighbour = neighbours.finish();
    progress.finish();

    uint64_t end = clock.measure_start_ns;
    double inflight_sum = 0;
    backend_counters counters;
    for (auto& w : results) {
        if (!w.ok && r.status == run_status::ok) {
            r.status = run_status::error;
            r.reason = w.error;
        }
        r.latency.merge(w.latency);
        r.ops += w.ops;
        r.bytes += w.bytes;
        r.read_ops += w.reads;
        r.write_ops += w.writes;
        r.fsyncs += w.fsyncs;
        r.errors += w.errors;
        counters += w.counters;
        end = std::max(end, w.measure_end_ns);
        inflight_sum += w.inflight_ns_sum;
        if (r.setup.empty()) r.setup = w.setup;
    }
    r.counters = counters_of(counters);
    if (interrupted() && r.status == run_status::ok) {
        r.status = run_status::interrupted;
        r.reason = "interrupted";
    }
    const uint64_t window = end > clock.measure_start_ns ? end - clock.measure_start_ns : 0;
    r.duration_s = static_cast<double>(window) / 1e9;
    if (window > 0) {
        r.iops = static_cast<double>(r.ops) / r.duration_s;
        r.bytes_per_sec = static_cast<double>(r.bytes) / r.duration_s;
        r.achieved_iodepth = inflight_sum / static_cast<double>(window);
    }
    r.cpu = cpu1 - cpu0;
    if (r.ops) r.cpu_per_op_ns = (r.cpu.user_s + r.cpu.sys_s) * 1e9 / static_cast<double>(r.ops);
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
    return r;
}

}  // namespace iobench
