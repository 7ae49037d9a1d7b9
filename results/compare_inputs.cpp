// Reading the two sides of a comparison: a results file, or every iobench
// result in a directory, each file named by its job.
#include "results/compare_inputs.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
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

nlohmann::ordered_json parse_text(const std::string& path, const std::string& text) {
    try {
        return parse_results_text(text);
    } catch (const std::runtime_error& e) {
        throw compare_input_error(path + ": " + one_line(e.what()));
    }
}

result_file read_doc(const std::string& path, const nlohmann::ordered_json& doc) {
    try {
        return read_results_doc(doc);
    } catch (const std::runtime_error& e) {
        throw compare_input_error(path + ": " + one_line(e.what()));
    }
}

}  // namespace

std::string job_of_file(const std::string& path, const result_file& f, bool in_directory) {
    if (!f.context.job.empty() || !in_directory) return f.context.job;
    return fs::path(path).stem().string();
}

compare_side read_compare_side(const std::string& path) {
    compare_side side;
    side.given = path;
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
        result_file f = read_doc(path, parse_text(path, slurp(path)));
        const std::string job = job_of_file(path, f, false);
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
        const std::string file = p.string();
        const auto doc = parse_text(file, slurp(file));  // a truncated file is bad input, named
        if (is_beside_the_results(doc)) {  // an export or a report, not refused
            side.skipped.push_back(file);
            continue;
        }
        result_file f = read_doc(file, doc);
        const std::string job = job_of_file(file, f, true);
        side.files.push_back({file, job, std::move(f)});
    }
    if (side.files.empty()) throw compare_input_error(path + ": no iobench results file (*.json) in it");
    return side;
}

}  // namespace iobench
