// Fixed results for the results library's tests: a context and runs with every
// field set (storage, network, and each non-ok status), plus a field-by-field
// comparison. Nothing here measures anything: the values are made up, fixed,
// and chosen to be exact in JSON.
#pragma once

#include "results/run_result.hpp"
#include "results/writer.hpp"

#include <gtest/gtest.h>
#include <sstream>
#include <string>
#include <vector>

namespace iobench::test {

// The native JSON document of `runs`, as `iobench run -o` writes it.
inline std::string write_json(const run_context& ctx, const std::vector<run_result>& runs) {
    std::ostringstream out;
    auto w = make_json_writer(out);
    w->begin(ctx);
    for (const auto& r : runs) w->add(r);
    w->end();
    return out.str();
}

inline run_context fixed_context() {
    run_context c;
    c.host.hostname = "testhost";
    c.host.kernel = "6.1.0-test";
    c.host.cpu_model = "Test CPU @ 1.00GHz";
    c.host.liburing_version = "2.3";
    c.host.cores = 4;
    c.host.target_path = "/tmp/t.data";
    c.host.target_fs = "ext4";
    c.host.target_device = "vda";
    c.host.libaio_version = "libaio.so.1.0.2";
    c.host.glibc_version = "2.36";
    c.host.cpus_online = 4;
    c.host.cpufreq_governor = "performance";
    c.host.cpufreq_boost = "unavailable";
    c.host.queue_scheduler = "mq-deadline";
    c.host.queue_rotational = "0";
    c.host.queue_io_poll = "0";
    c.host.queue_nr_requests = "256";
    c.warnings = {"busy neighbour: other processes used 45% of a CPU over 200 ms before the first run"};
    c.command_line = "iobench run --backend blocking,io_uring --workload randrw -o r.json";
    c.started_at = "2025-01-02T03:04:05Z";
    c.parameters = {{"backend", std::string("blocking,io_uring")}, {"workload", std::string("randrw")},
                    {"bs", uint64_t{4096}}, {"direct", true}, {"runtime", std::monostate{}},
                    {"ramp", 0.5}, {"sqpoll_cpu", param_int(-1)}, {"kind", std::string("storage")}};
    return c;
}

// 200 values from 90 ns to ~36 ms (exact buckets at the low end, wide ones
// above) and one overflow: 201 samples.
inline histogram fixed_histogram(uint64_t scale) {
    histogram h;
    for (uint64_t i = 0; i < 200; ++i) h.record((90 + i * i * 900) * scale);
    h.record(1ull << 41);
    return h;
}

// Every field of the model set, a network part included.
inline run_result full_result(const run_context& ctx) {
    run_result r;
    r.backend = "io_uring";
    r.workload = "randrw";
    r.status = run_status::ok;
    r.reason = "";
    r.setup = "io_uring: SINGLE_ISSUER|DEFER_TASKRUN, \"quoted\" and a tab\there";
    r.notes = {"first note", "check: ünïcode"};
    r.parameters = ctx.parameters;
    r.parameters["backend"] = std::string("io_uring");
    r.ops = 123456;
    r.bytes = 505'675'776;
    r.errors = 2;
    r.read_ops = 86419;
    r.write_ops = 37037;
    r.fsyncs = 12;
    r.duration_s = 1.25;
    r.iops = 98764.8;
    r.bytes_per_sec = 404540620.8;
    r.latency = fixed_histogram(1);
    r.cpu = {0.375, 1.5};
    r.cpu_per_op_ns = 15187.5;
    r.achieved_iodepth = 31.75;
    r.threads = 3;
    r.counters = {{"submit_calls", 4000}, {"enobufs_rearms", 5}, {"cq_overflows", 1}, {"zc_sends", 7}, {"zc_copied", 8},
                  {"reap_calls", 4100}, {"enter_calls", 3900}, {"cqes", 123500}};
    cpu_breakdown& d = r.cpu_detail;  // adds up to cpu: 0.375 user, 1.5 sys
    d.measured = true;
    d.by_thread = {{"harness", {0.25, 0.5}, 2, 1000, 20},      {"iou-sqp", {0, 0.75}, 1, 3, 400},
                   {"iou-wrk", {0, 0}, 0, 0, 0},               {"aio-helpers", {0.0625, 0.125}, 4, 500, 6},
                   {"load", {0.0625, 0.125}, 1, 100, 2},       {"other", {0, 0}, 0, 0, 0}};
    d.residue = {0.0625, 0.125};
    d.residue_in = "aio-helpers";
    d.voluntary_cs = 1603;
    d.involuntary_cs = 428;
    d.per_op_voluntary_cs = 0.25;
    d.per_op_involuntary_cs = 0.125;
    d.calls_measured = true;
    d.per_op_submit_calls = 0.5;
    d.per_op_reap_calls = 0.75;
    d.per_op_enter_calls = 0.25;
    d.cqes_per_enter = 4;
    r.target_cached_fraction = 0.125;
    r.neighbour = neighbour_load{0.375, true};
    net_facts& n = r.net.emplace();
    n.side = "both";
    n.mode = "open-loop";
    n.target = "127.0.0.1:7000";
    n.client_backend = "epoll";
    n.client_setup = "edge-triggered epoll; 1 loop thread";
    n.connections = 64;
    n.live_connections = 63;
    n.reconnects = 9;
    n.msg_size = 64;
    n.target_rate = 100000;
    n.achieved_rate = 99000.5;
    n.bytes_sent = 7'900'000;
    n.bytes_received = 7'899'936;
    n.gbit_per_sec = 0.0505;
    n.client_cpu = {0.25, 0.5};
    n.server_cpu = {0.125, 1.0};
    n.server_accepted = 64;
    n.server_requests = 123457;
    n.server_bytes_in = 7'900'000;
    n.server_bytes_out = 7'899'936;
    n.server_errors = 1;
    // iobench/3
    r.censored = 1;  // the overflow sample above stands for an op still in flight at the end
    r.at_end = inflight_at_end{1, 1ull << 41};
    r.checks = run_checks{littles_law_check{31.75, 31.5, 0.9921875, true}, 0, true, false};
    r.achieved = achieved_facts{32, 31.75, 32, 100000, 99000.5, 64, 63, {"connections"}};
    r.steady_state = steady_state_result{true, 2.5, "iops:5%:5"};
    r.timeline = {{0, 0.5, 60000, 245760000, 4096, 65536, 131072, 31.5}, {0.5, 0.75, 63456, 259915776, 4000, 70000, 90000, 32}};
    // iobench/4: the first interval carries its own histogram, the second (as if merged from an older file) none
    r.timeline[0].min_ns = 2048;
    r.timeline[0].histogram = {{histogram::index_of(2048), 10}, {histogram::index_of(4096), 59980}, {histogram::index_of(131072), 10}};
    r.timeline[0].has_histogram = true;
    return r;
}

// A run of three repetitions, folded as the harness folds them.
inline run_result repeated_result(const run_context& ctx) {
    run_result r;
    r.backend = "libaio";
    r.workload = "randrw";
    r.setup = "libaio: io_submit/io_getevents";
    r.parameters = ctx.parameters;
    r.parameters["backend"] = std::string("libaio");
    r.threads = 1;
    r.counters = {{"submit_calls", 30}, {"enobufs_rearms", 0}, {"cq_overflows", 0}, {"zc_sends", 0}, {"zc_copied", 0}};
    for (uint64_t i = 0; i < 3; ++i) {
        run_result x;
        x.backend = r.backend;
        x.workload = r.workload;
        x.setup = r.setup;
        x.threads = 1;
        x.status = i == 1 ? run_status::suspect : run_status::ok;
        x.reason = i == 1 ? "Little's law off" : "";
        x.ops = 3;
        x.bytes = 3 * 4096;
        x.duration_s = 0.5;
        x.iops = 402 + static_cast<double>(i) * 2;
        x.bytes_per_sec = x.iops * 4096;
        for (uint64_t v : {1000u, 2000u, 3000u}) x.latency.record(v * (i + 1));  // small: the golden file stays readable
        x.cpu = {0.125, 0.25};
        x.cpu_per_op_ns = 1000 + static_cast<double>(i) * 8;
        x.achieved_iodepth = 8;
        x.counters = {{"submit_calls", 10}, {"enobufs_rearms", 0}, {"cq_overflows", 0}, {"zc_sends", 0}, {"zc_copied", 0}};
        x.checks = run_checks{littles_law_check{8, 8, 1, true}, 0, true, false};
        x.at_end = inflight_at_end{0, 0};
        x.timeline = {{0, 0.5, 3, 3 * 4096, 2000, 3000, 3000, 8}};
        r.repetitions.push_back(std::move(x));
    }
    r.status = run_status::suspect;
    r.reason = "repetition 2: Little's law off";
    r.ops = 9;
    r.bytes = 9 * 4096;
    r.duration_s = 1.5;
    r.iops = 404;
    r.bytes_per_sec = 404 * 4096;
    for (const auto& x : r.repetitions) r.latency.merge(x.latency);
    r.cpu = {0.375, 0.75};
    r.cpu_per_op_ns = 1008;
    r.achieved_iodepth = 8;
    r.checks = run_checks{littles_law_check{8, 8, 1, true}, 0, true, false};
    r.spread = run_spread{{402, 406, 0.25}, {1646592, 1662976, 0.25}, {2000, 6000, 0.5}, {3000, 9000, 0.5}, {1000, 1016, 0.125}};
    return r;
}

// One run per non-ok status, as the harness leaves them.
inline std::vector<run_result> other_results(const run_context& ctx) {
    std::vector<run_result> v;
    auto base = [&](const char* backend, run_status s, const char* reason) {
        run_result r;
        r.backend = backend;
        r.workload = "randrw";
        r.status = s;
        r.reason = reason;
        r.parameters = ctx.parameters;
        r.parameters["backend"] = std::string(backend);
        r.counters = {{"submit_calls", 0}, {"enobufs_rearms", 0}, {"cq_overflows", 0}, {"zc_sends", 0}, {"zc_copied", 0}};
        return r;
    };
    v.push_back(base("epoll", run_status::unsupported, "epoll: regular files are not pollable"));
    run_result e = base("libaio", run_status::error, "mismatch at offset 4096");
    e.ops = 201;
    e.errors = 1;
    e.latency = fixed_histogram(3);
    e.duration_s = 0.5;
    v.push_back(std::move(e));
    run_result s = base("posix_aio", run_status::suspect, "Little's law off by 12%");
    s.ops = 201;
    s.latency = fixed_histogram(2);
    v.push_back(std::move(s));
    v.push_back(base("blocking", run_status::interrupted, "interrupted"));
    return v;
}

inline void expect_same_histogram(const histogram& a, const histogram& b) {
    EXPECT_EQ(a.count(), b.count());
    EXPECT_EQ(a.sum(), b.sum());
    EXPECT_EQ(a.min(), b.min());
    EXPECT_EQ(a.max(), b.max());
    EXPECT_EQ(a.overflow(), b.overflow());
    EXPECT_EQ(a.buckets(), b.buckets());
}

inline void expect_same_cpu(const cpu_usage& a, const cpu_usage& b) {
    EXPECT_EQ(a.user_s, b.user_s);
    EXPECT_EQ(a.sys_s, b.sys_s);
}

inline void expect_same(const run_result& a, const run_result& b) {
    SCOPED_TRACE(a.backend);
    // iobench/3
    EXPECT_EQ(a.censored, b.censored);
    EXPECT_EQ(a.at_end, b.at_end);
    EXPECT_EQ(a.checks, b.checks);
    EXPECT_EQ(a.achieved, b.achieved);
    EXPECT_EQ(a.steady_state, b.steady_state);
    EXPECT_EQ(a.timeline, b.timeline);
    EXPECT_EQ(a.spread, b.spread);
    EXPECT_EQ(a.repetitions.size(), b.repetitions.size());
    for (size_t i = 0; i < std::min(a.repetitions.size(), b.repetitions.size()); ++i) {
        SCOPED_TRACE("repetition " + std::to_string(i));
        expect_same(a.repetitions[i], b.repetitions[i]);
    }
    EXPECT_EQ(a.backend, b.backend);
    EXPECT_EQ(a.workload, b.workload);
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.reason, b.reason);
    EXPECT_EQ(a.setup, b.setup);
    EXPECT_EQ(a.notes, b.notes);
    EXPECT_EQ(a.parameters, b.parameters);
    EXPECT_EQ(a.ops, b.ops);
    EXPECT_EQ(a.bytes, b.bytes);
    EXPECT_EQ(a.errors, b.errors);
    EXPECT_EQ(a.read_ops, b.read_ops);
    EXPECT_EQ(a.write_ops, b.write_ops);
    EXPECT_EQ(a.fsyncs, b.fsyncs);
    EXPECT_EQ(a.duration_s, b.duration_s);
    EXPECT_EQ(a.iops, b.iops);
    EXPECT_EQ(a.bytes_per_sec, b.bytes_per_sec);
    expect_same_histogram(a.latency, b.latency);
    expect_same_cpu(a.cpu, b.cpu);
    EXPECT_EQ(a.cpu_per_op_ns, b.cpu_per_op_ns);
    EXPECT_EQ(a.achieved_iodepth, b.achieved_iodepth);
    EXPECT_EQ(a.threads, b.threads);
    EXPECT_EQ(a.counters, b.counters);
    const cpu_breakdown &c = a.cpu_detail, &e = b.cpu_detail;
    EXPECT_EQ(c.measured, e.measured);
    EXPECT_EQ(c.by_thread, e.by_thread);
    expect_same_cpu(c.residue, e.residue);
    EXPECT_EQ(c.residue_in, e.residue_in);
    EXPECT_EQ(c.voluntary_cs, e.voluntary_cs);
    EXPECT_EQ(c.involuntary_cs, e.involuntary_cs);
    EXPECT_EQ(c.per_op_voluntary_cs, e.per_op_voluntary_cs);
    EXPECT_EQ(c.per_op_involuntary_cs, e.per_op_involuntary_cs);
    EXPECT_EQ(c.calls_measured, e.calls_measured);
    EXPECT_EQ(c.per_op_submit_calls, e.per_op_submit_calls);
    EXPECT_EQ(c.per_op_reap_calls, e.per_op_reap_calls);
    EXPECT_EQ(c.per_op_enter_calls, e.per_op_enter_calls);
    EXPECT_EQ(c.cqes_per_enter, e.cqes_per_enter);
    EXPECT_EQ(a.target_cached_fraction, b.target_cached_fraction);
    EXPECT_EQ(a.neighbour, b.neighbour);
    ASSERT_EQ(a.net.has_value(), b.net.has_value());
    if (!a.net) return;
    const net_facts &x = *a.net, &y = *b.net;
    EXPECT_EQ(x.side, y.side);
    EXPECT_EQ(x.mode, y.mode);
    EXPECT_EQ(x.target, y.target);
    EXPECT_EQ(x.client_backend, y.client_backend);
    EXPECT_EQ(x.client_setup, y.client_setup);
    EXPECT_EQ(x.connections, y.connections);
    EXPECT_EQ(x.live_connections, y.live_connections);
    EXPECT_EQ(x.reconnects, y.reconnects);
    EXPECT_EQ(x.msg_size, y.msg_size);
    EXPECT_EQ(x.target_rate, y.target_rate);
    EXPECT_EQ(x.achieved_rate, y.achieved_rate);
    EXPECT_EQ(x.bytes_sent, y.bytes_sent);
    EXPECT_EQ(x.bytes_received, y.bytes_received);
    EXPECT_EQ(x.gbit_per_sec, y.gbit_per_sec);
    expect_same_cpu(x.client_cpu, y.client_cpu);
    expect_same_cpu(x.server_cpu, y.server_cpu);
    EXPECT_EQ(x.server_accepted, y.server_accepted);
    EXPECT_EQ(x.server_requests, y.server_requests);
    EXPECT_EQ(x.server_bytes_in, y.server_bytes_in);
    EXPECT_EQ(x.server_bytes_out, y.server_bytes_out);
    EXPECT_EQ(x.server_errors, y.server_errors);
}

inline void expect_same_context(const run_context& a, const run_context& b) {
    EXPECT_EQ(a.host.hostname, b.host.hostname);
    EXPECT_EQ(a.host.kernel, b.host.kernel);
    EXPECT_EQ(a.host.cpu_model, b.host.cpu_model);
    EXPECT_EQ(a.host.liburing_version, b.host.liburing_version);
    EXPECT_EQ(a.host.cores, b.host.cores);
    EXPECT_EQ(a.host.target_path, b.host.target_path);
    EXPECT_EQ(a.host.target_fs, b.host.target_fs);
    EXPECT_EQ(a.host.target_device, b.host.target_device);
    EXPECT_EQ(a.host.libaio_version, b.host.libaio_version);
    EXPECT_EQ(a.host.glibc_version, b.host.glibc_version);
    EXPECT_EQ(a.host.cpus_online, b.host.cpus_online);
    EXPECT_EQ(a.host.cpufreq_governor, b.host.cpufreq_governor);
    EXPECT_EQ(a.host.cpufreq_boost, b.host.cpufreq_boost);
    EXPECT_EQ(a.host.queue_scheduler, b.host.queue_scheduler);
    EXPECT_EQ(a.host.queue_rotational, b.host.queue_rotational);
    EXPECT_EQ(a.host.queue_io_poll, b.host.queue_io_poll);
    EXPECT_EQ(a.host.queue_nr_requests, b.host.queue_nr_requests);
    EXPECT_EQ(a.warnings, b.warnings);
    EXPECT_EQ(a.command_line, b.command_line);
    EXPECT_EQ(a.started_at, b.started_at);
    EXPECT_EQ(a.parameters, b.parameters);
    EXPECT_EQ(a.merge_mode, b.merge_mode);
    EXPECT_EQ(a.job, b.job);
    ASSERT_EQ(a.merged_from.size(), b.merged_from.size());
    for (size_t i = 0; i < a.merged_from.size(); ++i) {
        const merge_source &x = a.merged_from[i], &y = b.merged_from[i];
        EXPECT_EQ(x.file, y.file);
        EXPECT_EQ(x.started_at, y.started_at);
        EXPECT_EQ(x.command_line, y.command_line);
        EXPECT_EQ(x.host.hostname, y.host.hostname);
        EXPECT_EQ(x.host.cores, y.host.cores);
        EXPECT_EQ(x.host.target_path, y.host.target_path);
        EXPECT_EQ(x.parameters, y.parameters);
    }
}

}  // namespace iobench::test
