// The verbs that measure: run (every backend x workload, --repeat times),
// serve (one server until stopped) and load (against --target).
#pragma once

#include "harness/cli/options.hpp"

#include <string>

namespace iobench {

int cmd_run(const run_options& o, const std::string& raw);
int cmd_serve(const run_options& o, const std::string& raw);
int cmd_load(const run_options& o, const std::string& raw);

}  // namespace iobench
