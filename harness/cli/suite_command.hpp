// The `suite` verb: every job of a job file (harness/cli/suite_file.hpp),
// checked before anything runs, each run by cmd_run exactly as `iobench run`
// would run it; DIR/JOB.json per job, DIR/summary.txt with every table.
#pragma once

#include "harness/cli/options.hpp"

namespace iobench {

// Exit code: the worst of the jobs' (0 ok, 1 a run failed, 2 bad input), or
// 130/143 when SIGINT/SIGTERM stopped it; a bad job file throws usage_error
// before DIR is created.
int cmd_suite(const suite_options& o);

}  // namespace iobench
