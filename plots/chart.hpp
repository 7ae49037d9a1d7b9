// One chart as data: what gnuplot draws (the plot commands, once per
// terminal) and the tables it reads, plus what the page says about it.
// Building a chart is pure; rendering it is plots/gnuplot_process.hpp.
#pragma once

#include <string>
#include <vector>

namespace iobench::plots {

// Rows of text cells, written as DIR/src/<chart>.<name>.dat (gnuplot-iostream).
struct data_table {
    std::string name;
    std::vector<std::vector<std::string>> rows;
};

struct chart {
    std::string name;      // file stem: DIR/NAME.png, DIR/NAME.svg, DIR/src/NAME.gp
    std::string group;     // the section of the page it belongs to
    std::string title, subtitle;
    std::vector<std::string> notes;  // drawn under the plot: runs that did not run, suspect ones, caveats
    std::string body;      // gnuplot commands after the terminal is set; ends with the plot command
    std::vector<data_table> data;
    std::string caption;   // one sentence for the page: how to read it
    std::string file_of(const std::string& table) const { return name + "." + table + ".dat"; }
};

// A gnuplot string literal (double quotes, escaped).
std::string quoted(const std::string& s);
// A cell for a data file: numbers as they are, text in double quotes.
std::string cell(double v);
std::string text_cell(const std::string& s);

}  // namespace iobench::plots
