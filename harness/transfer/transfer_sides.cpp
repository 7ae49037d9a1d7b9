// `serve` and `load` for --workload transfer (see transfer_sides.hpp).
#include "harness/transfer/transfer_sides.hpp"

#include "backends/unique_fd.hpp"
#include "harness/net/net_address.hpp"
#include "harness/storage/test_file.hpp"
#include "harness/system/clock.hpp"
#include "harness/system/interrupt.hpp"
#include "harness/system/thread_cpu.hpp"
#include "harness/transfer/transfer_sender.hpp"
#include "workloads/verify_pattern.hpp"

#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <system_error>

namespace iobench {

namespace {

[[noreturn]] void fail_setup(const std::string& what) { throw std::system_error(errno, std::system_category(), what); }

}  // namespace

run_result serve_transfer(const run_options& o, const test_file& file) {
    const transfer_method& m = *find_transfer_method(o.methods.front());
    run_result r;
    transfer_sender snd;
    if (!make_sender(m, o.backends.front(), o, file, r, snd)) return r;
    transfer_facts& t = *r.transfer;
    r.threads = 1;
    const net_address at = parse_net_address(o.listen, "--listen");
    unique_fd l(::socket(at.family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
    const int one = 1;
    if (!l || ::setsockopt(l.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        ::bind(l.get(), reinterpret_cast<const sockaddr*>(&at.addr), at.len) != 0 || ::listen(l.get(), 16) != 0)
        fail_setup("listen on " + o.listen);
    if (!o.quiet)
        std::fprintf(stderr, "iobench: serving %s (%llu bytes) by %s on %s\n", file.path().c_str(),
                     static_cast<unsigned long long>(file.size()), t.method.c_str(), o.listen.c_str());
    const uint64_t deadline = o.runtime_ns ? now_ns() + o.runtime_ns : 0;
    transfer_counts total;
    double busy_s = 0;  // time spent sending, summed over connections
    uint64_t connections = 0, failed = 0;
    const cpu_sample s0 = sample_cpu();
    while (!interrupted() && (!deadline || now_ns() < deadline)) {
        pollfd p{l.get(), POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) continue;  // 200 ms: Ctrl-C and --runtime are seen in time
        unique_fd c(::accept4(l.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!c) continue;
        set_transfer_timeouts(c.get());
        if (snd.nonblocking_socket()) ::fcntl(c.get(), F_SETFL, ::fcntl(c.get(), F_GETFL) | O_NONBLOCK);
        set_cache_state(file, snd.fd.get(), o.cold, t);  // before each connection, outside its timing
        transfer_io io;
        io.file_fd = snd.fd.get();
        io.direct_fd = snd.dfd.get();
        io.size = file.size();
        io.bs = o.bs;
        io.sock = c.get();
        io.be = snd.be.get();
        transfer_counts one_conn;
        const uint64_t t0 = now_ns();
        const int rc = m.run(io, one_conn);
        busy_s += static_cast<double>(now_ns() - t0) / 1e9;
        if (snd.be) snd.be->forget_fd(c.get());
        ++connections;
        total.bytes += one_conn.bytes;
        total.syscalls += one_conn.syscalls;
        total.syscalls_counted = one_conn.syscalls_counted;
        total.zerocopy_reported = one_conn.zerocopy_reported;
        total.bytes_zero_copied += one_conn.bytes_zero_copied;
        total.bytes_copied += one_conn.bytes_copied;
        total.direct_tail_bytes += one_conn.direct_tail_bytes;
        if (rc < 0) {
            ++failed;
            if (one_conn.unsupported || r.reason.empty()) r.reason = transfer_failure(m, one_conn, rc);
            if (one_conn.unsupported) {
                r.status = run_status::unsupported;
                return r;
            }
        }
    }
    set_window_cpu(r, split_window(s0, sample_cpu(), storage_split_rules(r.backend)));
    t.sender_cpu = r.cpu;  // serve is all sender
    t.receivers = static_cast<unsigned>(connections);
    fill_transfer_figures(r, total, total.bytes, busy_s);
    r.notes.push_back("serve: " + std::to_string(connections) + " connections, each sent the whole file; Gbit/s over "
                      "the time spent sending; the receivers verify on their side (iobench load)");
    if (failed) {
        r.status = run_status::error;
        r.reason = std::to_string(failed) + " of " + std::to_string(connections) + " connections failed; first: " + r.reason;
    }
    return r;
}

run_result load_transfer(const run_options& o) {
    run_result r;
    r.backend = "blocking";  // the receiver is a blocking recv loop
    r.setup = "receiver: recv(2) into 256 KiB, every byte checked against the pattern";
    r.threads = 1;
    transfer_facts& t = r.transfer.emplace();
    // The server's method, when --method names one; "receiver" otherwise (load cannot see it).
    t.method = o.methods.size() == 1 ? o.methods.front() : "receiver";
    r.workload = "transfer/" + t.method;
    t.file_size = o.size;
    t.chunk = o.bs;
    t.syscalls_counted = "none counted (receiver side)";
    const net_address to = parse_net_address(o.target, "--target");
    unique_fd s(::socket(to.family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) fail_setup("socket");
    set_transfer_timeouts(s.get());
    if (::connect(s.get(), reinterpret_cast<const sockaddr*>(&to.addr), to.len) != 0) {
        r.status = run_status::error;
        r.reason = "connect " + o.target + ": " + std::strerror(errno);
        return r;
    }
    receive_report rep;
    const cpu_sample s0 = sample_cpu();
    const uint64_t t0 = now_ns();
    receive_and_verify(s.get(), o.size, o.seed ^ default_pattern_seed, rep);
    const uint64_t t1 = now_ns();
    set_window_cpu(r, split_window(s0, sample_cpu(), storage_split_rules(r.backend)));
    t.receiver_cpu = r.cpu;
    transfer_counts none;
    fill_transfer_figures(r, none, rep.bytes, static_cast<double>(t1 - t0) / 1e9);
    r.ops = 0;
    r.notes.push_back("load: the receiving end; its CPU is receiver_cpu (the sender's is in the serve side's result)");
    if (const std::string why = receive_verdict(rep, o.size, "receiver"); !why.empty()) {
        r.status = run_status::error;
        r.reason = why;
    }
    return r;
}

}  // namespace iobench
