// iobench merge A.json B.json ... [-o ALL.json|-] [--as concurrent|repetitions]
#include "harness/cli/merge_command.hpp"

#include "harness/cli/errors.hpp"
#include "results/merge.hpp"
#include "results/writer.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <unistd.h>

namespace iobench {

namespace {

// The reader lists schema problems one per line; bad input is one line.
std::string one_line(std::string s) {
    const char* sep = " ";
    for (size_t at; (at = s.find("\n  ")) != std::string::npos; sep = "; ") s.replace(at, 3, sep);
    return s;
}

void write_all(results_writer& w, const result_file& f) {
    w.begin(f.context);
    for (const auto& r : f.results) w.add(r);
    w.end();
}

// -o FILE: opened before any work (a bad path is bad input), written beside
// the target and renamed into place, so there is never half a document.
class merged_file {
public:
    explicit merged_file(std::string path) : path_(std::move(path)), tmp_(path_ + ".partial." + std::to_string(::getpid())) {
        out_.open(tmp_);
        if (!out_) throw usage_error("-o " + path_ + ": cannot write there (" + std::strerror(errno) + ")");
    }
    ~merged_file() {
        if (!tmp_.empty()) std::remove(tmp_.c_str());
    }
    merged_file(const merged_file&) = delete;
    merged_file& operator=(const merged_file&) = delete;
    std::ostream& stream() { return out_; }
    void commit() {
        out_.close();
        if (!out_ || std::rename(tmp_.c_str(), path_.c_str()) != 0)
            throw std::runtime_error("-o " + path_ + ": could not write the merged results");
        tmp_.clear();
    }

private:
    std::string path_, tmp_;
    std::ofstream out_;
};

}  // namespace

int cmd_merge(const merge_options& o, const std::string& raw) {
    const bool json_to_stdout = o.output == "-";
    std::optional<merged_file> file;
    if (!o.output.empty() && !json_to_stdout) file.emplace(o.output);
    std::vector<merge_input> inputs;
    for (const auto& path : o.inputs) {
        try {
            inputs.push_back({path, read_results_file(path)});
        } catch (const std::runtime_error& e) {
            throw usage_error("merge: " + one_line(e.what()));
        }
    }
    result_file merged;
    try {
        merged = merge_results(inputs, o.mode, raw);
    } catch (const merge_mismatch& e) {
        throw usage_error("merge: " + std::string(e.what()));
    }
    auto table = make_table_writer(json_to_stdout ? std::cerr : std::cout);
    write_all(*table, merged);
    if (json_to_stdout) {
        auto json = make_json_writer(std::cout);
        write_all(*json, merged);
    } else if (file) {
        auto json = make_json_writer(file->stream());
        write_all(*json, merged);
        file->commit();
        if (!o.quiet) std::fprintf(stderr, "iobench: merged %zu files into %s\n", inputs.size(), o.output.c_str());
    }
    return exit_ok;
}

}  // namespace iobench
