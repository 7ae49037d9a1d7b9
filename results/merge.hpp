// Exact merge of results files (`iobench merge`): the runs of several load
// hosts, or of several CI runs of one job, become one report by adding their
// histogram buckets and counts, never by averaging percentiles.
#pragma once

#include "results/json_reader.hpp"

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace iobench {

// concurrent: the inputs ran at the same time against one target (several
// load hosts): the window is the longest one and rates add up.
// repetitions: the inputs ran one after another (several CI runs): windows
// add up and rates are totals over the summed window.
enum class merge_mode : uint8_t { concurrent, repetitions };

std::string_view to_string(merge_mode m);
std::optional<merge_mode> parse_merge_mode(std::string_view s);

// Parameters that may differ between inputs: start_at (when each host was told
// to start; repetitions start at different times), seed (a per-host or per-run
// offset sequence is the same workload), target and listen (one server is
// reached by different addresses from different hosts, and each CI run gets a
// new port). Every other parameter must be equal. Where these differ they are
// left out of the merged parameters and kept per input in merged_from.
inline constexpr std::array<std::string_view, 4> merge_free_parameters{"listen", "seed", "start_at", "target"};

// The inputs do not describe the same runs; what() names the field and the files.
struct merge_mismatch : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct merge_input {
    std::string name;  // the file as given, for messages and merged_from
    result_file file;
};

// Runs are matched by (backend, workload); every input must have the same
// ones. Throws merge_mismatch. The merged runs are built field by field from
// an empty run_result: a field merge does not know stays at its default
// (absent), never a copy of one input's value.
result_file merge_results(const std::vector<merge_input>& inputs, merge_mode mode, const std::string& command_line);

}  // namespace iobench
