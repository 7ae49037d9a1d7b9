// iobench plot RESULTS... -o DIR [--label L]... [--baseline BASE] [--threshold 5%]
#include "harness/cli/plot_command.hpp"

#include "harness/cli/errors.hpp"
#include "harness/cli/verb_parse.hpp"
#include "plots/plot_inputs.hpp"
#include "plots/report.hpp"

#include <boost/program_options.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>

namespace iobench {

namespace po = boost::program_options;

void parse_plot(const std::vector<std::string>& args, command_line& cl) {
    plot_options& o = cl.plot;
    std::string threshold = "5%";
    po::options_description desc(
        "plot options (iobench plot RESULTS... -o DIR): RESULTS are iobench result files (iobench/1, /2, /3) or "
        "directories of them (a suite's output); several are drawn side by side (before/after)");
    desc.add_options()
        ("output,o", po::value(&o.output), "the report's directory: DIR/index.html, DIR/*.png and *.svg, and each "
         "chart's gnuplot script and data in DIR/src/ (replaced as a whole when it holds an earlier report)")
        ("label", po::value(&o.labels)->composing(), "a name for the next input's series, in order (default: the file or directory name); repeat it per input")
        ("baseline", po::value(&o.baseline), "a result file or directory to compare against: a verdict per run and metric "
         "in the table, and a forest plot of the changes with their confidence intervals")
        ("threshold", po::value(&threshold)->default_value(threshold), "with --baseline: the relative change that matters, e.g. 5%")
        ("quiet", po::bool_switch(&o.quiet), "no progress lines on stderr")
        ("help,h", "this text");
    if (!parse_flags_and_inputs(args, desc, o.inputs, "", cl.help_text)) return;
    cl.cmd = command_line::verb::plot;
    if (o.inputs.empty()) throw usage_error("plot: name the result files or directories to plot (iobench plot A.json -o DIR)");
    if (o.output.empty()) throw usage_error("-o: plot needs a directory to write the report to (iobench plot A.json -o DIR)");
    char* end = nullptr;
    const double pct = std::strtod(threshold.c_str(), &end);
    if (end == threshold.c_str() || (*end && std::string(end) != "%") || pct <= 0 || pct >= 100)
        throw usage_error("--threshold: '" + threshold + "' is not a percentage between 0 and 100 (e.g. 5%)");
    o.threshold = pct / 100;
}

int cmd_plot(const plot_options& o) {
    ::signal(SIGPIPE, SIG_IGN);  // a gnuplot that dies mid-script is an error result, not a crash
    plots::report_outcome r;
    try {
        r = plots::make_report({o.inputs, o.labels, o.output, o.baseline, o.threshold, o.quiet});
    } catch (const plots::bad_input& e) {
        throw usage_error(std::string("plot: ") + e.what());
    }
    if (r.gnuplot_missing)
        std::fprintf(stderr, "iobench: plot: gnuplot not found on the PATH: install the Debian package gnuplot-nox "
                             "(tables written to %s/index.html, no charts)\n", o.output.c_str());
    for (const auto& f : r.failures) std::fprintf(stderr, "iobench: plot: chart not drawn: %s\n", f.c_str());
    if (!o.quiet)
        std::fprintf(stderr, "iobench: plot: %u of %u charts drawn; report in %s/index.html\n", r.drawn, r.charts,
                     o.output.c_str());
    return r.ok() ? exit_ok : exit_failure;
}

}  // namespace iobench
