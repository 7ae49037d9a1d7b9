// --workload transfer split across hosts: `serve` sends the file to every
// connection that arrives (one method, one backend), `load` connects, receives
// and verifies every byte. The receiver can then be another host.
#pragma once

#include "harness/cli/options.hpp"
#include "results/run_result.hpp"

namespace iobench {

class test_file;

// Until interrupted or --runtime (0: until stopped): accept, send `file`
// whole with o.methods[0], close; the result sums every connection.
run_result serve_transfer(const run_options& o, const test_file& file);

// One connection to --target: receive to EOF, verify o.size bytes of the pattern for --seed.
run_result load_transfer(const run_options& o);

}  // namespace iobench
