// Renders a chart with one gnuplot process: the data files and the script go
// to DIR/src/ (so a user can restyle a chart and run `gnuplot NAME.gp` there),
// gnuplot writes DIR/NAME.png (pngcairo) and DIR/NAME.svg (standalone, no
// mouse script, a unique name). gnuplot-iostream writes the data and feeds
// the script; its pclose only perrors, so iobench starts gnuplot itself and
// checks its exit status and stderr.
#pragma once

#include "plots/chart.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace iobench::plots {

struct render_result {
    bool ok = false;
    std::string error;                  // one line: why the chart was not drawn
    std::vector<std::string> warnings;  // what gnuplot said on stderr although it succeeded
};

// gnuplot on the PATH (an executable file named gnuplot), or empty.
std::string find_gnuplot();

// The whole script of a chart: both terminals, outputs, the body twice.
std::string chart_script(const chart& c);

render_result render(const chart& c, const std::filesystem::path& dir, const std::string& gnuplot);

}  // namespace iobench::plots
