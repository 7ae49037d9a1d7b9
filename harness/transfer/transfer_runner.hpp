// --workload transfer: one file moved to TCP receivers (loopback, or --netns) by one method,
// each receiver verifying every byte on its own thread.
#pragma once

#include "harness/cli/options.hpp"
#include "harness/run/run_plan.hpp"
#include "results/run_result.hpp"

#include <string>
#include <vector>

namespace iobench {

class netns_pair;
class test_file;

// The rows `run` goes through: "read_send@BACKEND" for each --backend, and
// each other method once (it is its own mechanism), in --method order.
std::vector<std::string> transfer_rows(const run_options& o);

// One repetition of one row over `file` (created and pattern-filled by the
// caller); over loopback, or from ns's client namespace to its server one.
run_result run_transfer_row(const std::string& row, const run_options& o, const run_plan& plan, const test_file& file,
                            const netns_pair* ns = nullptr);

}  // namespace iobench
