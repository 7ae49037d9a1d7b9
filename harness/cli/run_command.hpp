// The verbs that measure: run (every backend x workload, --repeat times),
// serve (one server until stopped) and load (against --target).
#pragma once

#include "harness/cli/options.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace iobench {

struct result_file;

// What a suite job adds to a run: its name in the result (`job`), a copy of
// the table (DIR/summary.txt), and the finished document for the suite's
// exports (appended at the end, an interrupted run included).
struct run_hooks {
    std::string job;
    std::ostream* table_copy = nullptr;
    std::vector<result_file>* finished = nullptr;
};

int cmd_run(const run_options& o, const std::string& raw, const run_hooks& hooks = {});
int cmd_serve(const run_options& o, const std::string& raw);
int cmd_load(const run_options& o, const std::string& raw);

}  // namespace iobench
