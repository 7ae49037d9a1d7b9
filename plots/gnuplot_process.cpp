// One gnuplot process per chart (plots/gnuplot_process.hpp).
#include "plots/gnuplot_process.hpp"

#include <gnuplot-iostream.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace iobench::plots {

namespace {

namespace fs = std::filesystem;

// A data cell as gnuplot-iostream should write it: the text as it is (a bare
// std::string would be taken for a container of chars).
struct gp_cell {
    const std::string* text;
};
std::ostream& operator<<(std::ostream& o, const gp_cell& c) { return o << *c.text; }

std::vector<std::vector<gp_cell>> cells_of(const data_table& t) {
    std::vector<std::vector<gp_cell>> rows;
    for (const auto& r : t.rows) {
        rows.emplace_back();
        for (const auto& c : r) rows.back().push_back({&c});
    }
    return rows;
}

constexpr auto render_limit = std::chrono::seconds(60);  // one chart; gnuplot takes well under 1 s

std::string terminal_setup(const chart& c, bool svg) {
    const std::string font = "font \"DejaVu Sans,12\" noenhanced";
    if (!svg) return "set terminal pngcairo size 1200,700 " + font + "\nset output '../" + c.name + ".png'\n";
    std::string id = "ib_" + c.name;  // the SVG's name: an identifier, unique per chart of a page
    for (char& ch : id)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    return "set terminal svg size 1200,700 " + font + " standalone name \"" + id + "\"\nset output '../" + c.name +
           ".svg'\n";
}

std::string frame_setup(const chart& c) {
    std::ostringstream s;
    // Title and subtitle as labels at fixed places: gnuplot's own title would sit on the subtitle.
    s << "set label 900 " << quoted(c.title) << " at screen 0.5, screen 0.955 center font \",16\"\n";
    s << "set label 901 " << quoted(c.subtitle) << " at screen 0.5, screen 0.91 center font \",11\" tc rgb \"#444444\"\n";
    s << "set tmargin 7\n";
    // Notes sit under the x axis, one line each, newest at the bottom.
    const size_t n = c.notes.size();
    for (size_t i = 0; i < n; ++i)
        s << "set label " << 910 + i << " " << quoted(c.notes[n - 1 - i]) << " at screen 0.012, screen "
          << 0.02 + 0.03 * static_cast<double>(i) << " left font \",11\" tc rgb \"#7a1f1f\"\n";
    s << "set bmargin " << 4.5 + 1.75 * static_cast<double>(n) << "\n";
    return s.str();
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A child gnuplot with its stdin a pipe; stdout and stderr into `log`, cwd `dir`.
struct child {
    pid_t pid = -1;
    FILE* in = nullptr;
};

child start(const std::string& gnuplot, const fs::path& dir, const fs::path& log) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        ::close(fds[0]), ::close(fds[1]);
        throw std::runtime_error(log.string() + ": " + std::strerror(errno));
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (::dup2(fds[0], 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0 || ::chdir(dir.c_str()) != 0) ::_exit(126);
        ::execl(gnuplot.c_str(), "gnuplot", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(fds[0]);
    ::close(out);
    if (pid < 0) {
        ::close(fds[1]);
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    }
    return {pid, ::fdopen(fds[1], "w")};
}

// The exit status, or -1 after killing a gnuplot that overran the limit.
int wait_bounded(pid_t pid) {
    const auto deadline = std::chrono::steady_clock::now() + render_limit;
    int status = 0;
    while (true) {
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (r < 0 && errno != EINTR) return -2;
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

}  // namespace

std::string quoted(const std::string& s) {
    std::string q = "\"";
    for (const char ch : s) {
        if (ch == '"' || ch == '\\') q += '\\';
        if (ch == '\n') q += "\\n";
        else q += ch;
    }
    return q + "\"";
}

std::string cell(double v) {
    if (!std::isfinite(v)) return "NaN";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::string text_cell(const std::string& s) {
    std::string q = "\"";
    for (const char ch : s) q += ch == '"' ? '\'' : ch;
    return q + "\"";
}

std::string find_gnuplot() {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "";
    for (size_t at = 0; at <= dirs.size();) {
        const size_t end = std::min(dirs.find(':', at), dirs.size());
        const fs::path p = fs::path(dirs.substr(at, end - at).empty() ? "." : dirs.substr(at, end - at)) / "gnuplot";
        if (::access(p.c_str(), X_OK) == 0 && fs::is_regular_file(p)) return p.string();
        at = end + 1;
    }
    return {};
}

std::string chart_script(const chart& c) {
    std::string s = "# iobench chart " + c.name + ": " + c.title + "\n" +
                    "# Written by `iobench plot`; run `gnuplot " + c.name + ".gp` in this directory to redraw ../" +
                    c.name + ".png and ../" + c.name + ".svg.\n";
    // The frame once per terminal: a multiplot body unsets its labels after the first panel.
    for (const bool svg : {false, true}) s += terminal_setup(c, svg) + frame_setup(c) + c.body + "\n";
    return s + "unset output\n";
}

render_result render(const chart& c, const fs::path& dir, const std::string& gnuplot) {
    const fs::path src = dir / "src", log = src / (c.name + ".log");
    const std::string script = chart_script(c);
    std::ofstream(src / (c.name + ".gp")) << script;
    child ch = start(gnuplot, src, log);
    if (!ch.in) {
        ::kill(ch.pid, SIGKILL);
        wait_bounded(ch.pid);
        return {false, "fdopen: " + std::string(std::strerror(errno)), {}};
    }
    {
        Gnuplot gp(ch.in);  // closes ch.in (fclose) when it goes: gnuplot then reads EOF and exits
        for (const auto& t : c.data) gp.file1d(cells_of(t), (src / c.file_of(t.name)).string());
        gp << script << std::flush;
    }
    const int status = wait_bounded(ch.pid);
    render_result r;
    std::istringstream said(slurp(log));
    std::string last;
    for (std::string line; std::getline(said, line);) {
        if (line.find_first_not_of(" \t^") == std::string::npos) continue;
        if (line.find("warning") != std::string::npos) r.warnings.push_back(line);
        last = line.substr(line.find_first_not_of(" \t"));  // gnuplot indents its messages
    }
    std::error_code ec;
    if (status == 0 && r.warnings.empty() && fs::file_size(log, ec) == 0) fs::remove(log, ec);
    if (status == 127) return {false, "could not start " + gnuplot, r.warnings};
    if (status == -1) return {false, "gnuplot ran longer than 60 s and was stopped", r.warnings};
    if (status != 0) return {false, "gnuplot exited with " + std::to_string(status) + ": " + last, r.warnings};
    for (const char* ext : {".png", ".svg"})
        if (fs::file_size(dir / (c.name + ext), ec) == 0 || ec)
            return {false, "gnuplot wrote no " + c.name + ext + " (" + last + ")", r.warnings};
    r.ok = true;
    return r;
}

}  // namespace iobench::plots
