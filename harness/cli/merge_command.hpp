// The `merge` verb: read results files, merge them exactly (results/merge.hpp),
// write the merged JSON and print the table. Inputs that do not describe the
// same runs, or cannot be read, are bad input (usage_error, exit 2).
#pragma once

#include "harness/cli/options.hpp"

#include <string>

namespace iobench {

int cmd_merge(const merge_options& o, const std::string& raw);

}  // namespace iobench
