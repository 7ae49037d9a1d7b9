// Over time, from each run's per-interval timeline (--interval): IOPS and p99
// per interval, one line per backend, and a latency heatmap: one panel per
// run, interval x latency band, colour = ops. iobench/3 files keep each
// interval's p50/p99/max but not its histogram: for them the heatmap falls
// back to one row per run coloured by the interval's p99 (the chart says so).
#include "plots/charts.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace iobench::plots {

namespace {

struct timed {
    plot_run run;
    std::string table;
};

std::vector<timed> with_timeline(const run_group& g) {
    std::vector<timed> out;
    for (const auto& r : g.runs)
        if (drawable(*r.run) && r.run->timeline.size() >= 2) out.push_back({r, "t" + std::to_string(out.size())});
    return out;
}

data_table timeline_table(const run_result& r, const std::string& name, double y) {
    data_table t{name, {}};
    for (const auto& p : r.timeline) {
        const double rate = p.dur_s > 0 ? static_cast<double>(p.ops) / p.dur_s : 0;
        t.rows.push_back({cell(p.t_s + p.dur_s / 2), cell(rate), cell(p.p99_ns / 1e3), cell(p.dur_s / 2), cell(y),
                          cell(p.p99_ns > 0 ? p.p99_ns / 1e3 : NAN)});
    }
    return t;
}

chart lines_chart(const run_group& g, const std::vector<timed>& runs, bool several, bool latency) {
    const std::string unit = rate_unit(*runs.front().run.run);
    chart c = chart_frame(g.key + (latency ? "-timeline-p99" : "-timeline-rate"), g.title,
                          g.title + (latency ? ": p99 latency per interval" : ": " + unit + " per interval"), g.runs,
                          several);
    std::string plot;
    for (const auto& t : runs) {
        plot += std::string(plot.empty() ? "plot " : ", \\\n     ") + "'" + c.file_of(t.table) + "' using 1:" +
                (latency ? "3" : "2") + " with linespoints lw 2 pt 7 ps 0.6 dt " + dash_of(t.run.series_index) +
                " lc rgb \"" + backend_colour(t.run.run->backend) + "\" title " + quoted(run_label(t.run, several));
        c.data.push_back(timeline_table(*t.run.run, t.table, 0));
    }
    c.body = std::string("set xlabel \"time since the measured window began (s)\"\nset xrange [0:*]\nset key outside right top\n") +
             "set grid lc rgb \"#dddddd\"\n" +
             (latency ? "set logscale y\nset ylabel \"p99 of the interval (log scale)\"\n" + latency_tics("y")
                      : "set yrange [0:*]\nset format y \"%.1s%c\"\nset ylabel \"" + unit + " in the interval\"\n") +
             plot;
    c.caption = latency ? "A spike is a stall the run's overall p99 averages away." : "A dip is a stall; a slope is a "
                                                                                        "run that had not settled.";
    return c;
}

constexpr int bands_per_octave = 4;  // a band spans 19%: coarse enough to see, fine enough for a cliff

bool has_interval_histograms(const run_result& r) {
    return std::all_of(r.timeline.begin(), r.timeline.end(), [](const timeline_point& p) { return p.has_histogram; });
}

// Band b holds latencies in [2^(b/4), 2^((b+1)/4)) ns; a bucket goes to the band of its midpoint.
int band_of(uint32_t bucket) {
    const double mid = static_cast<double>(histogram::lower_bound_of(bucket)) +
                       static_cast<double>(histogram::width_of(bucket)) / 2;
    return static_cast<int>(std::floor(std::log2(std::max(mid, 1.0)) * bands_per_octave));
}
double band_edge_us(int band) { return std::exp2(static_cast<double>(band) / bands_per_octave) / 1e3; }

// What every panel shares: the colour scale's top and the latency range.
struct heat_range {
    double max_rate = 1, lo_us = INFINITY, hi_us = 0;
};

// One cell per interval x band that holds ops: x, y, the box, ops per second.
data_table heat_cells(const run_result& r, const std::string& name, heat_range& range) {
    data_table t{name, {}};
    for (const auto& p : r.timeline) {
        std::map<int, uint64_t> bands;
        for (const auto& [bucket, n] : p.histogram) bands[band_of(bucket)] += n;
        for (const auto& [b, n] : bands) {
            const double rate = p.dur_s > 0 ? static_cast<double>(n) / p.dur_s : 0;
            range.max_rate = std::max(range.max_rate, rate);
            range.lo_us = std::min(range.lo_us, band_edge_us(b));
            range.hi_us = std::max(range.hi_us, band_edge_us(b + 1));
            t.rows.push_back({cell(p.t_s + p.dur_s / 2), cell(std::sqrt(band_edge_us(b) * band_edge_us(b + 1))),
                              cell(p.t_s), cell(p.t_s + p.dur_s), cell(band_edge_us(b)), cell(band_edge_us(b + 1)),
                              cell(rate)});
        }
    }
    return t;
}

// One panel per run, shared time, latency and colour scales.
chart histogram_heatmap(const run_group& g, const std::vector<timed>& runs, bool several) {
    chart c = chart_frame(g.key + "-heatmap", g.title, g.title + ": latency heatmap (interval x latency band)", g.runs,
                          several);
    heat_range range;
    double t_end = 0;
    for (const auto& t : runs) {
        c.data.push_back(heat_cells(*t.run.run, t.table, range));
        c.data.push_back(timeline_table(*t.run.run, t.table + "p99", 0));
        for (const auto& p : t.run.run->timeline) t_end = std::max(t_end, p.t_s + p.dur_s);
    }
    // One column up to three runs, then two, then three: panels stay wider than high.
    const size_t n = runs.size(), cols = n <= 3 ? 1 : n == 4 ? 2 : 3, rows = (n + cols - 1) / cols;
    if (range.hi_us == 0) range = {1, 1, 1000};  // no op in any interval: an empty, labelled frame
    const double top = 0.8, bottom = 0.12 + 0.03 * static_cast<double>(c.notes.size());
    char layout[256];
    std::snprintf(layout, sizeof layout,
                  "set multiplot layout %zu,%zu margins 0.08,0.86,%.3f,%.3f spacing 0.06,%.3f\n"
                  "set colorbox user origin screen 0.89,screen %.3f size screen 0.02,screen %.3f\n",
                  rows, cols, bottom, top, rows > 1 ? 0.1 : 0.0, bottom, top - bottom);
    const int tics_per_decade = rows == 1 ? 3 : range.hi_us > 300 * range.lo_us ? 1 : 2;  // small panels: fewer labels
    std::string body = std::string(layout) + "set logscale y\n" + latency_tics("y", tics_per_decade) +
                       "set yrange [" + cell(range.lo_us / 1.25) + ":" + cell(range.hi_us * 1.25) + "]\n" +
                       "set logscale cb\nset cbrange [1:" + cell(std::max(10.0, range.max_rate)) + "]\n" +
                       "set cblabel \"ops/s in the band\" offset 1.5,0\nset format cb \"%.0s%c\"\n" +
                       "set palette defined (0 \"#2c115f\", 0.35 \"#721f81\", 0.65 \"#d3436e\", 1 \"#fd9a6a\")\n" +
                       "set style fill solid 1.0 noborder\nset xrange [0:" + cell(t_end) + "]\n" +
                       "set grid front lc rgb \"#dddddd\"\nset key top right opaque font \",10\"\n";
    for (size_t i = 0; i < n; ++i) {
        const auto& t = runs[i];
        body += "set title " + quoted(run_label(t.run, several)) + " offset 0,-0.6 tc rgb \"" +
                backend_colour(t.run.run->backend) + "\"\n";
        const std::string xlabel = cols > 1 ? "time in the window (s)" : "time since the measured window began (s)";
        body += i + cols >= n ? "set xlabel \"" + xlabel + "\"\n" : std::string("unset xlabel\n");
        body += std::string(i % cols == 0 ? "set ylabel \"latency (log)\"\n" : "unset ylabel\n");
        body += "plot '" + c.file_of(t.table) + "' using 1:2:3:4:5:6:7 with boxxyerror lc palette notitle, \\\n     '" +
                c.file_of(t.table + "p99") + "' using 1:6 with linespoints lw 2 pt 7 ps 0.5 lc rgb \"#00b4d8\" title \"p99\"\n";
        // The title, subtitle, notes and the one colour box sit at screen places: drawn with the first panel.
        if (i == 0) body += "unset label\nunset colorbox\n";
    }
    c.body = body + "unset multiplot";
    c.caption = "Each column is one interval, each cell a latency band of it, coloured by the ops that finished in that "
                "band; the blue line is the interval's p99. A stall shows as a column whose mass moves up.";
    return c;
}

// iobench/3 files: no per-interval histograms, so one row per run coloured by the interval's p99.
chart p99_heatmap(const run_group& g, const std::vector<timed>& runs, bool several) {
    chart c = chart_frame(g.key + "-heatmap", g.title, g.title + ": latency heatmap (interval x backend)", g.runs, several);
    std::string tics = "set ytics (";
    data_table all{"cells", {}};
    for (size_t i = 0; i < runs.size(); ++i) {
        const data_table t = timeline_table(*runs[i].run.run, "x", static_cast<double>(i));
        all.rows.insert(all.rows.end(), t.rows.begin(), t.rows.end());
        tics += (i ? ", " : "") + quoted(run_label(runs[i].run, several)) + " " + std::to_string(i);
    }
    c.data.push_back(std::move(all));
    c.notes.push_back("results before iobench/4 keep each interval's p50/p99/max, not its histogram: colour = the interval's p99");
    c.body = tics + ")\nset yrange [-0.6:" + cell(static_cast<double>(runs.size()) - 0.4) + "]\n" +
             "set xlabel \"time since the measured window began (s)\"\nset logscale cb\n" + latency_tics("cb") +
             "set cblabel \"p99 of the interval\"\n"
             "set palette defined (0 \"#ffffcc\", 0.35 \"#feb24c\", 0.7 \"#f03b20\", 1 \"#67000d\")\n"
             "set key off\nset style fill solid 1.0 noborder\n"
             "plot '" + c.file_of("cells") + "' using 1:5:4:(0.45):6 with boxxyerror lc palette";
    c.caption = "Each cell is one interval of one run; a dark cell is an interval whose p99 stood out.";
    return c;
}

chart heatmap_chart(const run_group& g, const std::vector<timed>& runs, bool several) {
    const bool histograms = std::all_of(runs.begin(), runs.end(), [](const timed& t) { return has_interval_histograms(*t.run.run); });
    return histograms ? histogram_heatmap(g, runs, several) : p99_heatmap(g, runs, several);
}

}  // namespace

std::vector<chart> timeline_charts(const run_group& g, bool several_series) {
    const auto runs = with_timeline(g);
    if (runs.empty()) return {};
    return {lines_chart(g, runs, several_series, false), lines_chart(g, runs, several_series, true),
            heatmap_chart(g, runs, several_series)};
}

}  // namespace iobench::plots
