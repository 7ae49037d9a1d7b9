// What `iobench plot` reads: series of result files. A series is one input as
// given (a result file, or a directory of them such as a suite's output) with
// its label (--label, else the file or directory name). Several series are
// drawn side by side: before/after, two hosts, two kernels.
#pragma once

#include "results/json_reader.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace iobench::plots {

// Bad input: the message names the file and fits on one line.
struct bad_input : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct source_file {
    std::string path;
    result_file doc;
};

struct series {
    std::string label, path;
    std::vector<source_file> files;
};

// One run and where it came from.
struct plot_run {
    const series* from = nullptr;
    unsigned series_index = 0;
    const source_file* file = nullptr;
    const run_result* run = nullptr;
};

// Reads every input (files; directories: their *.json, sorted by name) before
// anything is drawn. Throws bad_input on a file that is not JSON, has an
// unknown schema or holds no results, and on a directory with no result file.
std::vector<series> read_series(const std::vector<std::string>& paths, const std::vector<std::string>& labels);

// Every run of every series, in input order.
std::vector<plot_run> all_runs(const std::vector<series>& s);

}  // namespace iobench::plots
