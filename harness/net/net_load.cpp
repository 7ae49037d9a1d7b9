// The load generator: worker loops that each own a backend and a share of the
// connections (net_load_worker.cpp), plus a watchdog thread that starts them
// together and unsticks blocked sockets (shutdown) when in-flight requests
// outlive the drain time.
#include "harness/net/net_load.hpp"

#include "harness/system/clock.hpp"
#include "harness/system/interrupt.hpp"
#include "harness/system/thread_cpu.hpp"
#include "harness/net/net_load_worker.hpp"
#include "harness/run/run_plan.hpp"
#include "workloads/net_workload.hpp"

#include <algorithm>
#include <sys/socket.h>
#include <system_error>
#include <thread>
#include <vector>

namespace iobench {

using load_detail::drain_ns;
using load_detail::load_worker;
using load_detail::shared_state;

load_result run_load(const load_options& o) {
    load_result r;
    r.mode = o.rate > 0 ? "open-loop" : "closed-loop";
    const backend_entry* entry = find_backend(o.backend);
    if (!entry) {
        r.ok = false;
        r.error = "unknown client backend '" + o.backend + "'";
        return r;
    }
    if (auto p = entry->probe(probe_context{io_target::socket, {}, false}); !p.ok) {
        r.ok = false;
        r.unsupported = true;
        r.error = "client backend " + p.reason;
        return r;
    }
    const net_workload* w = find_net_workload(o.workload);
    if (!w) {
        r.ok = false;
        r.error = "unknown network workload '" + o.workload + "'";
        return r;
    }
    if (o.connections == 0 || (w->sized && o.msg_size == 0)) {
        r.ok = false;
        r.error = "need at least one connection and a message size above 0";
        return r;
    }
    // A thread per connection for thread-per-op backends, else `threads` loops.
    const bool per_conn = entry->caps & cap_one_op_per_thread;
    const unsigned workers = per_conn ? o.connections : std::clamp(o.threads, 1u, o.connections);
    shared_state sh(workers, *w);
    sh.timeline = timeline_shape_for(o.runtime_ns, o.interval_ns, workers);
    std::vector<std::unique_ptr<load_worker>> ws;
    for (unsigned w = 0, first = 0; w < workers; ++w) {
        const unsigned count = o.connections / workers + (w < o.connections % workers ? 1 : 0);
        ws.push_back(std::make_unique<load_worker>(o, *entry, sh, first, count));
        first += count;
    }

    // The watchdog: one shared start instant, then shutdown() for sockets
    // whose requests outlive the drain time (a blocked thread cannot do it itself).
    std::jthread watchdog([&] {
        const thread_role role(thread_class::load, "ib-load-watch");
        sh.ready.wait();
        const uint64_t mono = now_ns();
        uint64_t start = mono;
        if (o.start_at_ns) {
            timespec rt;
            ::clock_gettime(CLOCK_REALTIME, &rt);
            const uint64_t real =
                static_cast<uint64_t>(rt.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(rt.tv_nsec);
            if (o.start_at_ns > real) start = mono + (o.start_at_ns - real);
        }
        sh.start_ns = start;
        sh.measure_ns = start + o.ramp_ns;
        sh.stop_ns = sh.measure_ns + o.runtime_ns;
        while (now_ns() < start && !sh.abort.load() && !interrupted())
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        sh.go.count_down();
        uint64_t abort_at = 0;
        bool shut = false;
        // The window's edges (run_plan.hpp), to within one 5 ms tick: the
        // whole process's CPU, so what RUSAGE_THREAD sums miss, glibc's AIO
        // helpers and io_uring's SQPOLL thread, is in here; in `run` so is the server.
        window_edges edges;
        while (sh.drained.load() < workers) {
            const uint64_t now = now_ns();
            if (!abort_at && (sh.abort.load() || interrupted())) abort_at = now;
            const uint64_t end = abort_at ? std::min(abort_at, sh.stop_ns) : sh.stop_ns;
            if (!edges.started() && now >= sh.measure_ns) edges.at_start();
            else if (edges.started() && now >= end) edges.at_end();
            if (!shut && now > end + drain_ns + drain_ns / 4) {
                for (int fd : sh.all_fds) ::shutdown(fd, SHUT_RDWR);
                shut = true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        edges.at_end();  // the workers drained within a tick
        r.process_cpu_user_s = edges.cpu().user_s;
        r.process_cpu_sys_s = edges.cpu().sys_s;
        r.cpu_window_start = edges.start_sample();  // by thread, for the side split (net_runner)
        r.cpu_window_end = edges.end_sample();
        r.neighbour = edges.neighbour();
        sh.may_close.count_down();
    });
    {
        std::vector<std::jthread> threads;
        unsigned started = 1;
        try {
            for (; started < workers; ++started) threads.emplace_back([&, w = started] { ws[w]->run(); });
        } catch (const std::system_error& e) {  // e.g. thread-per-connection beyond the thread limit
            sh.fail("starting load thread " + std::to_string(started) + " of " + std::to_string(workers) + ": " +
                    e.what());
            for (unsigned w = started; w < workers; ++w) {  // stand in for the threads that never ran
                sh.ready.count_down();
                sh.drained.fetch_add(1);
            }
        }
        ws[0]->run();
    }
    watchdog.join();

    std::vector<const interval_recorder*> timelines;
    double inflight_ns = 0;
    for (auto& w : ws) {
        const load_result& x = w->result;
        timelines.push_back(&w->timeline);
        for (const auto& s : w->timeline.slots()) inflight_ns += s.inflight_ns_sum;
        r.censored.merge(x.censored);
        r.censored_oldest_ns = std::max(r.censored_oldest_ns, x.censored_oldest_ns);
        r.latency.merge(x.latency);
        r.requests += x.requests;
        r.bytes_sent += x.bytes_sent;
        r.bytes_received += x.bytes_received;
        r.errors += x.errors;
        r.live_connections += x.live_connections;
        r.reconnects += x.reconnects;
        r.cpu_user_s += x.cpu_user_s;
        r.cpu_sys_s += x.cpu_sys_s;
    }
    // The window ends at the deadline, or earlier when the run was stopped.
    uint64_t end = sh.stop_ns;
    for (auto& w : ws)
        if (w->stopped_ns) end = std::min(end, w->stopped_ns);
    const uint64_t window = end > sh.measure_ns ? end - sh.measure_ns : 0;
    r.duration_s = static_cast<double>(window) / 1e9;
    r.timeline = merge_timeline(timelines, window);
    if (o.rate <= 0 && window > 0) r.inflight_mean = inflight_ns / static_cast<double>(window);
    if (!sh.error.empty()) {
        r.ok = false;
        r.error = sh.error;
    } else if (r.requests == 0 && r.censored.count() > 0) {
        // Connected, sent, and nothing came back: a result of zeros would read as a slow server.
        r.ok = false;
        r.error = "ETIMEDOUT: the server answered none of the " + std::to_string(r.censored.count()) +
                  " requests in flight over the " + std::to_string(window / 1'000'000) +
                  " ms window (it accepted the connections: is it serving --workload " + o.workload + "?)";
    }
    r.achieved_rate = r.duration_s > 0 ? static_cast<double>(r.requests) / r.duration_s : 0;
    r.setup = ws[0]->result.setup.empty() ? std::string(entry->name) : ws[0]->result.setup;
    if (per_conn) r.setup += "; one thread per connection (" + std::to_string(workers) + "), --threads ignored";
    else r.setup += "; " + std::to_string(workers) + (workers == 1 ? " loop thread" : " loop threads");
    return r;
}

}  // namespace iobench
