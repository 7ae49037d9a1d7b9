// Results made up for the gate's tests: runs whose repetitions have chosen
// IOPS, latency and CPU per op, folded as the harness folds them, and the
// sides of a comparison built from them (in memory or as files on disk).
#pragma once

#include "results/compare_inputs.hpp"
#include "results/repetitions.hpp"
#include "results/writer.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace iobench::test {

inline host_facts gate_host() {
    host_facts h;
    h.hostname = "ci-runner";
    h.kernel = "6.1.0-test";
    h.cpu_model = "Test CPU";
    h.cores = 2;
    h.liburing_version = "2.3";
    h.target_fs = "ext4";
    h.target_device = "vda";
    h.cpufreq_governor = "unavailable";
    h.queue_scheduler = "mq-deadline";
    return h;
}

inline parameter_map gate_parameters(const std::string& backend, const std::string& workload) {
    return {{"backend", backend}, {"workload", workload}, {"kind", std::string("storage")}, {"bs", uint64_t{4096}},
            {"iodepth", uint64_t{32}}, {"runtime", 1.0}, {"repeat", uint64_t{5}}, {"seed", uint64_t{0}}};
}

// One repetition per IOPS figure; latency (every sample `lat_ns`) and CPU per
// op scale inversely with it, so a slower run is worse in all three.
inline run_result gate_run(const std::string& backend, const std::vector<double>& iops, double lat_ns = 100'000,
                           const std::string& workload = "randread") {
    std::vector<run_result> reps;
    for (const double x : iops) {
        run_result r;
        r.backend = backend;
        r.workload = workload;
        r.ops = static_cast<uint64_t>(x);
        r.bytes = r.ops * 4096;
        r.duration_s = 1;
        r.iops = x;
        r.bytes_per_sec = x * 4096;
        const double scale = 100'000 / x;
        for (int i = 0; i < 100; ++i) r.latency.record(static_cast<uint64_t>(lat_ns * scale) + static_cast<uint64_t>(i));
        r.cpu = {0.1 * scale, 0.2 * scale};
        r.cpu_per_op_ns = 3000 * scale;
        reps.push_back(std::move(r));
    }
    run_result out = combine_repetitions(std::move(reps));
    out.parameters = gate_parameters(backend, workload);
    return out;
}

inline compare_file gate_file(std::vector<run_result> runs, const std::string& job = "",
                              const std::string& path = "mem.json") {
    compare_file f{path, job, {}};
    f.file.schema = schema_name;
    f.file.context.host = gate_host();
    f.file.context.started_at = "2026-01-01T00:00:00Z";
    f.file.context.command_line = "iobench run";
    f.file.results = std::move(runs);
    return f;
}

inline compare_side gate_side(std::vector<compare_file> files, const std::string& given = "side") {
    compare_side s;
    s.given = given;
    s.files = std::move(files);
    return s;
}

// A results file on disk, written by the real JSON writer.
inline void write_results(const std::filesystem::path& p, const compare_file& f) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p);
    auto w = make_json_writer(out);
    w->begin(f.file.context);
    for (const auto& r : f.file.results) w->add(r);
    w->end();
}

}  // namespace iobench::test
