// Over time, from each run's per-interval timeline (--interval): IOPS and p99
// per interval, one line per backend, and a heatmap of the intervals' p99.
// iobench/3 keeps each interval's p50/p99/max, not its histogram, so the
// heatmap's colour is the interval's p99 (the chart says so).
#include "plots/charts.hpp"

#include <algorithm>
#include <cmath>

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

chart heatmap_chart(const run_group& g, const std::vector<timed>& runs, bool several) {
    chart c = chart_frame(g.key + "-heatmap", g.title, g.title + ": latency heatmap (interval x backend)", g.runs, several);
    std::string tics = "set ytics (";
    data_table all{"cells", {}};
    for (size_t i = 0; i < runs.size(); ++i) {
        const data_table t = timeline_table(*runs[i].run.run, "x", static_cast<double>(i));
        all.rows.insert(all.rows.end(), t.rows.begin(), t.rows.end());
        tics += (i ? ", " : "") + quoted(run_label(runs[i].run, several)) + " " + std::to_string(i);
    }
    c.data.push_back(std::move(all));
    c.notes.push_back("iobench/3 results keep each interval's p50/p99/max, not its histogram: colour = the interval's p99");
    c.body = tics + ")\nset yrange [-0.6:" + cell(static_cast<double>(runs.size()) - 0.4) + "]\n" +
             "set xlabel \"time since the measured window began (s)\"\nset logscale cb\n" + latency_tics("cb") +
             "set cblabel \"p99 of the interval\"\n"
             "set palette defined (0 \"#ffffcc\", 0.35 \"#feb24c\", 0.7 \"#f03b20\", 1 \"#67000d\")\n"
             "set key off\nset style fill solid 1.0 noborder\n"
             "plot '" + c.file_of("cells") + "' using 1:5:4:(0.45):6 with boxxyerror lc palette";
    c.caption = "Each cell is one interval of one run; a dark cell is an interval whose p99 stood out.";
    return c;
}

}  // namespace

std::vector<chart> timeline_charts(const run_group& g, bool several_series) {
    const auto runs = with_timeline(g);
    if (runs.empty()) return {};
    return {lines_chart(g, runs, several_series, false), lines_chart(g, runs, several_series, true),
            heatmap_chart(g, runs, several_series)};
}

}  // namespace iobench::plots
