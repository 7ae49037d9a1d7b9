// Runs one storage workload on one backend: probe, spread the work over
// threads, time the window, account CPU, and merge the workers' results.
#pragma once

#include "harness/cli/options.hpp"
#include "results/run_result.hpp"
#include "harness/storage/test_file.hpp"

namespace iobench {

run_result run_storage_backend(const std::string& backend_name, const run_options& opts, test_file& target);

}  // namespace iobench
