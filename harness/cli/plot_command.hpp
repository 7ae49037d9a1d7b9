// The `plot` verb: charts and an HTML report of results files (plots/report.hpp).
// Bad inputs are usage errors (exit 2, one line naming the file, nothing
// written); gnuplot missing or a chart it could not draw is exit 1, with the
// report's tables written all the same.
#pragma once

#include "harness/cli/options.hpp"

#include <string>
#include <vector>

namespace iobench {

void parse_plot(const std::vector<std::string>& args, command_line& cl);
int cmd_plot(const plot_options& o);

}  // namespace iobench
