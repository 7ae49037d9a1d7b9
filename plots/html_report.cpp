// The report page (plots/html_report.hpp).
#include "plots/html_report.hpp"

#include "plots/run_facts.hpp"

#include <fstream>
#include <set>
#include <sstream>

namespace iobench::plots {

namespace {

namespace fs = std::filesystem;

std::string esc(const std::string& s) {
    std::string o;
    for (const char ch : s) {
        switch (ch) {
        case '<': o += "&lt;"; break;
        case '>': o += "&gt;"; break;
        case '&': o += "&amp;"; break;
        case '"': o += "&quot;"; break;
        default: o += ch;
        }
    }
    return o;
}

std::string base64(const std::string& in) {
    static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        for (int k = 18; k >= 0; k -= 6) out += abc[(v >> k) & 63];
    }
    if (const size_t left = in.size() - i) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        if (left == 2) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        out += abc[(v >> 18) & 63];
        out += abc[(v >> 12) & 63];
        out += left == 2 ? abc[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

const char* style = R"(body{font-family:"DejaVu Sans",sans-serif;margin:1.5em;color:#222;max-width:1280px}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:0.85em;margin:0.5em 0}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
th{background:#f2f2f2;text-align:left}td.n,td.b{white-space:nowrap}td.n{text-align:right}
.sw{display:inline-block;width:0.8em;height:0.8em;margin-right:0.3em;border:1px solid #555}
.unsupported{color:#777}.error,.problem{color:#a00}.suspect{color:#a60}
figure{margin:1em 0}figure img{width:100%;max-width:1200px;border:1px solid #eee}figcaption{font-size:0.9em;color:#444}
code{font-size:0.9em})";

void host_section(std::ostream& o, const page& p) {
    o << "<h2>Hosts and parameters</h2>\n<table><tr><th>input</th><th>file</th><th>host</th><th>kernel</th><th>CPU</th>"
         "<th>cores</th><th>liburing / libaio / glibc</th><th>target</th><th>queue</th><th>command</th></tr>\n";
    for (const auto& s : *p.inputs)
        for (const auto& f : s.files) {
            const auto& h = f.doc.context.host;
            o << "<tr><td>" << esc(s.label) << "</td><td>" << esc(f.path) << "</td><td>" << esc(h.hostname) << "</td><td>"
              << esc(h.kernel) << "</td><td>" << esc(h.cpu_model) << "</td><td class=n>" << h.cores << "</td><td>"
              << esc(h.liburing_version + " / " + h.libaio_version + " / " + h.glibc_version) << "</td><td>"
              << esc(h.target_path.empty() ? "-" : h.target_path + " (" + h.target_fs + " on " + h.target_device + ")")
              << "</td><td>" << esc(h.queue_scheduler.empty() ? "-" : h.queue_scheduler + ", io_poll " + h.queue_io_poll)
              << "</td><td><code>" << esc(f.doc.context.command_line) << "</code>";
            for (const auto& w : f.doc.context.warnings) o << "<br><span class=suspect>warning: " << esc(w) << "</span>";
            o << "</td></tr>\n";
        }
    o << "</table>\n";
}

void runs_section(std::ostream& o, const page& p) {
    const bool several = p.inputs->size() > 1;
    o << "<h2>Runs</h2>\n<table><tr>" << (several ? "<th>input</th>" : "")
      << "<th>backend</th><th>workload</th><th>parameters</th><th>status</th><th>IOPS or req/s</th><th>MB/s</th>"
         "<th>p50</th><th>p99</th><th>p99.9</th><th>CPU/op</th><th>notes</th>"
      << (p.verdicts ? "<th>against " + esc(p.baseline_label) + "</th>" : "") << "</tr>\n";
    for (const auto& r : p.runs) {
        const run_result& x = *r.run;
        const std::string st(to_string(x.status));
        const bool ran = x.status != run_status::unsupported && x.ops > 0;
        const auto num = [&](const std::string& v) { return "<td class=n>" + (ran ? esc(v) : std::string("-")) + "</td>"; };
        std::string params;
        for (const auto& k : sweep_keys)
            if (const auto it = x.parameters.find(k); it != x.parameters.end() && number_param(x, k).value_or(0) > 0)
                params += (params.empty() ? "" : " ") + k + "=" + param_text(it->second, k);
        std::string notes = esc(x.reason);
        for (const auto& n : x.notes) {
            if (!notes.empty()) notes += "<br>";
            notes += esc(n);
        }
        o << "<tr>" << (several ? "<td>" + esc(r.from->label) + "</td>" : "") << "<td class=b><span class=sw style=\"background:"
          << backend_colour(x.backend) << "\"></span>" << esc(x.backend) << "</td><td>" << esc(x.workload) << "</td><td>"
          << esc(params) << "</td><td class=" << st << ">" << st << "</td>"
          << num(si_rate(x.iops) + " " + rate_unit(x)) << num(mb_text(x.bytes_per_sec))
          << num(latency_text(static_cast<double>(x.latency.percentile(50))))
          << num(latency_text(static_cast<double>(x.latency.percentile(99))))
          << num(latency_text(static_cast<double>(x.latency.percentile(99.9)))) << num(latency_text(x.cpu_per_op_ns))
          << "<td class=" << st << ">" << notes << "</td>"
          << (p.verdicts ? "<td>" + esc(verdicts_text(*p.verdicts, x)) + "</td>" : "") << "</tr>\n";
    }
    o << "</table>\n";
}

void charts_section(std::ostream& o, const page& p, const fs::path& dir) {
    std::string group;
    for (size_t i = 0; i < p.charts.size(); ++i) {
        const chart& c = p.charts[i];
        if (c.group != group) o << "<h2>" << esc(c.group) << "</h2>\n", group = c.group;
        if (!p.drawn[i]) {
            o << "<p class=problem>not drawn: " << esc(c.title) << "</p>\n";
            continue;
        }
        o << "<figure><img alt=\"" << esc(c.title) << "\" src=\"data:image/svg+xml;base64,"
          << base64(slurp(dir / (c.name + ".svg"))) << "\"><figcaption>" << esc(c.title) << ". " << esc(c.caption)
          << " (<code>" << esc(c.name) << ".png</code>, script <code>src/" << esc(c.name) << ".gp</code>)</figcaption></figure>\n";
    }
}

}  // namespace

void write_html(std::ostream& o, const page& p, const fs::path& dir) {
    o << "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8><title>iobench report</title>\n<style>" << style
      << "</style></head><body>\n<h1>iobench report</h1>\n<p>Inputs: ";
    for (size_t i = 0; i < p.inputs->size(); ++i)
        o << (i ? ", " : "") << "<b>" << esc((*p.inputs)[i].label) << "</b> (" << esc((*p.inputs)[i].path) << ")";
    o << "</p>\n";
    for (const auto& pr : p.problems) o << "<p class=problem>" << esc(pr) << "</p>\n";
    host_section(o, p);
    runs_section(o, p);
    charts_section(o, p, dir);
    o << "</body></html>\n";
}

}  // namespace iobench::plots
