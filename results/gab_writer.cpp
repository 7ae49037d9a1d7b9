// github-action-benchmark's custom tools: customBiggerIsBetter and
// customSmallerIsBetter each read a JSON array of {name, unit, value, extra}.
// Bigger: IOPS (req/s for network runs) and bytes/s. Smaller: p50, p99 and
// CPU per op, in ns. `value` is the run's median over its repetitions (the
// merged histogram's percentile for latency); `extra` says how many
// repetitions and their spread, which the action shows in its tooltip.
#include "results/exports.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace iobench {

namespace {

using nlohmann::ordered_json;

std::string extra_of(const run_result& r) {
    char buf[160];
    if (!r.spread) {
        std::snprintf(buf, sizeof buf, "status %s; 1 repetition", std::string(to_string(r.status)).c_str());
        return buf;
    }
    std::snprintf(buf, sizeof buf, "status %s; %zu repetitions; iops %.0f..%.0f, cv %.1f%%; p99 cv %.1f%%",
                  std::string(to_string(r.status)).c_str(), r.repetitions.size(), r.spread->iops.min,
                  r.spread->iops.max, r.spread->iops.cv * 100, r.spread->p99.cv * 100);
    return buf;
}

ordered_json item(const std::string& name, const char* unit, double value, const std::string& extra) {
    return {{"name", name}, {"unit", unit}, {"value", value}, {"extra", extra}};
}

}  // namespace

void write_gab_json(std::ostream& out, const std::vector<result_file>& docs, gab_direction d) {
    ordered_json list = ordered_json::array();
    for (const result_file& doc : docs) {
        for (const run_result& r : doc.results) {
            if (!export_has_measurement(r)) continue;
            const std::string name = export_run_name(doc.context, r);
            const std::string extra = extra_of(r);
            if (d == gab_direction::bigger_is_better) {
                list.push_back(item(name + " iops", r.net ? "req/s" : "ops/s", r.iops, extra));
                list.push_back(item(name + " bytes_per_sec", "B/s", r.bytes_per_sec, extra));
            } else {
                list.push_back(item(name + " p50", "ns", static_cast<double>(r.latency.percentile(50)), extra));
                list.push_back(item(name + " p99", "ns", static_cast<double>(r.latency.percentile(99)), extra));
                list.push_back(item(name + " cpu_per_op", "ns", r.cpu_per_op_ns, extra));
            }
        }
    }
    out << list.dump(2) << '\n';
}

}  // namespace iobench
