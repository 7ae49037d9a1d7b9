// Sweeps (runs of one workload that differ in one parameter: iodepth, bs,
// connections, rate): IOPS and p99 against the swept value, one line per
// backend, and latency against throughput along the sweep (the "hockey
// stick") with the knee marked: the point of highest IOPS / p99 (Kleinrock's
// "power"), past which more load buys latency faster than throughput.
#include "plots/charts.hpp"

#include <algorithm>
#include <map>

namespace iobench::plots {

namespace {

struct line {
    plot_run first;
    std::vector<plot_run> points;  // sorted by the swept value
};

std::vector<line> lines_of(const sweep_group& s) {
    std::map<std::pair<unsigned, std::string>, line> by;
    std::vector<std::pair<unsigned, std::string>> order;
    for (const auto& r : s.runs) {
        if (!drawable(*r.run)) continue;
        const auto key = std::make_pair(r.series_index, r.run->backend);
        if (!by.count(key)) order.push_back(key), by[key].first = r;
        by[key].points.push_back(r);
    }
    std::vector<line> out;
    for (const auto& k : order) {
        line l = by[k];
        std::sort(l.points.begin(), l.points.end(), [&](const plot_run& a, const plot_run& b) {
            return number_param(*a.run, s.swept) < number_param(*b.run, s.swept);
        });
        out.push_back(std::move(l));
    }
    return out;
}

data_table table_of(const line& l, const std::string& swept, const std::string& name) {
    data_table t{name, {}};
    for (const auto& p : l.points) {
        const double x = *number_param(*p.run, swept);
        t.rows.push_back({cell(x), cell(p.run->iops), cell(p.run->latency.percentile(99) / 1e3),
                          text_cell(param_text(p.run->parameters.at(swept), swept))});
    }
    return t;
}

std::string x_axis(const sweep_group& s) {
    double lo = 1e300, hi = 0;
    for (const auto& r : s.runs) {
        const double v = *number_param(*r.run, s.swept);
        lo = std::min(lo, v), hi = std::max(hi, v);
    }
    const bool log2 = s.swept != "rate" && lo > 0 && hi / lo >= 4;
    std::string unit = s.swept == "bs" ? " (bytes)" : s.swept == "rate" ? " (requests/s asked)" : "";
    return (log2 ? "set logscale x 2\nset xrange [" + cell(lo / 1.4) + ":" + cell(hi * 1.4) + "]\n" : "") +
           std::string("set xlabel \"") + s.swept + unit + "\"\n";
}

chart versus_chart(const sweep_group& s, const std::vector<line>& lines, bool several, bool latency) {
    const std::string unit = rate_unit(*lines.front().first.run);
    chart c = chart_frame("sweep-" + s.workload + "-" + s.swept + (latency ? "-p99" : "-rate"), "sweep " + s.workload,
                          s.workload + ": " + (latency ? "p99 latency" : unit) + " against " + s.swept, s.runs, several);
    std::string plot;
    for (size_t i = 0; i < lines.size(); ++i) {
        data_table t = table_of(lines[i], s.swept, "l" + std::to_string(i));
        plot += std::string(plot.empty() ? "plot " : ", \\\n     ") + "'" + c.file_of(t.name) + "' using 1:" +
                (latency ? "3" : "2") + " with linespoints lw 2.5 pt 7 ps 1.1 dt " +
                dash_of(lines[i].first.series_index) + " lc rgb \"" + backend_colour(lines[i].first.run->backend) +
                "\" title " + quoted(run_label(lines[i].first, several));
        c.data.push_back(std::move(t));
    }
    c.body = x_axis(s) + "set grid lc rgb \"#dddddd\"\nset key outside right top\n" +
             (latency ? "set logscale y\nset ylabel \"p99 latency (log scale)\"\n" + latency_tics("y")
                      : "set yrange [0:*]\nset format y \"%.1s%c\"\nset ylabel \"" + unit + "\"\n") +
             plot;
    c.caption = latency ? "Where a line rises steeply the backend is saturated." : "Where lines cross, one I/O model overtakes another.";
    return c;
}

chart hockey_chart(const sweep_group& s, const std::vector<line>& lines, bool several) {
    const std::string unit = rate_unit(*lines.front().first.run);
    chart c = chart_frame("sweep-" + s.workload + "-" + s.swept + "-knee", "sweep " + s.workload,
                          s.workload + ": p99 latency against " + unit + " along the " + s.swept + " sweep", s.runs, several);
    std::string plot;
    data_table knees{"knees", {}};
    for (size_t i = 0; i < lines.size(); ++i) {
        data_table t = table_of(lines[i], s.swept, "l" + std::to_string(i));
        const std::string f = "'" + c.file_of(t.name) + "'", colour = backend_colour(lines[i].first.run->backend);
        plot += std::string(plot.empty() ? "plot " : ", \\\n     ") + f + " using 2:3 with linespoints lw 2.5 pt 7 ps 1.1 dt " +
                dash_of(lines[i].first.series_index) + " lc rgb \"" + colour + "\" title " +
                quoted(run_label(lines[i].first, several)) + ", \\\n     " + f +
                " using 2:3:4 with labels offset 0.9,0.7 left font \",10\" tc rgb \"" + colour + "\" notitle";
        size_t best = 0;
        for (size_t k = 0; k < t.rows.size(); ++k) {
            const auto& p = lines[i].points;
            const auto power = [&](size_t j) { return p[j].run->iops / std::max(1.0, static_cast<double>(p[j].run->latency.percentile(99))); };
            if (power(k) > power(best)) best = k;
        }
        if (!t.rows.empty()) knees.rows.push_back({t.rows[best][1], t.rows[best][2]});
        c.data.push_back(std::move(t));
    }
    c.data.push_back(std::move(knees));
    plot += ", \\\n     '" + c.file_of("knees") + "' using 1:2 with points pt 6 ps 3.5 lw 2 lc rgb \"#000000\" title \"knee (highest " +
            unit + " / p99)\"";
    c.body = "set grid lc rgb \"#dddddd\"\nset key outside right top\nset logscale y\nset format x \"%.1s%c\"\n"
             "set xlabel \"" + unit + "\"\nset ylabel \"p99 latency (log scale)\"\n" + latency_tics("y") + plot;
    c.notes.push_back("point labels: the " + s.swept + " of each run");
    c.caption = "Left of the knee, more load buys throughput; right of it, mostly latency.";
    return c;
}

}  // namespace

std::vector<chart> sweep_charts(const sweep_group& s, bool several_series) {
    const auto lines = lines_of(s);
    if (lines.empty()) return {};
    return {versus_chart(s, lines, several_series, false), versus_chart(s, lines, several_series, true),
            hockey_chart(s, lines, several_series)};
}

}  // namespace iobench::plots
