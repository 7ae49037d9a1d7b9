// The transfer pieces every side shares (see transfer_sender.hpp).
#include "harness/transfer/transfer_sender.hpp"

#include "backends/probe_util.hpp"
#include "backends/registry.hpp"
#include "harness/storage/test_file.hpp"
#include "harness/system/host_sample.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <system_error>

namespace iobench {

void set_transfer_timeouts(int fd) {
    const timeval tv{transfer_idle_bound_s, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

bool make_sender(const transfer_method& m, const std::string& backend_name, const run_options& o,
                 const test_file& file, run_result& r, transfer_sender& s) {
    // One name per method, so (backend, workload) tells rows apart in every
    // consumer that matches on it: compare, merge, the CSV and gbench exports.
    r.workload = "transfer/" + std::string(m.name);
    r.backend = m.fixed_backend.empty() ? backend_name : std::string(m.fixed_backend);
    transfer_facts& t = r.transfer.emplace();
    t.method = std::string(m.name);
    t.cache = o.cold ? "cold" : "warm";
    t.direct = o.direct && m.direct_reads;
    t.file_size = file.size();
    t.chunk = o.bs;
    t.receivers = m.receivers;
    r.setup = std::string(m.summary);
    s.method = &m;

    // read_send goes through the backend under test: it must have socket sends.
    if (m.fixed_backend.empty()) {
        const backend_entry* entry = find_backend(r.backend);
        if (!(entry->caps & cap_sockets)) {
            r.status = run_status::unsupported;
            r.reason = r.backend + ": no socket sends (read_send sends through the backend)";
            return false;
        }
        probe_context pc;
        pc.target = io_target::socket;
        if (const probe_result p = entry->probe(pc); !p.ok) {
            r.status = run_status::unsupported;
            r.reason = p.reason;
            return false;
        }
        s.be = entry->create(backend_options_for(o, 2));
        r.setup = s.be->describe() + "; read_send: one read, then its send, per chunk" +
                  ((entry->caps & cap_files) ? "" : " (reads by pread(2): the backend has no file reads)");
    }
    s.fd.reset(::open(file.path().c_str(), O_RDONLY | O_CLOEXEC));
    if (!s.fd) throw std::system_error(errno, std::system_category(), "open " + file.path());
    if (t.direct) {
        s.dfd.reset(::open(file.path().c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT));
        if (!s.dfd) {
            r.status = run_status::unsupported;
            r.reason = std::string(m.name) + " --direct: open " + file.path() + " with O_DIRECT: " + errno_text(errno);
            return false;
        }
    }
    return true;
}

void set_cache_state(const test_file& file, int fd, bool cold, transfer_facts& t) {
    if (cold) {
        ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    } else {
        constexpr size_t chunk = 1 << 20;
        std::unique_ptr<char[]> buf(new char[chunk]);
        for (uint64_t off = 0; off < file.size();) {
            const ssize_t n = ::pread(fd, buf.get(), chunk, static_cast<off_t>(off));
            if (n <= 0) break;  // the transfer itself will report a read problem
            off += static_cast<uint64_t>(n);
        }
    }
    if (const auto f = cached_fraction(file.path(), file.size())) t.cached_fraction = *f;
}

void fill_transfer_figures(run_result& r, const transfer_counts& c, uint64_t bytes, double duration_s) {
    transfer_facts& t = *r.transfer;
    r.duration_s = duration_s;
    t.syscalls = c.syscalls;
    t.syscalls_counted = c.syscalls_counted;
    t.zerocopy_reported = c.zerocopy_reported;
    t.bytes_zero_copied = c.bytes_zero_copied;
    t.bytes_copied = c.bytes_copied;
    t.bytes = bytes;
    r.bytes = bytes;
    r.ops = (c.bytes + t.chunk - 1) / t.chunk;  // chunks
    if (duration_s > 0) {
        r.bytes_per_sec = static_cast<double>(bytes) / duration_s;
        r.iops = static_cast<double>(r.ops) / duration_s;
    }
    if (r.ops) r.cpu_per_op_ns = (r.cpu.user_s + r.cpu.sys_s) * 1e9 / static_cast<double>(r.ops);
    if (r.cpu_detail.measured && r.ops) {  // set_window_cpu left these 0: it had no ops yet
        r.cpu_detail.per_op_voluntary_cs = static_cast<double>(r.cpu_detail.voluntary_cs) / static_cast<double>(r.ops);
        r.cpu_detail.per_op_involuntary_cs = static_cast<double>(r.cpu_detail.involuntary_cs) / static_cast<double>(r.ops);
    }
    t.gbit_per_sec = r.bytes_per_sec * 8 / 1e9;
    const double gb = static_cast<double>(bytes) / 1e9, mb = static_cast<double>(bytes) / 1e6;
    if (gb > 0) {
        t.sender_user_s_per_gb = t.sender_cpu.user_s / gb;
        t.sender_sys_s_per_gb = t.sender_cpu.sys_s / gb;
        t.syscalls_per_mb = static_cast<double>(c.syscalls) / mb;
    }
    if (c.direct_tail_bytes)
        r.notes.push_back("--direct: " + std::to_string(c.direct_tail_bytes) +
                          " bytes read buffered (O_DIRECT refused or left short the unaligned end)");
}

std::string transfer_failure(const transfer_method& m, const transfer_counts& c, int rc) {
    return std::string(m.name) + ": " + (c.error ? c.error : "failed") + ": " + errno_text(-rc);
}

std::string receive_verdict(const receive_report& rep, uint64_t expect, const std::string& who) {
    if (rep.bad_offset != UINT64_MAX) return who + ": data mismatch at offset " + std::to_string(rep.bad_offset);
    if (rep.err < 0) return who + ": recv failed at offset " + std::to_string(rep.bytes) + ": " + errno_text(-rep.err);
    if (rep.bytes != expect)
        return who + ": got " + std::to_string(rep.bytes) + " of " + std::to_string(expect) + " bytes: " +
               (rep.bytes < expect ? "short transfer, missing from offset " : "too many bytes from offset ") +
               std::to_string(std::min(rep.bytes, expect));
    return {};
}

}  // namespace iobench
