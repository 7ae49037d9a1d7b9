// What every chart has: title, subtitle, notes (plots/charts.hpp).
#include "plots/charts.hpp"

#include "plots/gnuplot_process.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace iobench::plots {

namespace {

std::string note_of(const plot_run& r, bool several_series) {
    std::string reason = r.run->reason;
    const std::string own = r.run->backend + ": ";  // probes start their reason with the backend's name
    if (reason.rfind(own, 0) == 0) reason.erase(0, own.size());
    std::string note = run_label(r, several_series) + ": " + std::string(to_string(r.run->status)) + ": " + reason;
    if (note.size() > 150) note = note.substr(0, 147) + "...";  // one line at 1200 px
    return note;
}

}  // namespace

bool drawable(const run_result& r) {
    return r.status == run_status::ok || r.status == run_status::suspect || r.status == run_status::interrupted;
}

std::string colour_cell(const std::string& backend) { return "0x" + backend_colour(backend).substr(1); }

std::string latency_tics(const std::string& axis, int per_decade) {
    std::string s = "set " + axis + "tics (";
    for (double us = 1; us <= 1e8; us *= 10)
        for (const double m : {1.0, 2.0, 3.0, 5.0}) {
            if (per_decade >= 3 ? m == 3.0 : per_decade == 2 ? (m == 2.0 || m == 5.0) : m > 1) continue;
            const double v = m * us;
            char label[32];
            if (v < 1e3) std::snprintf(label, sizeof label, "%gus", v);
            else if (v < 1e6) std::snprintf(label, sizeof label, "%gms", v / 1e3);
            else std::snprintf(label, sizeof label, "%gs", v / 1e6);
            s += std::string(us > 1 || m > 1 ? ", " : "") + quoted(label) + " " + cell(v);
        }
    return s + ")\nset m" + axis + "tics 10\n";
}

std::string dash_of(unsigned series_index) { return std::to_string(1 + series_index % 5); }

// A chart's name is its file name in DIR and DIR/src: a workload named with
// slashes or colons (a Google Benchmark name, read_4k/qd:32/...) must not
// make directories or odd paths of it.
static std::string file_safe(const std::string& name) {
    std::string out = name;
    for (char& ch : out)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_' && ch != '.') ch = '_';
    return out;
}

chart chart_frame(const std::string& name, const std::string& group, const std::string& title,
                  const std::vector<plot_run>& runs, bool several_series) {
    chart c;
    c.name = file_safe(name);
    c.group = group;
    c.title = title;
    c.subtitle = host_line(runs) + "\n" + parameters_line(runs);
    for (const auto& r : runs)
        if (r.run->status != run_status::ok) {
            std::string n = note_of(r, several_series);
            if (std::find(c.notes.begin(), c.notes.end(), n) == c.notes.end()) c.notes.push_back(std::move(n));
        }
    return c;
}

}  // namespace iobench::plots
