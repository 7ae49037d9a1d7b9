// The forest plot of --baseline: per run and metric, the change against the
// base with its Hodges-Lehmann interval, against the +-threshold band;
// the verdict written beside each row.
#include "plots/baseline_verdicts.hpp"
#include "plots/charts.hpp"

#include <algorithm>
#include <cmath>

namespace iobench::plots {

chart forest_chart(const std::vector<forest_row>& rows, double threshold, const std::vector<plot_run>& runs) {
    const bool several = std::any_of(rows.begin(), rows.end(), [&](const forest_row& r) { return r.run.from != rows.front().run.from; });
    chart c = chart_frame("baseline-forest", "against the baseline", "Change against the baseline, per run and metric",
                          {}, false);
    c.subtitle = host_line(runs) + "\n" + "threshold +-" + cell(threshold * 100) + "%; interval: Hodges-Lehmann, 95%";
    data_table t{"rows", {}};
    double reach = threshold * 100 * 2;
    bool unbounded = false;
    // Top to bottom in input order: gnuplot's y grows upwards.
    for (size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        const double y = static_cast<double>(rows.size() - 1 - i);
        const bool b = r.cmp.shift.bounded;
        unbounded = unbounded || !b;
        const double x = r.cmp.change * 100, lo = b ? r.cmp.lower_rel * 100 : x, hi = b ? r.cmp.upper_rel * 100 : x;
        // The axis fits the changes; an interval wider than that runs off the edge.
        if (std::isfinite(x)) reach = std::max(reach, std::abs(x) * 1.3);
        t.rows.push_back({cell(x), cell(y), cell(lo), cell(hi), colour_cell(r.run.run->backend),
                          text_cell(r.run.run->workload + " " + run_label(r.run, several) + " " + r.metric),
                          text_cell(std::string(to_string(r.cmp.result)))});
    }
    if (unbounded) c.notes.push_back("rows without a bar: too few repetitions for a 95% interval (use --repeat 5 or more)");
    c.notes.push_back("positive = the new run's number is larger; for latency and CPU/op larger is worse");
    const std::string f = "'" + c.file_of("rows") + "'", band = cell(threshold * 100);
    c.body = "set object 1 rect from -" + band + ", graph 0 to " + band + ", graph 1 fc rgb \"#e6f2e6\" fs solid 1.0 noborder behind\n"
             "set xrange [-" + cell(reach) + ":" + cell(reach) + "]\nset yrange [-0.7:" + cell(static_cast<double>(rows.size()) - 0.3) + "]\n"
             "set xlabel \"change against the baseline (%)\"\nset key off\nset grid xtics lc rgb \"#dddddd\"\n"
             "set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb \"#666666\" dt 2\nset rmargin 18\nset lmargin 34\n"
             "plot " + f + " using 1:2:3:4:5:ytic(6) with xerrorbars lc rgb variable lw 2 pt 7 ps 1.6, \\\n"
             "     " + f + " using (" + cell(reach) + "):2:7 with labels left offset 1,0 font \",11\"";
    c.data.push_back(std::move(t));
    c.caption = "Inside the green band: within the threshold. The verdicts are the gate's rules: the change beyond the "
                "threshold and significant after Benjamini-Hochberg.";
    return c;
}

}  // namespace iobench::plots
