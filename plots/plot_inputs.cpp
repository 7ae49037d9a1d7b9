// Reading the inputs of `iobench plot` (plots/plot_inputs.hpp).
#include "plots/plot_inputs.hpp"

#include "results/json_reader.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace iobench::plots {

namespace {

namespace fs = std::filesystem;

// The reader lists schema problems one per line; bad input is one line.
std::string one_line(std::string s) {
    std::replace(s.begin(), s.end(), '\n', ' ');
    return s;
}

source_file read_one(const std::string& path) {
    source_file f{path, {}};
    try {
        f.doc = read_results_file(path);
    } catch (const std::exception& e) {
        const std::string what = one_line(e.what());
        // The reader's message usually starts with the path already.
        throw bad_input(what.rfind(path, 0) == 0 ? what : path + ": " + what);
    }
    if (f.doc.results.empty()) throw bad_input(path + ": no results in it (nothing to plot)");
    return f;
}

// In a directory, the exports beside a suite's results (gbench.json,
// gab-*.json) and compare reports are left out, as `iobench compare` leaves
// them (a Google Benchmark file is plotted when given by name). A file that
// does not parse is kept: read_one names it.
bool beside_the_results(const std::string& path) {
    std::ifstream in(path);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
        return is_beside_the_results(parse_results_text(text));
    } catch (const std::runtime_error&) {
        return false;
    }
}

std::string default_label(const fs::path& p) {
    const fs::path clean = p.filename().empty() ? p.parent_path() : p;
    return fs::is_directory(clean) ? clean.filename().string() : clean.stem().string();
}

}  // namespace

std::vector<series> read_series(const std::vector<std::string>& paths, const std::vector<std::string>& labels) {
    if (labels.size() > paths.size())
        throw bad_input("--label: " + std::to_string(labels.size()) + " labels for " + std::to_string(paths.size()) +
                        " inputs");
    std::vector<series> out;
    for (size_t i = 0; i < paths.size(); ++i) {
        const fs::path p(paths[i]);
        series s{i < labels.size() ? labels[i] : default_label(p), paths[i], {}};
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            std::vector<std::string> names;
            for (const auto& e : fs::directory_iterator(p, ec))
                if (e.is_regular_file() && e.path().extension() == ".json" && !beside_the_results(e.path().string()))
                    names.push_back(e.path().string());
            std::sort(names.begin(), names.end());
            if (names.empty()) throw bad_input(paths[i] + ": no result files (*.json) in this directory");
            for (const auto& n : names) s.files.push_back(read_one(n));
        } else {
            s.files.push_back(read_one(paths[i]));
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<plot_run> all_runs(const std::vector<series>& s) {
    std::vector<plot_run> out;
    for (unsigned i = 0; i < s.size(); ++i)
        for (const auto& f : s[i].files)
            for (const auto& r : f.doc.results) out.push_back({&s[i], i, &f, &r});
    return out;
}

}  // namespace iobench::plots
