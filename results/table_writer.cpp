// The human-readable table on stdout, one row per backend as it finishes.
#include "results/writer.hpp"

#include "results/units_text.hpp"

#include <cstdio>
#include <string>

namespace iobench {

namespace {

class table_writer final : public results_writer {
public:
    explicit table_writer(std::ostream& out) : out_(out) {}

    void begin(const run_context& ctx) override {
        line("%s, %s, %u cores, liburing %s", ctx.host.kernel.c_str(), ctx.host.cpu_model.c_str(), ctx.host.cores,
             ctx.host.liburing_version.c_str());
        if (!ctx.merged_from.empty()) {
            std::string from;
            for (const auto& m : ctx.merged_from) from += (from.empty() ? "" : ", ") + m.file + " (" + m.host.hostname + ")";
            line("merged as %s from %zu files: %s", ctx.merge_mode.c_str(), ctx.merged_from.size(), from.c_str());
        }
        if (!ctx.host.target_path.empty())
            line("target %s (%s on %s)", ctx.host.target_path.c_str(), ctx.host.target_fs.c_str(),
                 ctx.host.target_device.c_str());
        for (const auto& w : ctx.warnings) line("warning: %s", w.c_str());
        const auto kind = ctx.parameters.find("kind");
        const auto* kind_text = kind == ctx.parameters.end() ? nullptr : std::get_if<std::string>(&kind->second);
        const bool network = kind_text && *kind_text == "network";
        transfer_ = kind_text && *kind_text == "transfer";
        if (transfer_) {
            line("%-16s %-16s %-11s %5s %8s %8s %8s %9s %10s %10s", "backend", "method", "status", "cache", "Gbit/s",
                 "usr s/GB", "sys s/GB", "calls/MB", "zero-copy", "copied");
            return;
        }
        line("%-16s %-9s %-11s %9s %10s %9s %9s %9s %9s %8s", "backend", "workload", "status", network ? "req/s" : "IOPS", "MB/s", "p50",
             "p99", "p99.9", "max", "CPU/op");
    }

    void add(const run_result& r) override {
        const std::string status(to_string(r.status));
        if (r.status == run_status::unsupported && transfer_ && r.transfer) {
            line("%-16s %-16s %-11s %s", r.backend.c_str(), r.transfer->method.c_str(), status.c_str(), r.reason.c_str());
            return;
        }
        if (r.status == run_status::unsupported) {
            line("%-16s %-9s %-11s %s", r.backend.c_str(), r.workload.c_str(), status.c_str(), r.reason.c_str());
            return;
        }
        if (transfer_ && r.transfer) {
            transfer_row(r, status);
            return;
        }
        const auto& h = r.latency;
        line("%-16s %-9s %-11s %9s %10.1f %9s %9s %9s %9s %8s", r.backend.c_str(), r.workload.c_str(), status.c_str(),
             si(r.iops, "").c_str(), r.bytes_per_sec / 1e6, duration(static_cast<double>(h.percentile(50))).c_str(),
             duration(static_cast<double>(h.percentile(99))).c_str(),
             duration(static_cast<double>(h.percentile(99.9))).c_str(), duration(static_cast<double>(h.max())).c_str(),
             duration(r.cpu_per_op_ns).c_str());
        // An interrupted run says so in its status column; these two say why.
        if (r.status == run_status::error || r.status == run_status::suspect)
            line("  %s: %s", status.c_str(), r.reason.c_str());
        // ...and, when the harness said more than the word (which signal, how long it ran), that too.
        if (r.status == run_status::interrupted && r.reason != "interrupted") line("  %s", r.reason.c_str());
        if (r.spread && !r.repetitions.empty())
            line("  %zu repetitions (median shown): IOPS %s..%s, cv %.1f%%; p99 cv %.1f%%", r.repetitions.size(),
                 si(r.spread->iops.min, "").c_str(), si(r.spread->iops.max, "").c_str(), r.spread->iops.cv * 100,
                 r.spread->p99.cv * 100);
        for (const auto& n : r.notes) line("  note: %s", n.c_str());
        cpu_line(r.cpu_detail);
        samples(r);
    }

    void end() override { out_.flush(); }

private:
    // One transfer row: the rate, the sender's CPU per GB, calls per MB and
    // what the kernel reported it copied ("-" where the method has no report).
    void transfer_row(const run_result& r, const std::string& status) {
        const transfer_facts& t = *r.transfer;
        const std::string zc = t.zerocopy_reported ? bytes_text(t.bytes_zero_copied) : "-";
        const std::string cp = t.zerocopy_reported ? bytes_text(t.bytes_copied) : "-";
        line("%-16s %-16s %-11s %5s %8.2f %8.3f %8.3f %9.1f %10s %10s", r.backend.c_str(), t.method.c_str(),
             status.c_str(), t.cache.c_str(), t.gbit_per_sec, t.sender_user_s_per_gb, t.sender_sys_s_per_gb,
             t.syscalls_per_mb, zc.c_str(), cp.c_str());
        if (r.status == run_status::error || r.status == run_status::suspect)
            line("  %s: %s", status.c_str(), r.reason.c_str());
        if (t.cached_fraction >= 0) line("  note: file %.0f%% in the page cache at the start", t.cached_fraction * 100);
        for (const auto& n : r.notes) line("  note: %s", n.c_str());
        cpu_line(r.cpu_detail);  // load = the receivers
    }
    static std::string bytes_text(uint64_t b) {
        char buf[32];
        if (b >= (1ull << 20)) std::snprintf(buf, sizeof buf, "%.1fMiB", static_cast<double>(b) / (1 << 20));
        else std::snprintf(buf, sizeof buf, "%lluB", static_cast<unsigned long long>(b));
        return buf;
    }

    // Where the CPU went, when anything but iobench's own threads used some:
    // SQPOLL's poller and glibc's helpers show without the JSON.
    void cpu_line(const cpu_breakdown& d) {
        if (!d.measured) return;
        auto shown = [](const thread_class_cpu& c) { return c.cpu.user_s + c.cpu.sys_s >= 0.005; };
        bool others = false;
        for (const auto& c : d.by_thread) others = others || (c.name != "harness" && shown(c));
        if (!others) return;
        std::string text;
        for (const auto& c : d.by_thread) {
            if (!shown(c)) continue;
            char buf[64];
            std::snprintf(buf, sizeof buf, "%s%s %.2fs", text.empty() ? "" : ", ", c.name.c_str(), c.cpu.user_s + c.cpu.sys_s);
            text += buf;
        }
        if (const double rest = d.residue.user_s + d.residue.sys_s; rest >= 0.005) {
            char buf[128];
            std::snprintf(buf, sizeof buf, " (%s: %.2fs from threads that ended inside the window)", d.residue_in.c_str(), rest);
            text += buf;
        }
        line("  cpu: %s", text.c_str());
    }

    // What the harness sampled around the run, where it says something.
    void samples(const run_result& r) {
        const auto direct = r.parameters.find("direct");
        const bool buffered = direct != r.parameters.end() && direct->second == param_value(false);
        if (r.target_cached_fraction && buffered)
            line("  note: target %.0f%% in the page cache at the start", *r.target_cached_fraction * 100);
        if (r.neighbour && r.neighbour->busy)
            line("  note: other processes used %.0f%% of a CPU during the run", r.neighbour->cpu_fraction * 100);
    }

    template <typename... A>
    void line(const char* fmt, A... args) {
        char buf[1024];
        std::snprintf(buf, sizeof buf, fmt, args...);
        out_ << buf << '\n';
    }
    std::ostream& out_;
    bool transfer_ = false;  // the header said transfer columns
};

}  // namespace

std::unique_ptr<results_writer> make_table_writer(std::ostream& out) { return std::make_unique<table_writer>(out); }

}  // namespace iobench
