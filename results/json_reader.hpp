// Reads a native results file (iobench/1, /2 or /3) back into the result
// model, for the comparison gate, merges and plots.
#pragma once

#include "results/run_result.hpp"

#include <istream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace iobench {

struct result_file {
    std::string schema;  // as found in the file
    run_context context;
    std::vector<run_result> results;
};

// The document is checked against the schema first (results/schema_check.hpp);
// throws std::runtime_error listing what is wrong. iobench/1 files are brought
// up to the current model: typed parameters from their text, and each run's
// parameters from the top-level ones with the run's own backend.
result_file read_results_json(std::istream& in);
result_file read_results_file(const std::string& path);

// The same in two steps, for a reader that looks at a document before it
// reads it. parse_results_text: the text as JSON (Google Benchmark's bare NaN
// read as null), or std::runtime_error "not a JSON document: ...".
nlohmann::ordered_json parse_results_text(const std::string& text);
result_file read_results_doc(const nlohmann::ordered_json& doc);

// JSON with no "iobench/N" schema: in a directory, the exports and reports
// beside the results (gbench.json, gab-*.json, compare output), which
// compare and plot leave out. A Google Benchmark file given by name is read.
bool is_beside_the_results(const nlohmann::ordered_json& doc);

}  // namespace iobench
