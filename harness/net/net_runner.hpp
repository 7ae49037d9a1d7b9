// Network runs: `run` (server under test + load generator on loopback),
// `serve` (the server side alone) and `load` (the load side alone), each
// mapped onto the one result model.
#pragma once

#include "harness/cli/options.hpp"
#include "harness/run/run_plan.hpp"
#include "results/run_result.hpp"

namespace iobench {

class netns_pair;

// Server on `backend_name` and iobench's load generator, both on loopback,
// or each in its own namespace of `ns` when given (--netns).
// One repetition of `plan`.
run_result run_network_backend(const std::string& backend_name, const run_options& opts, const run_plan& plan,
                               const netns_pair* ns);

// Serves until interrupted or --runtime passes; the result describes the server side.
run_result serve_network(const run_options& opts);

// Drives --target; the result describes the load side (its backend is the client's).
run_result load_network(const run_options& opts, const run_plan& plan);

}  // namespace iobench
