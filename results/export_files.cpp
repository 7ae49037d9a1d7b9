// --format's list, the export files' names, and the names runs have in them.
#include "results/exports.hpp"

#include <sstream>

namespace iobench {

std::optional<export_set> parse_export_list(const std::string& list, std::string& unknown) {
    export_set s;
    std::stringstream in(list);
    for (std::string item; std::getline(in, item, ',');) {
        if (item == "json") continue;
        else if (item == "csv") s.csv = true;
        else if (item == "gbench") s.gbench = true;
        else if (item == "gab") s.gab = true;
        else {
            unknown = item;
            return std::nullopt;
        }
    }
    if (list.empty() || list.back() == ',') {
        unknown = "";
        return std::nullopt;
    }
    return s;
}

std::vector<export_file> export_files(const export_set& s) {
    std::vector<export_file> v;
    if (s.csv) v.push_back(export_file::csv);
    if (s.gbench) v.push_back(export_file::gbench);
    if (s.gab) v.insert(v.end(), {export_file::gab_bigger, export_file::gab_smaller});
    return v;
}

std::string export_path_beside(const std::string& json_path, export_file f) {
    std::string stem = json_path;
    if (stem.size() > 5 && stem.ends_with(".json")) stem.erase(stem.size() - 5);
    switch (f) {
    case export_file::csv: return stem + ".csv";
    case export_file::gbench: return stem + ".gbench.json";
    case export_file::gab_bigger: return stem + ".gab-bigger.json";
    case export_file::gab_smaller: return stem + ".gab-smaller.json";
    }
    return stem;
}

std::string export_name_in_dir(export_file f) {
    switch (f) {
    case export_file::csv: return "results.csv";
    case export_file::gbench: return "gbench.json";
    case export_file::gab_bigger: return "gab-bigger.json";
    case export_file::gab_smaller: return "gab-smaller.json";
    }
    return {};
}

void write_export(std::ostream& out, export_file f, const std::vector<result_file>& docs) {
    switch (f) {
    case export_file::csv: write_csv(out, docs); return;
    case export_file::gbench: write_gbench_json(out, docs); return;
    case export_file::gab_bigger: write_gab_json(out, docs, gab_direction::bigger_is_better); return;
    case export_file::gab_smaller: write_gab_json(out, docs, gab_direction::smaller_is_better); return;
    }
}

namespace {

std::string param_text(const parameter_map& p, const char* key) {
    const auto it = p.find(key);
    if (it == p.end()) return "?";
    if (const auto* u = std::get_if<uint64_t>(&it->second)) return std::to_string(*u);
    if (const auto* s = std::get_if<std::string>(&it->second)) return *s;
    return "?";
}

bool is_network(const run_result& r) {
    const auto it = r.parameters.find("kind");
    if (it != r.parameters.end()) return it->second == param_value(std::string("network"));
    return r.net.has_value();
}

}  // namespace

std::string export_run_name(const run_context& ctx, const run_result& r) {
    if (!ctx.job.empty()) return ctx.job + "/" + r.backend;
    if (is_network(r)) return r.workload + "/connections:" + param_text(r.parameters, "connections") + "/" + r.backend;
    return r.workload + "/bs:" + param_text(r.parameters, "bs") + "/iodepth:" + param_text(r.parameters, "iodepth") +
           "/" + r.backend;
}

bool export_has_measurement(const run_result& r) {
    return (r.status == run_status::ok || r.status == run_status::suspect) && r.ops > 0;
}

}  // namespace iobench
