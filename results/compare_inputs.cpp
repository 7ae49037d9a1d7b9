// Reading the two sides of a comparison: a results file, or every iobench
// result in a directory, each file named by its job.
#include "results/compare_inputs.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace iobench {

namespace fs = std::filesystem;

namespace {

// The reader lists schema problems one per line; bad input is one line.
std::string one_line(std::string s) {
    const char* sep = " ";
    for (size_t at; (at = s.find("\n  ")) != std::string::npos; sep = "; ") s.replace(at, 3, sep);
    return s;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw compare_input_error(path + ": cannot open it");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

result_file read_text(const std::string& path, const std::string& text) {
    std::istringstream in(text);
    try {
        return read_results_json(in);
    } catch (const std::runtime_error& e) {
        throw compare_input_error(path + ": " + one_line(e.what()));
    }
}

// Exports and reports beside the results (gbench JSON, compare output) parse
// as JSON but are not iobench results: those are left alone, not refused.
bool claims_iobench_schema(const nlohmann::json& doc) {
    if (!doc.is_object() || !doc.contains("schema") || !doc["schema"].is_string()) return false;
    return doc["schema"].get<std::string>().starts_with("iobench/");
}

}  // namespace

compare_side read_compare_side(const std::string& path) {
    compare_side side;
    side.given = path;
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
        result_file f = read_text(path, slurp(path));
        const std::string job = f.context.job;
        side.files.push_back({path, job, std::move(f)});
        return side;
    }
    side.directory = true;
    std::vector<fs::path> names;
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
        if (it->path().extension() == ".json" && it->is_regular_file()) names.push_back(it->path());
    if (ec) throw compare_input_error(path + ": cannot list it (" + ec.message() + ")");
    std::sort(names.begin(), names.end());
    for (const auto& p : names) {
        const std::string file = p.string(), text = slurp(file);
        const auto doc = nlohmann::json::parse(text, nullptr, false);
        if (!doc.is_discarded() && !claims_iobench_schema(doc)) {
            side.skipped.push_back(file);
            continue;
        }
        result_file f = read_text(file, text);
        const std::string job = f.context.job.empty() ? p.stem().string() : f.context.job;
        side.files.push_back({file, job, std::move(f)});
    }
    if (side.files.empty()) throw compare_input_error(path + ": no iobench results file (*.json) in it");
    return side;
}

}  // namespace iobench
