// What `iobench compare` reads on each side: one results file, or a directory
// of them (a suite's output: every *.json in it and in its subdirectories that
// is an iobench result, each named by its job, as the file says or its stem; rounds of
// alternating suite runs in BASE/1/, BASE/2/ ... share their jobs' names and
// are pooled by the gate). Reading only; any file that cannot be used is bad
// input, named in one line.
#pragma once

#include "results/json_reader.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace iobench {

// Bad input for the gate: what() is one line naming the file (or the flag).
struct compare_input_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct compare_file {
    std::string path;  // as read
    std::string job;   // the file's `job` (iobench suite); else its stem in a directory, empty for a lone file
    result_file file;
};

struct compare_side {
    std::string given;       // the path as given on the command line
    bool directory = false;
    std::vector<compare_file> files;   // in path order
    std::vector<std::string> skipped;  // directory entries that are JSON but not iobench results (exports)
};

// A file must be an iobench result (schema checked). In a directory, a *.json
// that parses but carries no "iobench/N" schema (a Google Benchmark export,
// a compare report) is skipped and listed; one that does not parse (truncated)
// or fails the schema check is bad input; no results at all is bad input.
compare_side read_compare_side(const std::string& path);

// The job a file's runs belong to: the file's own `job` (iobench suite), else,
// in a directory, the file's stem; empty for a lone file without one.
std::string job_of_file(const std::string& path, const result_file& f, bool in_directory);

}  // namespace iobench
