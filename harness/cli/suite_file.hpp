// Job files (suites): INI text with a [global] section and one section per
// job, keys named as `iobench run`'s flags. Each job becomes the argument list
// of one `run` (global keys first, the job's after, so a job overrides), and
// the one option parser (Boost.Program_options, parse_command_line) checks
// names and values as it does for a command line. A key with a list
// (iodepth=1,4,16) sweeps: one job per value, named "JOB-iodepth=4", the
// cartesian product when several keys have lists.
//
// The INI framing is read here rather than with po::parse_config_file so that
// every error names its file, line and key; the values still go through the
// same parser as the command line's.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace iobench {

struct suite_key {
    std::string key, value;  // value as written (a list still joined by commas)
    unsigned line = 0;       // 0: from the command line (suite --set KEY=VALUE)
};

struct suite_job {
    std::string name;               // section name, plus "-key=value" per swept key
    std::vector<std::string> args;  // "run", "--key=value", ... for parse_command_line
    std::vector<suite_key> keys;    // where each came from, for messages
    unsigned section_line = 0;      // the line of its [section], for messages
};

struct suite {
    std::string path;
    std::vector<suite_job> jobs;  // in file order, sweeps expanded in key order
};

// More jobs than this (sweeps multiplied out, every section) is an error.
inline constexpr size_t max_suite_jobs = 10000;

// Keys whose commas are not a sweep: their value is itself a list.
bool suite_key_is_list_valued(const std::string& key);

// Reads and expands `path`; throws usage_error "FILE:LINE: key: why" on a
// malformed line, a duplicate section or key, an empty job, or no jobs.
// `overrides` (suite --set KEY=VALUE) replace the key in every job, after
// [global] and the job's own section, as a command line beats a file.
// Option names and values are checked by check_suite().
suite read_suite(const std::string& path, const std::vector<suite_key>& overrides = {});
suite parse_suite(const std::string& text, const std::string& path, const std::vector<suite_key>& overrides = {});

// "KEY=VALUE" (or a bare "KEY") of suite --set; throws usage_error naming it.
suite_key parse_suite_override(const std::string& text);

// Parses every job with the command-line parser before anything runs; a bad
// key or value throws usage_error "FILE:LINE: key: <the parser's message>".
void check_suite(const suite& s);

}  // namespace iobench
