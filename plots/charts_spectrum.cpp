// The percentile spectrum from the stored histograms: latency against
// percentile on a "nines" axis (x = -log10(1 - p): 90% is 1, 99% is 2 ...),
// one line per backend, series overlaid (before solid, after dashed).
#include "plots/charts.hpp"

#include <cmath>

namespace iobench::plots {

namespace {

// (nines, latency in us) where the cumulative count crosses each bucket's upper edge.
data_table spectrum_of(const histogram& h, const std::string& name, double& max_nines) {
    data_table t{name, {}};
    const double n = static_cast<double>(h.count() - h.overflow());
    if (n <= 0) return t;
    double seen = 0;
    const auto& b = h.buckets();
    for (unsigned i = 0; i < b.size(); ++i) {
        if (!b[i]) continue;
        seen += static_cast<double>(b[i]);
        const double edge = static_cast<double>(histogram::lower_bound_of(i) + histogram::width_of(i)) / 1e3;
        const double top = static_cast<double>(h.max()) / 1e3;
        if (seen >= n) {  // the last op: as far as this many ops can say
            t.rows.push_back({cell(std::log10(n)), cell(top)});
            break;
        }
        t.rows.push_back({cell(-std::log10(1 - seen / n)), cell(std::min(edge, top))});
    }
    max_nines = std::max(max_nines, std::log10(n));
    return t;
}

}  // namespace

chart spectrum_chart(const run_group& g, bool several) {
    const std::string what = several ? "percentile spectra, series overlaid" : "latency percentile spectrum";
    chart c = chart_frame(g.key + "-spectrum", g.title, g.title + ": " + what, g.runs, several);
    double max_nines = 1, floor_us = 1e300;
    std::string plot;
    unsigned k = 0;
    for (const auto& r : g.runs) {
        if (!drawable(*r.run) || r.run->latency.count() == 0) continue;
        floor_us = std::min(floor_us, static_cast<double>(r.run->latency.percentile(10)) / 1e3 / 2);
        data_table t = spectrum_of(r.run->latency, "s" + std::to_string(k++), max_nines);
        plot += std::string(plot.empty() ? "plot " : ", \\\n     ") + "'" + c.file_of(t.name) +
                "' using 1:2 with lines lw 2.5 dt " + dash_of(r.series_index) + " lc rgb \"" +
                backend_colour(r.run->backend) + "\" title " + quoted(run_label(r, several));
        c.data.push_back(std::move(t));
    }
    if (plot.empty()) return {};
    std::string tics = "set xtics (";
    const char* labels[] = {"50", "90", "99", "99.9", "99.99", "99.999", "99.9999", "99.99999"};
    tics += "\"0\" 0, \"50\" 0.30103";
    for (int i = 1; i <= 7 && i <= std::ceil(max_nines); ++i)
        tics += ", \"" + std::string(labels[i]) + "\" " + std::to_string(i);
    c.body = tics + ")\nset xrange [0:" + cell(std::ceil(max_nines * 10) / 10) + "]\n" +
             "set logscale y\nset yrange [" + cell(floor_us) + ":*]\nset grid xtics ytics mytics lc rgb \"#dddddd\"\nset key top left\n"
             "set xlabel \"percentile (%), nines scale: each step right is 10x rarer\"\n"
             "set ylabel \"latency (log scale)\"\n" + latency_tics("y") + plot;
    c.notes.push_back("from each run's stored histogram (< 0.8% bucket error); a line ends where its ops run out");
    c.caption = several ? "Solid: the first series, dashed: the next. A line above another is slower at that percentile."
                        : "Read across: the latency 50%, 90%, 99% ... of ops stayed under. Lower is better.";
    return c;
}

}  // namespace iobench::plots
