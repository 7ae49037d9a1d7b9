// DIR/index.html: one self-contained page (charts as SVG data URIs, inline
// CSS, no script, no external reference): host facts, parameters, a table of
// every run, then the charts by section.
#pragma once

#include "plots/baseline_verdicts.hpp"
#include "plots/chart.hpp"
#include "plots/plot_inputs.hpp"

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace iobench::plots {

struct page {
    const std::vector<series>* inputs = nullptr;
    std::vector<plot_run> runs;
    std::vector<chart> charts;
    std::vector<bool> drawn;              // per chart: its SVG is in the directory
    std::vector<std::string> problems;    // shown at the top (gnuplot missing, a chart that failed)
    const std::vector<forest_row>* verdicts = nullptr;  // --baseline
    std::string baseline_label;
};

// Reads the drawn charts' SVGs from `dir` to inline them.
void write_html(std::ostream& out, const page& p, const std::filesystem::path& dir);

}  // namespace iobench::plots
