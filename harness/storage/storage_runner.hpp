// Runs one storage workload on one backend: probe, spread the work over
// threads, time the window, account CPU, merge the workers' results, check them.
#pragma once

#include "harness/cli/options.hpp"
#include "harness/run/run_plan.hpp"
#include "results/run_result.hpp"
#include "harness/storage/test_file.hpp"

namespace iobench {

// One repetition: its own workers, ramp and window, as `plan` says.
run_result run_storage_backend(const std::string& backend_name, const run_options& opts, const run_plan& plan,
                               test_file& target);

}  // namespace iobench
