// --workload transfer, one row: sockets over loopback (or a veth pair with --netns), the cache state set
// outside the timed window, receivers on their own threads, the method on
// this thread (an io_uring backend's SINGLE_ISSUER ring is made here), and
// the result: rate, the sender's CPU per GB, calls per MB, zero-copy reports.
#include "harness/transfer/transfer_runner.hpp"

#include "backends/unique_fd.hpp"
#include "harness/net/netns.hpp"
#include "harness/storage/test_file.hpp"
#include "harness/system/clock.hpp"
#include "harness/system/thread_cpu.hpp"
#include "harness/system/thread_role.hpp"
#include "harness/transfer/transfer_receiver.hpp"
#include "harness/transfer/transfer_sender.hpp"
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

[[noreturn]] void fail_setup(const char* what) { throw std::system_error(errno, std::system_category(), what); }

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
    set_transfer_timeouts(p.send.get());
    set_transfer_timeouts(p.recv.get());
    if (nonblocking_sender) ::fcntl(p.send.get(), F_SETFL, ::fcntl(p.send.get(), F_GETFL) | O_NONBLOCK);
    return p;
}

// A receiver thread: the `load` class in cpu.by_thread, so the sender's share is the rest.
void receiver_thread(int sock, uint64_t expect, uint64_t seed, receive_report* out) {
    const thread_role role(thread_class::load, "ib-xfer-recv");
    receive_and_verify(sock, expect, seed, *out);
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
    transfer_sender snd;
    if (!make_sender(m, at == std::string::npos ? std::string() : row.substr(at + 1), o, file, r, snd)) return r;
    transfer_facts& t = *r.transfer;
    r.threads = 1 + m.receivers;
    tcp_pair a = connect_pair(snd.nonblocking_socket(), ns), b;
    if (m.receivers > 1) b = connect_pair(false, ns);
    set_cache_state(file, snd.fd.get(), o.cold, t);

    transfer_io io;
    io.file_fd = snd.fd.get();
    io.direct_fd = snd.dfd.get();
    io.size = file.size();
    if (plan.fault == test_fault::transfer_short && io.size > 1) {
        io.size -= 1;  // test-only: the receivers must catch the missing byte
        r.notes.push_back("IOBENCH_TEST_FAULT=transfer_short: the method sent one byte less; not a measurement");
    }
    io.bs = o.bs;
    io.sock = a.send.get();
    io.sock2 = b.send.get();
    io.be = snd.be.get();
    transfer_counts c;
    receive_report rep[2];

    // The receivers start first (they block in recv), so both CPU samples see them.
    std::thread rx1(receiver_thread, a.recv.get(), file.size(), file.pattern_seed(), &rep[0]);
    std::thread rx2;
    if (m.receivers > 1) rx2 = std::thread(receiver_thread, b.recv.get(), file.size(), file.pattern_seed(), &rep[1]);
    const cpu_sample s0 = sample_cpu();
    const uint64_t t0 = now_ns();
    // EOF for the receivers: they finish once every byte sent has arrived.
    auto finish = [&] {
        if (snd.be) snd.be->forget_fd(a.send.get());
        ::shutdown(a.send.get(), SHUT_WR);
        if (b.send) ::shutdown(b.send.get(), SHUT_WR);
        rx1.join();
        if (rx2.joinable()) rx2.join();
    };
    int rc = 0;
    try {
        rc = m.run(io, c);
    } catch (...) {  // setup inside a method (an allocation): the receivers still end first
        finish();
        throw;
    }
    finish();
    const uint64_t t1 = now_ns();
    const cpu_sample s1 = sample_cpu();  // after the joins: the receivers' roles left their final figures

    // By thread class (harness = the sender, load = the receivers, iou-*, aio-helpers).
    const cpu_split split = split_window(s0, s1, storage_split_rules(r.backend));
    set_window_cpu(r, split);
    t.receiver_cpu = split.by_class[static_cast<size_t>(thread_class::load)].cpu;
    // The sender's share: the process less the receivers (io_uring workers and AIO helpers stay in).
    t.sender_cpu = {std::max(0.0, r.cpu.user_s - t.receiver_cpu.user_s), std::max(0.0, r.cpu.sys_s - t.receiver_cpu.sys_s)};
    fill_transfer_figures(r, c, std::min(rep[0].bytes, m.receivers > 1 ? rep[1].bytes : rep[0].bytes),
                          static_cast<double>(t1 - t0) / 1e9);
    if (c.zerocopy_reported)
        r.notes.push_back(std::string(ns ? "veth" : "loopback") +
                          ": the receive is local, so the kernel copies anyway; bytes_copied is expected here, "
                          "reported as a fact, not an error");

    // Status: the method's own failure first, then what the receivers saw.
    if (rc < 0) {
        r.status = c.unsupported ? run_status::unsupported : run_status::error;
        r.reason = transfer_failure(m, c, rc);
        if (!c.unsupported) r.reason += " after " + std::to_string(c.bytes) + " bytes";
        return r;
    }
    for (unsigned i = 0; i < m.receivers; ++i) {
        const std::string why = receive_verdict(rep[i], file.size(), m.receivers > 1 ? "receiver " + std::to_string(i + 1) : "receiver");
        if (!why.empty()) {
            r.status = run_status::error;
            r.reason = why;
            return r;
        }
    }
    return r;
}

}  // namespace iobench
