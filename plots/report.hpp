// `iobench plot` as a library call: read the inputs, build every chart, draw
// them with gnuplot, write index.html; all into a temporary directory beside
// DIR that replaces DIR at the end, so DIR never holds half a report.
#pragma once

#include <string>
#include <vector>

namespace iobench::plots {

struct report_options {
    std::vector<std::string> inputs, labels;
    std::string out_dir, baseline;
    double threshold = 0.05;  // --baseline: relative change that matters
    bool quiet = false;
};

struct report_outcome {
    unsigned charts = 0, drawn = 0;
    bool gnuplot_missing = false;
    std::vector<std::string> failures;  // one line per chart gnuplot did not draw
    bool ok() const { return !gnuplot_missing && failures.empty(); }
};

// Throws bad_input (plots/plot_inputs.hpp) before writing anything.
report_outcome make_report(const report_options& o);

}  // namespace iobench::plots
