// Checks a results document against results/SCHEMA.md: required fields and
// their JSON types, enum values, percentiles in order, a histogram whose
// buckets add up. The reader runs it first; the tests run it on every file
// iobench writes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace iobench {

// Every problem found, each naming its field ("results[1].latency_ns.p99: ...");
// empty when the document conforms. Accepts iobench/1, /2 and /3 (the /3
// fields are checked where present; a run with repetitions must have a spread).
std::vector<std::string> check_results_schema(const nlohmann::ordered_json& doc);

// The same for JSON text; a parse error is one problem.
std::vector<std::string> check_results_text(std::string_view text);

}  // namespace iobench
