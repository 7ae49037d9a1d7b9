// --workload transfer, one row: sockets over loopback (or a veth pair with --netns), the cache state set
// outside the timed window, receivers on their own threads, the method on
// this thread (an io_uring backend's SINGLE_ISSUER ring is made here), and
// the result: rate, the sender's CPU per GB, calls per MB, zero-copy reports.
#include "harness/transfer/transfer_runner.hpp"

#include "backends/probe_util.hpp"
#include "backends/registry.hpp"
#include "backends/unique_fd.hpp"
#include "harness/net/netns.hpp"
#include "harness/storage/test_file.hpp"
#include "harness/system/clock.hpp"
#include "harness/system/host_sample.hpp"
#include "harness/system/thread_cpu.hpp"
#include "harness/system/thread_role.hpp"
#include "harness/transfer/transfer_receiver.hpp"
#include "workloads/transfer_method.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <memory>
#include <netinet/in.h>
#include <optional>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <system_error>
#include <thread>

namespace iobench {

namespace {

constexpr int idle_bound_s = 10;  // a socket that moves nothing for this long fails the run

[[noreturn]] void fail_setup(const char* what) { throw std::system_error(errno, std::system_category(), what); }

void set_timeouts(int fd) {
    const timeval tv{idle_bound_s, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// A connected loopback pair: `send` (this side) and `recv` (the receiver's).
struct tcp_pair {
    unique_fd send, recv;
};

// With --netns the receiver's end lives in the server namespace and the
// sender's in the client one (a socket keeps the namespace it was made in,
// so only this setup switches namespaces; no thread stays in one).
tcp_pair connect_pair(bool nonblocking_sender, const netns_pair* ns) {
    unique_fd l;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    {
        std::optional<netns_guard> in;
        if (ns) {
            in.emplace(ns->server_ns());
            if (::inet_pton(AF_INET, ns->server_ip().c_str(), &a.sin_addr) != 1) fail_setup("inet_pton (netns address)");
        }
        l.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (!l) fail_setup("socket");
        socklen_t len = sizeof a;
        if (::bind(l.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(l.get(), 1) != 0 ||
            ::getsockname(l.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0)
            fail_setup("bind/listen for the receiver");
    }
    tcp_pair p;
    {
        std::optional<netns_guard> in;
        if (ns) in.emplace(ns->client_ns());
        p.send.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (!p.send || ::connect(p.send.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) fail_setup("connect");
    }
    p.recv.reset(::accept4(l.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!p.recv) fail_setup("accept");
    set_timeouts(p.send.get());
    set_timeouts(p.recv.get());
    if (nonblocking_sender) ::fcntl(p.send.get(), F_SETFL, ::fcntl(p.send.get(), F_GETFL) | O_NONBLOCK);
    return p;
}

// Puts the file in the asked cache state (outside the timed window): warm
// reads it once, cold drops it. The resident fraction after is recorded.
void set_cache(int fd, uint64_t size, bool cold) {
    if (cold) {
        ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        return;
    }
    constexpr size_t chunk = 1 << 20;
    std::unique_ptr<char[]> buf(new char[chunk]);
    for (uint64_t off = 0; off < size;) {
        const ssize_t n = ::pread(fd, buf.get(), chunk, static_cast<off_t>(off));
        if (n <= 0) break;  // the run itself will report a read problem
        off += static_cast<uint64_t>(n);
    }
}

// A receiver thread: the `load` class in cpu.by_thread, so the sender's share is the rest.
void receiver_thread(int sock, uint64_t expect, uint64_t seed, receive_report* out) {
    const thread_role role(thread_class::load, "ib-xfer-recv");
    receive_and_verify(sock, expect, seed, *out);
}

std::string method_reason(const transfer_method& m, const transfer_counts& c, int rc) {
    return std::string(m.name) + ": " + (c.error ? c.error : "failed") + ": " + errno_text(-rc);
}

}  // namespace

std::vector<std::string> transfer_rows(const run_options& o) {
    std::vector<std::string> rows;
    for (const std::string& m : o.methods) {
        if (!find_transfer_method(m)->fixed_backend.empty()) {
            rows.push_back(m);
            continue;
        }
        for (const std::string& b : o.backends) rows.push_back(m + "@" + b);
    }
    return rows;
}

run_result run_transfer_row(const std::string& row, const run_options& o, const run_plan& plan, const test_file& file,
                            const netns_pair* ns) {
    const size_t at = row.find('@');
    const transfer_method& m = *find_transfer_method(row.substr(0, at));
    run_result r;
    r.workload = "transfer";
    r.backend = at == std::string::npos ? std::string(m.fixed_backend) : row.substr(at + 1);
    transfer_facts& t = r.transfer.emplace();
    t.method = std::string(m.name);
    t.cache = o.cold ? "cold" : "warm";
    t.direct = o.direct && m.direct_reads;
    t.file_size = file.size();
    t.chunk = o.bs;
    t.receivers = m.receivers;
    r.threads = 1 + m.receivers;
    r.setup = std::string(m.summary);

    // read_send goes through the backend under test: it must have socket sends.
    std::unique_ptr<backend> be;
    const backend_entry* entry = m.fixed_backend.empty() ? find_backend(r.backend) : nullptr;
    if (entry) {
        if (!(entry->caps & cap_sockets)) {
            r.status = run_status::unsupported;
            r.reason = r.backend + ": no socket sends (read_send sends through the backend)";
            return r;
        }
        probe_context pc;
        pc.target = io_target::socket;
        if (const probe_result p = entry->probe(pc); !p.ok) {
            r.status = run_status::unsupported;
            r.reason = p.reason;
            return r;
        }
        be = entry->create(backend_options_for(o, 2));
        r.setup = be->describe() + "; read_send: one read, then its send, per chunk" +
                  ((entry->caps & cap_files) ? "" : " (reads by pread(2): the backend has no file reads)");
    }

    unique_fd fd(::open(file.path().c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) fail_setup("open transfer file");
    unique_fd dfd;
    if (t.direct) {
        dfd.reset(::open(file.path().c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT));
        if (!dfd) {
            r.status = run_status::unsupported;
            r.reason = std::string(m.name) + " --direct: open " + file.path() + " with O_DIRECT: " + errno_text(errno);
            return r;
        }
    }
    const bool nonblocking = be && !(be->caps() & cap_blocking_fds);
    tcp_pair a = connect_pair(nonblocking, ns), b;
    if (m.receivers > 1) b = connect_pair(false, ns);

    set_cache(fd.get(), file.size(), o.cold);
    if (const auto f = cached_fraction(file.path(), file.size())) t.cached_fraction = *f;

    transfer_io io;
    io.file_fd = fd.get();
    io.direct_fd = dfd.get();
    io.size = file.size();
    if (plan.fault == test_fault::transfer_short && io.size > 1) {
        io.size -= 1;  // test-only: the receivers must catch the missing byte
        r.notes.push_back("IOBENCH_TEST_FAULT=transfer_short: the method sent one byte less; not a measurement");
    }
    io.bs = o.bs;
    io.sock = a.send.get();
    io.sock2 = b.send.get();
    io.be = be.get();
    transfer_counts c;
    receive_report rep[2];

    // The receivers start first (they block in recv), so both CPU samples see them.
    std::thread rx1(receiver_thread, a.recv.get(), file.size(), file.pattern_seed(), &rep[0]);
    std::thread rx2;
    if (m.receivers > 1) rx2 = std::thread(receiver_thread, b.recv.get(), file.size(), file.pattern_seed(), &rep[1]);
    const cpu_sample s0 = sample_cpu();
    const uint64_t t0 = now_ns();
    const int rc = m.run(io, c);
    // EOF for the receivers: they finish once every byte sent has arrived.
    if (be) be->forget_fd(a.send.get());
    ::shutdown(a.send.get(), SHUT_WR);
    if (b.send) ::shutdown(b.send.get(), SHUT_WR);
    rx1.join();
    if (rx2.joinable()) rx2.join();
    const uint64_t t1 = now_ns();
    const cpu_sample s1 = sample_cpu();  // after the joins: the receivers' roles left their final figures

    r.duration_s = static_cast<double>(t1 - t0) / 1e9;
    // By thread class (harness = the sender, load = the receivers, iou-*, aio-helpers).
    const cpu_split split = split_window(s0, s1, storage_split_rules(r.backend));
    set_window_cpu(r, split);
    t.receiver_cpu = split.by_class[static_cast<size_t>(thread_class::load)].cpu;
    // The sender's share: the process less the receivers (io_uring workers and AIO helpers stay in).
    t.sender_cpu = {std::max(0.0, r.cpu.user_s - t.receiver_cpu.user_s), std::max(0.0, r.cpu.sys_s - t.receiver_cpu.sys_s)};
    t.syscalls = c.syscalls;
    t.syscalls_counted = c.syscalls_counted;
    t.zerocopy_reported = c.zerocopy_reported;
    t.bytes_zero_copied = c.bytes_zero_copied;
    t.bytes_copied = c.bytes_copied;
    t.bytes = std::min(rep[0].bytes, m.receivers > 1 ? rep[1].bytes : rep[0].bytes);
    r.bytes = t.bytes;
    r.ops = (c.bytes + o.bs - 1) / o.bs;  // chunks
    if (r.duration_s > 0) {
        r.bytes_per_sec = static_cast<double>(r.bytes) / r.duration_s;
        r.iops = static_cast<double>(r.ops) / r.duration_s;
    }
    if (r.ops) r.cpu_per_op_ns = (r.cpu.user_s + r.cpu.sys_s) * 1e9 / static_cast<double>(r.ops);
    if (r.cpu_detail.measured && r.ops) {  // set_window_cpu left these 0: it had no ops yet
        r.cpu_detail.per_op_voluntary_cs = static_cast<double>(r.cpu_detail.voluntary_cs) / static_cast<double>(r.ops);
        r.cpu_detail.per_op_involuntary_cs = static_cast<double>(r.cpu_detail.involuntary_cs) / static_cast<double>(r.ops);
    }
    t.gbit_per_sec = r.bytes_per_sec * 8 / 1e9;
    const double gb = static_cast<double>(r.bytes) / 1e9, mb = static_cast<double>(r.bytes) / 1e6;
    if (gb > 0) {
        t.sender_user_s_per_gb = t.sender_cpu.user_s / gb;
        t.sender_sys_s_per_gb = t.sender_cpu.sys_s / gb;
        t.syscalls_per_mb = static_cast<double>(c.syscalls) / mb;
    }
    if (c.zerocopy_reported)
        r.notes.push_back(std::string(ns ? "veth" : "loopback") +
                          ": the receive is local, so the kernel copies anyway; bytes_copied is expected here, "
                          "reported as a fact, not an error");
    if (c.direct_tail_bytes)
        r.notes.push_back("--direct: " + std::to_string(c.direct_tail_bytes) +
                          " bytes read buffered (O_DIRECT refused or left short the unaligned end)");

    // Status: the method's own failure first, then what the receivers saw.
    if (rc < 0) {
        r.status = c.unsupported ? run_status::unsupported : run_status::error;
        r.reason = method_reason(m, c, rc);
        if (!c.unsupported) r.reason += " after " + std::to_string(c.bytes) + " bytes";
        return r;
    }
    for (unsigned i = 0; i < m.receivers; ++i) {
        const std::string who = m.receivers > 1 ? "receiver " + std::to_string(i + 1) : "receiver";
        if (rep[i].bad_offset != UINT64_MAX) {
            r.status = run_status::error;
            r.reason = who + ": data mismatch at offset " + std::to_string(rep[i].bad_offset);
            return r;
        }
        if (rep[i].err < 0) {
            r.status = run_status::error;
            r.reason = who + ": recv failed at offset " + std::to_string(rep[i].bytes) + ": " + errno_text(-rep[i].err);
            return r;
        }
        if (rep[i].bytes != file.size()) {
            r.status = run_status::error;
            r.reason = who + ": got " + std::to_string(rep[i].bytes) + " of " + std::to_string(file.size()) +
                       " bytes: " + (rep[i].bytes < file.size() ? "short transfer, missing from offset " : "too many bytes from offset ") +
                       std::to_string(std::min(rep[i].bytes, file.size()));
            return r;
        }
    }
    return r;
}

}  // namespace iobench
