// The network verbs: wire net_server and run_load together and turn what they
// measured into run_results.
#include "harness/net/net_runner.hpp"

#include "backends/registry.hpp"
#include "harness/system/clock.hpp"
#include "harness/system/fd_limit.hpp"
#include "harness/system/interrupt.hpp"
#include "harness/system/result_counters.hpp"
#include "harness/system/thread_cpu.hpp"
#include "harness/net/net_load.hpp"
#include "harness/net/net_server.hpp"
#include "harness/cli/errors.hpp"
#include "harness/net/netns.hpp"
#include "harness/run/run_checks.hpp"
#include "workloads/net_workload.hpp"

#include <cstdio>
#include <ctime>
#include <optional>
#include <thread>

namespace iobench {

namespace {

server_options server_options_of(const std::string& backend, const run_options& o) {
    server_options s;
    s.backend = backend;
    // --server lws*: the label says which loop ("lws:io_uring", "lws-libev:epoll").
    if (o.server != "native") {
        const size_t colon = backend.find(':');
        s.server = o.server;
        const std::string rest = colon == std::string::npos ? backend : backend.substr(colon + 1);
        if (o.server == "lws-libev") s.ev_backend = rest;
        else s.backend = rest;
    }
    s.listen = parse_net_address(o.listen, "--listen");
    s.workload = o.workload;
    s.max_connections = std::max(1024u, o.connections + 16);
    s.buf_size = o.buf_size;
    s.buf_count = o.buf_count;
    s.multishot = o.multishot;
    s.zerocopy = o.zerocopy;
    s.backend_opts = backend_options_for(o, s.max_connections);
    return s;
}

load_options load_options_of(const run_options& o, const run_plan& plan, const net_address& target) {
    load_options l;
    l.backend = o.client_backend;
    l.target = target;
    l.workload = o.workload;
    l.connections = o.connections;
    l.threads = o.jobs;
    l.msg_size = o.msg_size;
    l.pipeline = o.pipeline;
    l.ws_protocol = o.ws_protocol;
    l.runtime_ns = plan.runtime_ns;
    l.ramp_ns = plan.ramp_ns;
    l.interval_ns = plan.interval_ns;
    l.fault_op_delay_ns = plan.op_delay_ns;
    l.rate = o.rate;
    l.backend_opts = backend_options_for(o, o.connections);
    if (o.start_at > 0) l.start_at_ns = static_cast<uint64_t>(o.start_at * 1e9);
    return l;
}

// What the load side measured: ops, bytes, latency and the client's facts.
void fill_from_load(run_result& r, const load_result& l, const run_options& o) {
    net_facts& n = r.net.emplace();
    if (!l.ok) {
        r.status = run_status::error;
        r.reason = l.error;
    }
    r.ops = l.requests;
    r.errors = l.errors;
    r.latency = l.latency;
    r.duration_s = l.duration_s;
    r.neighbour = l.neighbour;
    // Payload that crossed the connection and came back (echo, http), or was pushed (stream).
    r.bytes = o.net->one_way ? l.bytes_sent : l.bytes_received;
    if (l.duration_s > 0) {
        r.iops = static_cast<double>(l.requests) / l.duration_s;
        r.bytes_per_sec = static_cast<double>(r.bytes) / l.duration_s;
    }
    n.gbit_per_sec = r.bytes_per_sec * 8 / 1e9;
    n.mode = l.mode;
    n.client_backend = o.client_backend;
    n.client_setup = l.setup;
    n.connections = o.connections;
    n.live_connections = l.live_connections;
    n.reconnects = l.reconnects;
    n.msg_size = o.msg_size;
    n.target_rate = o.rate;
    n.achieved_rate = l.achieved_rate;
    n.bytes_sent = l.bytes_sent;
    n.bytes_received = l.bytes_received;
    n.client_cpu = {l.cpu_user_s, l.cpu_sys_s};
    r.cpu = {l.process_cpu_user_s, l.process_cpu_sys_s};
    r.timeline = l.timeline;
}

// The run plan's self-checks and achieved-vs-requested on what the load side
// measured; last, so a server error found later is not hidden behind "suspect".
void finish_checks(run_result& r, const load_result& l, const run_options& o) {
    check_inputs in;
    in.inflight_mean = l.inflight_mean;
    in.censored = l.censored;
    in.censored_oldest_ns = l.censored_oldest_ns;
    apply_checks(r, in);
    achieved_facts a;
    a.rate_requested = o.rate;
    a.rate = o.rate > 0 ? l.achieved_rate : 0;
    a.connections_requested = o.connections;
    a.connections_live = l.live_connections;
    apply_achieved(r, a);
}

std::string accept_fd_text(uint64_t failures) {
    return "server: accept failed " + std::to_string(failures) + " time(s) with EMFILE" + fd_limit_hint(EMFILE);
}

void fill_from_server(run_result& r, const server_stats& s) {
    net_facts& n = r.net ? *r.net : r.net.emplace();
    r.setup = s.setup;
    r.counters = counters_of(s.counters);
    n.server_accepted = s.accepted;
    n.server_requests = s.requests;
    n.server_bytes_in = s.bytes_in;
    n.server_bytes_out = s.bytes_out;
    n.server_errors = s.errors;
    if (!s.error.empty() && r.status == run_status::ok) {
        r.status = run_status::error;
        r.reason = "server: " + s.error;
    }
    if (s.hoarders_closed)
        r.notes.push_back("server: " + std::to_string(s.hoarders_closed) +
                          " connection(s) closed for pinning the buffer ring while their output did not move "
                          "(clients that stopped reading)");
    // Clients left in the listen backlog were never served: the figures
    // describe fewer connections than asked for.
    if (s.accept_fd_errors && r.status == run_status::ok) {
        r.status = run_status::error;
        r.reason = accept_fd_text(s.accept_fd_errors);
    }
}

// The window's CPU by thread class, and the load side's share of it, from
// the load generator's samples at the window's edges.
void split_network_cpu(run_result& r, const load_result& l, const split_rules& rules) {
    if (!l.cpu_window_start.valid || !l.cpu_window_end.valid) return;
    const cpu_split s = split_window(l.cpu_window_start, l.cpu_window_end, rules);
    set_window_cpu(r, s);
    r.net->client_cpu = s.client;
}

// CPU per op from the whole process over the window: in `run` that is both
// sides plus what neither side's thread sums see (glibc's AIO helpers).
void finish_cpu(run_result& r) {
    if (r.ops) r.cpu_per_op_ns = (r.cpu.user_s + r.cpu.sys_s) * 1e9 / static_cast<double>(r.ops);
}

}  // namespace

run_result run_network_backend(const std::string& backend_name, const run_options& o, const run_plan& plan,
                               const netns_pair* ns) {
    run_result r;
    r.counters = counters_of({});
    r.backend = backend_name;
    r.workload = o.workload;
    try {
        server_options so = server_options_of(backend_name, o);
        if (ns) so.listen = parse_net_address(ns->server_ip() + ":0", "--listen");
        std::optional<net_server> server;
        {
            // The listening socket is made here, in the server's namespace;
            // accepted connections stay there whatever thread serves them.
            std::optional<netns_guard> in_ns;
            if (ns) in_ns.emplace(ns->server_ns());
            server.emplace(so);
        }
        server->start();
        load_result l;
        {
            // Load threads are started from here, so they (and their sockets) live in the client namespace.
            std::optional<netns_guard> in_ns;
            if (ns) in_ns.emplace(ns->client_ns());
            l = run_load(load_options_of(o, plan, server->address()));
        }
        fill_from_load(r, l, o);
        r.net->target = server->address().to_string();
        server->stop();
        fill_from_server(r, server->stats());
        // Both sides share the process: over the window, the server's CPU is
        // the process's less the load side's (its threads, its rings' kernel
        // threads, glibc's helpers when only the client uses posix_aio).
        split_network_cpu(r, l, network_split_rules(backend_name, o.client_backend));
        r.net->server_cpu = r.cpu - r.net->client_cpu;
        finish_checks(r, l, o);
        if (backend_name == "posix_aio" && o.client_backend == "posix_aio")
            r.notes.push_back("posix_aio on both sides: glibc's helper threads serve both and cannot be told apart; "
                              "their CPU is counted on the server's side");
    } catch (const unsupported_error& e) {  // net_server probed the backend: it cannot serve sockets here
        r.status = run_status::unsupported;
        r.reason = e.what();
        return r;
    } catch (const std::exception& e) {
        r.status = run_status::error;
        r.reason = e.what();
        return r;
    }
    finish_cpu(r);
    if (const std::string f = fault_note(plan); !f.empty()) r.notes.push_back(f);
    r.notes.push_back(r.net->mode + ", " + std::to_string(o.connections) + " connections, load generator on " +
                      o.client_backend + (ns ? ", server and load in two network namespaces over a veth pair"
                                              : " in the same process, over loopback"));
    if (r.ops == 0 && r.status == run_status::ok && !interrupted()) {  // a signal in the ramp: "interrupted", not an error
        r.status = run_status::error;
        r.reason = "no request completed inside the measured window";
    }
    return r;
}

run_result serve_network(const run_options& o) {
    run_result r;
    r.counters = counters_of({});
    r.backend = o.backends.front();
    r.workload = o.workload;
    net_server server(server_options_of(r.backend, o));  // throws the probe's reason when the backend cannot serve
    server.start();
    const std::string where = server.address().to_string();
    std::fprintf(stderr, "iobench: serving %s on %s with %s (%s); Ctrl-C stops\n", o.workload.c_str(), where.c_str(),
                 r.backend.c_str(), server.stats().setup.c_str());
    const uint64_t t0 = now_ns();
    const cpu_sample cpu0 = sample_cpu();
    uint64_t last_requests = 0;
    bool fd_warned = false;
    // Poll the stop conditions every 200 ms; report once a second.
    for (unsigned tick = 1; !interrupted() && (o.runtime_ns == 0 || now_ns() - t0 < o.runtime_ns); ++tick) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        if (tick % 5 || o.quiet) continue;
        const server_stats s = server.stats();
        std::fprintf(stderr, "  %llu connections, %llu requests/s\n", static_cast<unsigned long long>(s.live_connections),
                     static_cast<unsigned long long>(s.requests - last_requests));
        last_requests = s.requests;
        if (s.accept_fd_errors && !fd_warned) {
            fd_warned = true;
            std::fprintf(stderr, "iobench: %s\n", accept_fd_text(s.accept_fd_errors).c_str());
        }
    }
    server.stop();
    const uint64_t elapsed = now_ns() - t0;
    const cpu_sample cpu1 = sample_cpu();
    fill_from_server(r, server.stats());
    net_facts& n = *r.net;
    n.side = "server";
    n.target = where;
    r.duration_s = static_cast<double>(elapsed) / 1e9;
    r.ops = n.server_requests;
    set_window_cpu(r, split_window(cpu0, cpu1, network_split_rules(r.backend, "")));
    n.server_cpu = r.cpu;  // the process only serves: every thread it has is the server's
    r.bytes = n.server_bytes_in;
    r.errors = n.server_errors;
    if (r.duration_s > 0) {
        r.iops = static_cast<double>(r.ops) / r.duration_s;
        r.bytes_per_sec = static_cast<double>(r.bytes) / r.duration_s;
    }
    finish_cpu(r);
    return r;
}

run_result load_network(const run_options& o, const run_plan& plan) {
    run_result r;
    r.counters = counters_of({});
    r.backend = o.client_backend;
    r.workload = o.workload;
    const net_address target = parse_net_address(o.target, "--target");
    const load_result l = run_load(load_options_of(o, plan, target));  // probes the client backend
    if (l.unsupported) throw std::runtime_error(l.error);
    fill_from_load(r, l, o);
    split_network_cpu(r, l, network_split_rules("", o.client_backend));  // the process is all load side
    r.setup = l.setup;
    r.net->side = "load";
    r.net->target = target.to_string();
    if (const std::string f = fault_note(plan); !f.empty()) r.notes.push_back(f);
    finish_cpu(r);
    finish_checks(r, l, o);
    return r;
}

}  // namespace iobench
