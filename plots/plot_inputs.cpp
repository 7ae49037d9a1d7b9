// Reading the inputs of `iobench plot` (plots/plot_inputs.hpp).
#include "plots/plot_inputs.hpp"

#include "results/json_reader.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>

namespace iobench::plots {

namespace {

namespace fs = std::filesystem;

// The reader lists schema problems one per line; bad input is one line.
std::string one_line(std::string s) {
    std::replace(s.begin(), s.end(), '\n', ' ');
    return s;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open it");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// One parse per file. In a directory (`in_directory`), the exports beside a
// suite's results (gbench.json, gab-*.json) and compare reports are left out
// (nullopt), as `iobench compare` leaves them; a Google Benchmark file is
// plotted when given by name. A file that does not parse is bad input, named.
std::optional<source_file> read_one(const std::string& path, bool in_directory) {
    source_file f{path, {}};
    try {
        const auto doc = parse_results_text(slurp(path));
        if (in_directory && is_beside_the_results(doc)) return std::nullopt;
        f.doc = read_results_doc(doc);
    } catch (const std::exception& e) {
        const std::string what = one_line(e.what());
        // The reader's message usually starts with the path already.
        throw bad_input(what.rfind(path, 0) == 0 ? what : path + ": " + what);
    }
    if (f.doc.results.empty()) throw bad_input(path + ": no results in it (nothing to plot)");
    return f;
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
                if (e.is_regular_file() && e.path().extension() == ".json") names.push_back(e.path().string());
            std::sort(names.begin(), names.end());
            for (const auto& n : names)
                if (auto f = read_one(n, true)) s.files.push_back(std::move(*f));
            if (s.files.empty()) throw bad_input(paths[i] + ": no result files (*.json) in this directory");
        } else {
            s.files.push_back(*read_one(paths[i], false));
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
