// The `compare` verb, the regression gate: read BASE and NEW (results files or
// suite output directories), compare them (results/compare.hpp), write the
// report, and exit 0 (no regression), 1 (a regression), 2 (bad input) or 3
// (too few repetitions to decide anything). Its flags are parsed here.
#pragma once

#include <string>
#include <vector>

namespace iobench {

inline constexpr int exit_undecided = 3;  // compare: every comparison lacked the repetitions to decide

// `args` are the words after "compare". Bad input throws usage_error (exit 2).
int cmd_compare(const std::vector<std::string>& args);

}  // namespace iobench
