// Loopback TCP: one iteration is a 64 B send on one end of a connected pair
// and the recv of those bytes on the other, both through the backend, one
// after the other (every backend can do that, blocking ones included).
#include "bench/micro/micro_common.hpp"

#include "backends/probe_util.hpp"
#include "backends/unique_fd.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <system_error>

namespace iobench::micro {

namespace {

constexpr uint32_t msg_size = 64;
constexpr auto reap_timeout = std::chrono::seconds(5);

[[noreturn]] void fail_sys(const char* what) { throw std::system_error(errno, std::system_category(), what); }

// A connected pair over 127.0.0.1, made with plain syscalls (setup, not measured).
struct tcp_pair {
    unique_fd client, server;
};

tcp_pair connect_pair(bool nonblocking) {
    unique_fd lst(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!lst) fail_sys("socket");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(lst.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 || ::listen(lst.get(), 1) < 0 ||
        ::getsockname(lst.get(), reinterpret_cast<sockaddr*>(&a), &len) < 0)
        fail_sys("listen on 127.0.0.1");
    tcp_pair p{unique_fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)), {}};
    if (!p.client || ::connect(p.client.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) fail_sys("connect");
    p.server = unique_fd(::accept4(lst.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!p.server) fail_sys("accept");
    const int one = 1;
    for (int fd : {p.client.get(), p.server.get()}) {
        // No Nagle: the other end never answers, so its ACKs are delayed.
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (nonblocking) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
    return p;
}

// One op through the backend, reaped; its result (bytes or -errno).
int64_t round_trip(backend& be, const io_op& op) {
    be.prepare({&op, 1});
    const int r = be.submit();
    if (r < 0) return r;
    io_completion c;
    const int n = be.reap({&c, 1}, 1, reap_timeout);
    if (n <= 0) return n < 0 ? n : -ETIMEDOUT;
    return c.result;
}

void run_pair(benchmark::State& st, const backend_entry& e) {
    backend_options o;
    o.depth = 2;
    std::unique_ptr<backend> be;
    tcp_pair p;
    try {
        be = e.create(o);
        p = connect_pair(!(e.caps & cap_blocking_fds));
        const int fds[] = {p.client.get(), p.server.get()};
        be->attach({fds, {}});
    } catch (const std::exception& ex) {
        st.SkipWithError(ex.what());
        return;
    }
    char out[msg_size] = {'m'}, in[msg_size];
    op_counters counters;
    counters.start(*be, st);
    for (auto _ : st) {
        const int64_t sent = round_trip(*be, {op_kind::send, 0, 0, p.client.get(), out, msg_size, 0, 0});
        int64_t r = sent == msg_size ? 1 : (sent < 0 ? sent : -EMSGSIZE);
        for (uint32_t got = 0; r > 0 && got < msg_size;) {
            r = round_trip(*be, {op_kind::recv, 0, 0, p.server.get(), in + got, msg_size - got, 0, 1});
            if (r > 0) got += static_cast<uint32_t>(r);
        }
        if (r <= 0) {
            st.SkipWithError((r == 0 ? std::string("recv: connection closed") : "send/recv: " + errno_text(static_cast<int>(-r))).c_str());
            break;
        }
    }
    counters.finish(*be, st);
    st.SetItemsProcessed(st.iterations());
    st.SetBytesProcessed(st.iterations() * int64_t{msg_size});
    be->forget_fd(p.client.get());
    be->forget_fd(p.server.get());
}

}  // namespace

void register_socket_pair(const backend_entry& e) {
    const probe_result probe = probe_socket(e);
    defaults(benchmark::RegisterBenchmark(("tcp_send_recv_64B/" + std::string(e.name)).c_str(),
                                          [&e, probe](benchmark::State& st) {
                                              if (!probe.ok) {
                                                  st.SkipWithError(probe.reason.c_str());
                                                  return;
                                              }
                                              run_pair(st, e);
                                          }));
}

}  // namespace iobench::micro
