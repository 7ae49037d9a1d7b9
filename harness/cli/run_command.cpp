// The verbs that measure: run, serve and load. Each run's results go to the
// table (stdout) and, with -o, to a JSON file written to a temporary name and
// renamed into place; the suite verb runs its jobs through cmd_run. SIGINT or
// SIGTERM still writes what finished (and the run in progress, "interrupted").
#include "harness/cli/run_command.hpp"

#include "harness/cli/errors.hpp"
#include "harness/cli/output_file.hpp"
#include "harness/net/net_runner.hpp"
#include "harness/net/netns.hpp"
#include "harness/run/run_plan.hpp"
#include "harness/storage/storage_runner.hpp"
#include "harness/transfer/transfer_runner.hpp"
#include "harness/transfer/transfer_sides.hpp"
#include "harness/system/host_info.hpp"
#include "harness/system/interrupt.hpp"
#include "harness/system/preflight.hpp"
#include "results/exports.hpp"
#include "results/json_reader.hpp"
#include "results/writer.hpp"
#include "workloads/verify_pattern.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <unistd.h>

namespace iobench {

namespace {
// The invocation's parameters, typed: sizes in bytes, durations in seconds,
// flags as booleans, null where one does not apply (runtime with --ops).
parameter_map parameters_of(const run_options& o) {
    auto secs = [](uint64_t ns) { return param_value(static_cast<double>(ns) / 1e9); };
    auto num = [](uint64_t v) { return param_value(v); };
    std::string backends;
    for (const auto& b : o.backends) backends += (backends.empty() ? "" : ",") + b;
    parameter_map p{
        {"backend", backends}, {"workload", o.workload}, {"jobs", num(o.jobs)},
        {"runtime", o.ops ? param_value() : secs(o.runtime_ns)}, {"ramp", secs(o.ramp_ns)},
        {"repeat", num(o.repeat)}, {"interval", secs(o.interval_ns)},
        {"steady_state", o.steady.enabled ? param_value(o.steady.text) : param_value()},
        {"sqpoll_idle_ms", num(o.sqpoll_idle_ms)}, {"sqpoll_cpu", param_int(o.sqpoll_cpu)},
        {"aio_notify", o.notify == aio_notify::suspend ? "suspend" : o.notify == aio_notify::signal ? "signal" : "thread"},
        {"strict", o.strict},
    };
    if (o.transfer) {
        std::string methods;
        for (const auto& m : o.methods) methods += (methods.empty() ? "" : ",") + m;
        p.insert({{"kind", "transfer"}, {"bs", num(o.bs)}, {"size", num(o.size)}, {"method", methods},
                  {"cache", o.cold ? "cold" : "warm"}, {"direct", o.direct}, {"netns", o.netns}, {"mode", "closed-loop"}});
        return p;
    }
    if (o.network()) {
        p.insert({{"kind", "network"}, {"connections", num(o.connections)}, {"msg_size", num(o.msg_size)},
                  {"client_backend", o.client_backend}, {"rate", o.rate}, {"pipeline", num(o.pipeline)},
                  {"zerocopy", o.zerocopy}, {"multishot", o.multishot}, {"buf_size", num(o.buf_size)},
                  {"buf_count", num(o.buf_count)}, {"listen", o.listen}, {"target", o.target}, {"netns", o.netns},
                  {"mode", o.rate > 0 ? "open-loop" : "closed-loop"}});
        // Only with libwebsockets, so native runs' parameters stay as they were.
        if (o.server != "native") p.insert({"server", o.server});
        if (!o.ws_protocol.empty()) p.insert({"ws_protocol", o.ws_protocol});
        if (o.server == "lws-libev") {
            std::string evs;
            for (const auto& e : o.ev_backends) evs += (evs.empty() ? "" : ",") + e;
            p.insert({"ev_backend", evs});
        }
        return p;
    }
    p.insert({{"kind", "storage"}, {"bs", num(o.bs)}, {"iodepth", num(o.iodepth)}, {"size", num(o.size)},
              {"ops", num(o.ops)}, {"direct", !o.buffered}, {"rwmixread", num(o.rwmixread)},
              {"fsync", num(o.fsync_every)}, {"verify", o.verify}, {"seed", num(o.seed)}, {"batch", num(o.batch)},
              {"registered_files", o.registered_files}, {"fixed_buffers", o.fixed_buffers}, {"mode", "closed-loop"},
              {"aio_fds", o.aio_fds == aio_fd_mode::one ? "one" : "per-slot"}});
    return p;
}

// Writes every result to the table (stdout) and, with -o, to JSON.
class result_sinks {
public:
    // Opens -o at once: a bad path is bad input, found before any work.
    result_sinks(const run_options& o, const std::string& raw, const run_hooks& hooks = {})
        : opts_(o), hooks_(hooks), json_out_(o.output), output_(o.output), quiet_(o.quiet) {
        ctx_.job = hooks.job;
        ctx_.command_line = raw;
        ctx_.started_at = utc_timestamp();
        ctx_.parameters = parameters_of(o);
        for (export_file f : export_files(o.formats))
            exports_.push_back({f, std::make_unique<output_file>(export_path_beside(o.output, f), "--format")});
    }
    // Host facts and the preflight, before the first run: its warnings go to
    // stderr and into the results; --strict refuses (exit 2) instead.
    void prepare(const std::string& target_path = {}) {
        ctx_.host = collect_host_facts(target_path);
        ctx_.warnings = check_before_runs(opts_, ctx_.host, target_path);
        prepared_ = true;
    }
    void begin(const std::string& target_path = {}) {
        if (!prepared_) prepare(target_path);
        // stdout carries one thing: the table, or the JSON with -o -.
        if (!json_out_.to_stdout()) table_ = make_table_writer(std::cout);
        if (hooks_.table_copy) table_copy_ = make_table_writer(*hooks_.table_copy);
        if (json_out_.stream()) json_ = make_json_writer(*json_out_.stream());
        for (auto* w : {table_.get(), table_copy_.get(), json_.get()})
            if (w) writers_.push_back(w);
        for (auto& w : writers_) w->begin(ctx_);
    }
    // Each run carries the invocation's parameters with its own backend.
    void add(run_result r) {
        r.parameters = ctx_.parameters;
        r.parameters["backend"] = r.backend;
        if (const auto colon = r.backend.find(':'); r.parameters.count("ev_backend") && colon != std::string::npos)
            r.parameters["ev_backend"] = r.backend.substr(colon + 1);
        failed_ = failed_ || r.status == run_status::error || r.status == run_status::interrupted;
        for (auto& w : writers_) w->add(r);
        if (hooks_.finished || !exports_.empty()) runs_.push_back(std::move(r));
    }
    int end() {
        for (auto* t : {table_.get(), table_copy_.get()})
            if (t) t->end();
        if (json_) {
            json_->end();
            json_out_.commit();
            if (!quiet_ && !json_out_.to_stdout()) std::fprintf(stderr, "iobench: results in %s\n", output_.c_str());
        }
        std::vector<result_file> doc{{schema_name, ctx_, std::move(runs_)}};
        for (auto& [format, file] : exports_) {  // made from the same runs as the JSON
            write_export(*file->stream(), format, doc);
            file->commit();
        }
        if (hooks_.finished) hooks_.finished->push_back(std::move(doc.front()));
        // Interrupted: every finished run and the one in progress are written
        // above; the exit code says which signal ended it (130, 143).
        if (interrupted() && !allow_interrupt_) {
            std::fprintf(stderr, "iobench: interrupted by %s: the finished runs and the one in progress (\"interrupted\") "
                                 "were written\n", interrupt_name());
            return interrupt_exit_code();
        }
        return failed_ ? exit_failure : exit_ok;
    }
    void allow_interrupt() { allow_interrupt_ = true; }  // serve: Ctrl-C is how it ends

private:
    const run_options& opts_;
    run_hooks hooks_;
    bool prepared_ = false;
    output_file json_out_;
    std::string output_;
    bool quiet_;
    run_context ctx_;
    std::unique_ptr<results_writer> table_, table_copy_, json_;
    std::vector<std::pair<export_file, std::unique_ptr<output_file>>> exports_;  // --format beyond json
    std::vector<run_result> runs_;  // kept only for exports_ and hooks_.finished
    std::vector<results_writer*> writers_;
    bool failed_ = false, allow_interrupt_ = false;
};

void announce(const run_options& o, const run_plan& plan, const std::string& name, unsigned repetition) {
    if (o.quiet) return;
    if (plan.repeat > 1)
        std::fprintf(stderr, "iobench: %s %s (repetition %u of %u) ...\n", name.c_str(), o.workload.c_str(),
                     repetition + 1, plan.repeat);
    else
        std::fprintf(stderr, "iobench: %s %s ...\n", name.c_str(), o.workload.c_str());
}

}  // namespace

// Every backend x workload, --repeat times, interleaved, as the run plan says.
int cmd_run(const run_options& o, const std::string& raw, const run_hooks& hooks) {
    const run_plan plan = plan_of(o);
    result_sinks sinks(o, raw, hooks);
    const done_fn add = [&](run_result r) { sinks.add(std::move(r)); };
    if (o.network()) {
        std::optional<netns_pair> ns;
        if (o.netns) ns.emplace();  // one pair for every backend of this run
        sinks.begin();
        run_interleaved(o.backends, plan, [&](const std::string& name, unsigned rep) {
            announce(o, plan, name, rep);
            return run_network_backend(name, o, plan, ns ? &*ns : nullptr);
        }, add);
        return sinks.end();
    }
    // transfer: the file must hold the pattern, so the receivers can check every byte.
    test_file target({o.file, o.file.empty() ? o.dir : "", o.size, o.seed ^ default_pattern_seed, o.verify || o.transfer});
    sinks.begin(target.path());
    if (o.transfer) {
        std::optional<netns_pair> ns;
        if (o.netns) ns.emplace();  // one pair for every row
        run_interleaved(transfer_rows(o), plan, [&](const std::string& row, unsigned rep) {
            announce(o, plan, row, rep);
            return run_transfer_row(row, o, plan, target, ns ? &*ns : nullptr);
        }, add);
        return sinks.end();
    }
    run_interleaved(o.backends, plan, [&](const std::string& name, unsigned rep) {
        announce(o, plan, name, rep);
        return run_storage_backend(name, o, plan, target);
    }, add);
    return sinks.end();
}

int cmd_serve(const run_options& o, const std::string& raw) {
    result_sinks sinks(o, raw);
    sinks.allow_interrupt();
    if (o.transfer) {
        test_file file({o.file, o.file.empty() ? o.dir : "", o.size, o.seed ^ default_pattern_seed, true});
        sinks.prepare(file.path());
        run_result r = serve_transfer(o, file);
        sinks.begin(file.path());
        sinks.add(std::move(r));
        return sinks.end();
    }
    sinks.prepare();
    run_result r = serve_network(o);
    sinks.begin();
    sinks.add(std::move(r));
    return sinks.end();
}

int cmd_load(const run_options& o, const std::string& raw) {
    result_sinks sinks(o, raw);
    sinks.begin();
    if (o.transfer) {
        sinks.add(load_transfer(o));
        return sinks.end();
    }
    run_result r = load_network(o, plan_of(o));
    mark_interrupted(r);
    sinks.add(std::move(r));
    return sinks.end();
}

}  // namespace iobench
