// The report, start to end (plots/report.hpp).
#include "plots/report.hpp"

#include "plots/charts.hpp"
#include "plots/gnuplot_process.hpp"
#include "plots/html_report.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace iobench::plots {

namespace {

namespace fs = std::filesystem;

// DIR.partial.PID beside DIR, removed unless it was renamed into place.
class staging_dir {
public:
    explicit staging_dir(const fs::path& target) : target_(target) {
        path_ = target_;
        path_ += ".partial." + std::to_string(::getpid());
        fs::remove_all(path_);
        fs::create_directories(path_ / "src");
    }
    ~staging_dir() {
        std::error_code ec;
        if (!path_.empty()) fs::remove_all(path_, ec);
    }
    staging_dir(const staging_dir&) = delete;
    staging_dir& operator=(const staging_dir&) = delete;
    const fs::path& path() const { return path_; }
    // Swaps the finished report in for DIR (an earlier report there goes).
    void commit() {
        fs::path old = target_;
        old += ".old." + std::to_string(::getpid());
        const bool had = fs::exists(target_);
        if (had) fs::rename(target_, old);
        fs::rename(path_, target_);
        path_.clear();
        if (had) fs::remove_all(old);
    }

private:
    fs::path target_, path_;
};

void check_target(const fs::path& dir) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) {
        if (!dir.parent_path().empty() && !fs::is_directory(dir.parent_path(), ec))
            throw bad_input("-o " + dir.string() + ": its parent directory does not exist");
        return;
    }
    if (!fs::is_directory(dir, ec)) throw bad_input("-o " + dir.string() + ": exists and is not a directory");
    if (!fs::is_empty(dir, ec) && !fs::exists(dir / "index.html"))
        throw bad_input("-o " + dir.string() + ": not empty and not an earlier report (no index.html); name a new directory");
}

std::vector<chart> all_charts(const std::vector<plot_run>& runs, bool several) {
    std::vector<chart> out;
    const auto add = [&](std::vector<chart> cs) {
        for (auto& c : cs) out.push_back(std::move(c));
    };
    for (const auto& g : group_runs(runs)) {
        add(summary_charts(g, several));
        add(timeline_charts(g, several));
    }
    for (const auto& s : find_sweeps(runs)) add(sweep_charts(s, several));
    return out;
}

}  // namespace

report_outcome make_report(const report_options& o) {
    const std::vector<series> inputs = read_series(o.inputs, o.labels);
    fs::path dir = fs::path(o.out_dir).lexically_normal();
    if (dir.filename().empty()) dir = dir.parent_path();  // "out/charts/": the staging dir goes beside it, not in it
    check_target(dir);

    page p;
    p.inputs = &inputs;
    p.runs = all_runs(inputs);
    p.charts = all_charts(p.runs, inputs.size() > 1);
    baseline_verdicts verdicts;
    if (!o.baseline.empty()) {
        verdicts = compare_with_baseline(o.baseline, inputs, p.runs, o.threshold);
        p.verdicts = &verdicts.rows;
        p.baseline_label = o.baseline;
        for (const auto& why : verdicts.problems) p.problems.push_back(why);
        if (!verdicts.rows.empty()) p.charts.push_back(forest_chart(verdicts.rows, o.threshold, p.runs));
    }

    staging_dir stage(dir);
    report_outcome out;
    out.charts = static_cast<unsigned>(p.charts.size());
    const std::string gnuplot = find_gnuplot();
    out.gnuplot_missing = gnuplot.empty();
    if (out.gnuplot_missing)
        p.problems.push_back("No charts: gnuplot is not on the PATH (Debian package gnuplot-nox). The tables are complete.");
    for (const auto& c : p.charts) {
        render_result r;
        if (!out.gnuplot_missing) r = render(c, stage.path(), gnuplot);
        p.drawn.push_back(r.ok);
        out.drawn += r.ok;
        if (!out.gnuplot_missing && !r.ok) out.failures.push_back(c.name + ": " + r.error);
        for (const auto& w : r.warnings)
            if (!o.quiet) std::fprintf(stderr, "iobench: plot: %s: gnuplot: %s\n", c.name.c_str(), w.c_str());
    }
    for (const auto& f : out.failures) p.problems.push_back("chart not drawn: " + f);
    {
        std::ofstream html(stage.path() / "index.html");
        write_html(html, p, stage.path());
        if (!html) throw std::runtime_error(dir.string() + "/index.html: could not write it");
    }
    stage.commit();
    return out;
}

}  // namespace iobench::plots
