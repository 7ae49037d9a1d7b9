// Per group of runs: throughput bars with the repetitions' spread, latency
// percentiles per backend, CPU per op stacked by thread class.
#include "plots/charts.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace iobench::plots {

namespace {

std::vector<plot_run> drawn(const run_group& g) {
    std::vector<plot_run> out;
    std::copy_if(g.runs.begin(), g.runs.end(), std::back_inserter(out), [](const plot_run& r) { return drawable(*r.run); });
    return out;
}

// Bars along x, one per run, labelled with the backend (and the series on a
// second line: gnuplot reads "\n" in a quoted data string as a line break).
std::string bar_axis(size_t n, bool several_series) {
    std::string s = "set xrange [-0.6:" + cell(static_cast<double>(n) - 0.4) + "]\nset grid ytics lc rgb \"#dddddd\"\n";
    s += n > 8 ? "set xtics nomirror font \",10\"\n" : "set xtics nomirror\n";
    return s + (several_series ? "" : "set xlabel \"backend\"\n");
}

std::string bar_label(const plot_run& r, bool several_series) {
    return several_series ? r.run->backend + "\\n(" + r.from->label + ")" : r.run->backend;
}

chart throughput_chart(const run_group& g, bool several) {
    const auto runs = drawn(g);
    const std::string unit = runs.empty() ? "IOPS" : rate_unit(*runs.front().run);
    chart c = chart_frame(g.key + "-throughput", g.title, g.title + ": throughput per backend (" + unit + ")", g.runs, several);
    data_table t{"bars", {}};
    bool spread = false;
    for (size_t i = 0; i < runs.size(); ++i) {
        const run_result& r = *runs[i].run;
        double lo = r.iops, hi = r.iops;
        if (r.spread) lo = r.spread->iops.min, hi = r.spread->iops.max, spread = true;
        // Gbit/s where the payload rate is the point (stream); MB/s for the rest.
        const std::string second = r.workload == "stream" && r.net ? cell(std::round(r.net->gbit_per_sec * 100) / 100) + " Gbit/s"
                                                                   : mb_text(r.bytes_per_sec) + " MB/s";
        t.rows.push_back({cell(static_cast<double>(i)), text_cell(bar_label(runs[i], several)), cell(r.iops), cell(lo),
                          cell(hi), colour_cell(r.backend), text_cell(si_rate(r.iops) + " " + unit),
                          text_cell(second), r.status == run_status::suspect ? "1" : "0"});
    }
    if (spread) c.notes.push_back("error bars: min..max over the repetitions; bar: their median");
    const std::string f = "'" + c.file_of("bars") + "'";
    c.body = bar_axis(runs.size(), several) + "set ylabel \"" + unit + (unit == "IOPS" ? " (ops/s)" : "") + "\"\n" +
             "set yrange [0:*]\nset offsets 0,0,graph 0.14,0\nset format y \"%.1s%c\"\nset key off\n"
             "set boxwidth 0.7\nset style fill solid 0.9 border rgb \"#333333\"\n"
             "plot " + f + " using 1:3:6:xtic(2) with boxes lc rgb variable, \\\n"
             "  " + f + " using 1:($9 > 0 ? $3 : NaN) with boxes fs transparent pattern 4 border rgb \"#000000\" lc rgb \"#000000\", \\\n"
             "  " + f + " using 1:3:4:5 with yerrorbars lc rgb \"#222222\" lw 1.5 pt 0, \\\n"
             "  " + f + " using 1:5:7 with labels offset 0,2.0 font \",11\", \\\n"
             "  " + f + " using 1:5:8 with labels offset 0,0.9 font \",10\" tc rgb \"#555555\"";
    c.data.push_back(std::move(t));
    c.caption = "Higher is better. Hatched bars are suspect runs (see the notes under the chart).";
    return c;
}

chart latency_chart(const run_group& g, bool several) {
    const auto runs = drawn(g);
    chart c = chart_frame(g.key + "-latency", g.title, g.title + ": latency p50 / p99 / p99.9 per backend", g.runs, several);
    data_table t{"bars", {}};
    double lo = 1e300, hi = 0;
    for (size_t i = 0; i < runs.size(); ++i) {
        const auto& h = runs[i].run->latency;
        const double p[3] = {h.percentile(50) / 1e3, h.percentile(99) / 1e3, h.percentile(99.9) / 1e3};
        for (const double v : p) if (v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
        t.rows.push_back({cell(static_cast<double>(i)), text_cell(bar_label(runs[i], several)), cell(p[0]), cell(p[1]),
                          cell(p[2]), colour_cell(runs[i].run->backend), text_cell(latency_text(p[0] * 1e3)),
                          text_cell(latency_text(p[1] * 1e3)), text_cell(latency_text(p[2] * 1e3))});
    }
    // A log axis once the values span more than a decade: p99.9 tails dwarf p50 otherwise.
    const bool log = hi > 0 && hi / lo > 10;
    const std::string f = "'" + c.file_of("bars") + "'";
    std::string body = bar_axis(runs.size(), several) + "set boxwidth 0.26\nset key top left\n";
    body += log ? "set ylabel \"latency (log scale)\"\nset logscale y\nset yrange [" + cell(lo / 2) + ":" + cell(hi * 4) + "]\n" + latency_tics("y")
                : "set ylabel \"latency (us)\"\nset yrange [0:" + cell(hi * 1.25) + "]\n";
    body += "set style fill solid 1.0 border rgb \"#333333\"\nplot \\\n";
    const char* shade[3] = {"solid 1.0", "solid 0.55", "solid 0.35"};
    const char* name[3] = {"p50", "p99", "p99.9"};
    for (int k = 0; k < 3; ++k) {
        const std::string x = "($1" + std::string(k == 0 ? "-0.28" : k == 1 ? "" : "+0.28") + ")";
        const std::string col = std::to_string(3 + k);
        body += "  " + f + " using " + x + ":" + col + ":6" + (k == 1 ? ":xtic(2)" : "") +
                " with boxes fs transparent " + shade[k] + " lc rgb variable notitle, \\\n";
        body += "  " + f + " using " + x + ":" + col + ":" + std::to_string(7 + k) +
                " with labels offset 0,0.7 font \",9\" notitle, \\\n";
        body += "  NaN with boxes fs transparent " + std::string(shade[k]) + " lc rgb \"#555555\" title \"" + name[k] +
                "\"" + (k < 2 ? ", \\\n" : "");
    }
    c.body = body;
    c.data.push_back(std::move(t));
    c.caption = "Lower is better. Per backend, left to right: p50, p99, p99.9 (darker is the median).";
    if (log) c.notes.push_back("log scale: the values span more than a factor of 10");
    return c;
}

chart cpu_chart(const run_group& g, bool several) {
    const auto runs = drawn(g);
    chart c = chart_frame(g.key + "-cpu", g.title, g.title + ": CPU per op by thread class", g.runs, several);
    static const std::vector<std::pair<std::string, std::string>> classes{
        {"harness", "#8c8c8c"}, {"iou-sqp", "#b07aa1"}, {"iou-wrk", "#86bcb6"}, {"aio-helpers", "#e15759"},
        {"load", "#edc948"},    {"other", "#d0d0d0"},   {"not split", "#4e4e4e"}};
    data_table t{"stack", {}};
    bool unsplit = false;
    for (const auto& pr : runs) {
        const run_result& r = *pr.run;
        std::vector<std::string> row{text_cell(bar_label(pr, several))};
        const double total = r.cpu.user_s + r.cpu.sys_s;
        for (size_t k = 0; k + 1 < classes.size(); ++k) {
            double share = 0;
            for (const auto& tc : r.cpu_detail.by_thread)
                if (tc.name == classes[k].first) share = tc.cpu.user_s + tc.cpu.sys_s;
            row.push_back(cell(total > 0 && r.cpu_detail.measured ? r.cpu_per_op_ns / 1e3 * share / total : 0));
        }
        unsplit = unsplit || !r.cpu_detail.measured;
        row.push_back(cell(r.cpu_detail.measured ? 0 : r.cpu_per_op_ns / 1e3));
        row.push_back(cell(r.cpu_per_op_ns / 1e3));
        row.push_back(text_cell(latency_text(r.cpu_per_op_ns)));
        t.rows.push_back(std::move(row));
    }
    if (unsplit) c.notes.push_back("not split: files before iobench/3 carry no cpu.by_thread");
    const std::string f = "'" + c.file_of("stack") + "'";
    std::string body = bar_axis(runs.size(), several) +
                       "set ylabel \"CPU time per " + std::string(!runs.empty() && is_network(*runs.front().run) ? "request" : "op") +
                       " (us, user+sys, whole process)\"\n"
                       "set yrange [0:*]\nset offsets 0,0,graph 0.08,0\nset key outside right top\n"
                       "set style data histograms\nset style histogram rowstacked\nset boxwidth 0.7\n"
                       "set style fill solid 0.95 border rgb \"#333333\"\nplot \\\n";
    bool first = true;
    for (size_t k = 0; k < classes.size(); ++k) {
        // A class no run used stays out of the legend.
        if (std::all_of(t.rows.begin(), t.rows.end(), [&](const auto& row) { return row[k + 1] == "0"; })) continue;
        body += "  " + f + " using " + std::to_string(k + 2) + (first ? ":xtic(1)" : "") + " lc rgb \"" +
                classes[k].second + "\" title \"" + classes[k].first + "\", \\\n";
        first = false;
    }
    body += "  " + f + " using 0:" + std::to_string(classes.size() + 2) + ":" + std::to_string(classes.size() + 3) +
            " with labels offset 0,0.8 font \",11\" notitle";
    c.body = body;
    c.data.push_back(std::move(t));
    c.caption = "Lower is better. Where the CPU went: iobench's threads, io_uring's SQPOLL poller and io-wq "
                "workers, glibc's POSIX AIO helpers, the load generator.";
    return c;
}

}  // namespace

std::vector<chart> summary_charts(const run_group& g, bool several_series) {
    if (drawn(g).empty()) return {};  // nothing ran: the page's table says why
    std::vector<chart> out{throughput_chart(g, several_series)};
    // Google Benchmark results store no latency histogram: no latency bars of zeros.
    const auto runs = drawn(g);
    if (std::any_of(runs.begin(), runs.end(), [](const plot_run& r) { return r.run->latency.count() > 0; }))
        out.push_back(latency_chart(g, several_series));
    if (chart s = spectrum_chart(g, several_series); !s.name.empty()) out.push_back(std::move(s));
    out.push_back(cpu_chart(g, several_series));
    return out;
}

}  // namespace iobench::plots
