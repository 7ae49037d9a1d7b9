// net_server: the listening socket, the serving threads of each model (event
// loop in net_server_loop.cpp; thread per connection for blocking; accept4()
// acceptor for posix_aio), stop, and stats. CPU is not counted here: the
// runners take the whole process's (RUSAGE_SELF) over the measured window, the
// only way glibc's AIO helpers and io_uring's SQPOLL thread are all paid for.
#include "harness/net/net_server.hpp"

#include "backends/registry.hpp"
#include "backends/unique_fd.hpp"
#include "harness/cli/errors.hpp"
#include "harness/net/lws_server.hpp"
#include "harness/net/net_server_state.hpp"
#include "harness/system/thread_role.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace iobench {

// ---- shared state ----

void server_shared::set_error(std::string why) {
    std::lock_guard lk(mu);
    if (error.empty()) error = std::move(why);
}

void server_shared::publish(const backend_counters& c) {
    submit_calls.store(c.submit_calls, std::memory_order_relaxed);
    enobufs_rearms.store(c.enobufs_rearms, std::memory_order_relaxed);
    cq_overflows.store(c.cq_overflows, std::memory_order_relaxed);
    zc_sends.store(c.zc_sends, std::memory_order_relaxed);
    zc_copied.store(c.zc_copied, std::memory_order_relaxed);
    reap_calls.store(c.reap_calls, std::memory_order_relaxed);
    enter_calls.store(c.enter_calls, std::memory_order_relaxed);
    cqes.store(c.cqes, std::memory_order_relaxed);
}

// ---- the server ----

namespace {

// One op through a cap_one_op_per_thread backend: it runs inside submit().
int64_t run_one(backend& be, const io_op& op) {
    be.prepare({&op, 1});
    be.submit();
    io_completion c{};
    return be.reap({&c, 1}, 1, std::chrono::nanoseconds::zero()) == 1 ? c.result : -EIO;
}

}  // namespace

struct net_server::impl {
    explicit impl(const server_options& o) : s(o) {}

    server_shared s;
    const backend_entry* entry = nullptr;
    unique_fd listen;
    net_address bound;
    bool running = false;
    std::thread loop, acceptor;
    std::unique_ptr<lws_server> lws;  // --server lws / lws-libev: it serves instead of the loops here

    // Thread per connection (blocking): fds guarded by workers_mu, so stop()
    // never shuts down a number a worker has already closed.
    struct worker {
        std::thread t;
        int fd = -1;
        std::atomic<bool> done{true};
    };
    std::mutex workers_mu;
    std::unique_ptr<worker[]> workers;

    void acceptor_blocking_backend();
    void acceptor_accept4();
    void spawn_worker(int fd);
    void worker_main(worker& w, int fd);
};

net_server::net_server(const server_options& opts) : impl_(std::make_unique<impl>(opts)) {
    impl& m = *impl_;
    if (opts.server != "native") {
        m.lws = std::make_unique<lws_server>(opts);
        return;
    }
    m.entry = find_backend(opts.backend);
    if (!m.entry) throw usage_error("--backend " + opts.backend + ": unknown backend");
    m.s.workload = find_net_workload(opts.workload);
    if (!m.s.workload) throw usage_error("--workload " + opts.workload + ": unknown network workload");
    probe_context pc;
    pc.target = io_target::socket;
    const probe_result pr = m.entry->probe(pc);
    if (!pr.ok) throw unsupported_error(pr.reason);

    // Blocking listener where a thread waits in accept (blocking, posix_aio's acceptor).
    const bool blocking = m.entry->caps & cap_blocking_fds;
    const int family = opts.listen.family() ? opts.listen.family() : AF_INET;
    m.listen.reset(::socket(family, SOCK_STREAM | SOCK_CLOEXEC | (blocking ? 0 : SOCK_NONBLOCK), 0));
    if (!m.listen) throw std::system_error(errno, std::system_category(), "net_server: socket");
    const int one = 1;
    ::setsockopt(m.listen.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    net_address a = opts.listen;
    if (a.len == 0) {  // nothing given: 127.0.0.1, a free port
        auto* s4 = reinterpret_cast<sockaddr_in*>(&a.addr);
        s4->sin_family = AF_INET;
        s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.len = sizeof(sockaddr_in);
    }
    if (::bind(m.listen.get(), reinterpret_cast<const sockaddr*>(&a.addr), a.len) != 0)
        throw usage_error("--listen " + a.to_string() + ": bind: " + std::strerror(errno));
    if (::listen(m.listen.get(), 4096) != 0)
        throw std::system_error(errno, std::system_category(), "net_server: listen");
    m.bound.len = sizeof m.bound.addr;
    if (::getsockname(m.listen.get(), reinterpret_cast<sockaddr*>(&m.bound.addr), &m.bound.len) != 0)
        throw std::system_error(errno, std::system_category(), "net_server: getsockname");
    m.s.listen_fd = m.listen.get();
}

net_server::~net_server() { stop(); }

net_address net_server::address() const { return impl_->lws ? impl_->lws->address() : impl_->bound; }

void net_server::start() {
    impl& m = *impl_;
    if (m.lws) return m.lws->start();
    if (m.running) return;
    // stop() shut the listener down for good.
    if (m.s.stopping.load()) throw std::logic_error("net_server: start() after stop() is not supported");
    const uint32_t caps = m.entry->caps;
    if (caps & cap_one_op_per_thread) {
        m.workers = std::make_unique<impl::worker[]>(std::max(m.s.opts.max_connections, 1u));
        {
            std::lock_guard lk(m.s.mu);
            m.s.setup = m.entry->create({})->describe() +
                        "; server: thread per connection (each with its own blocking instance), acceptor thread "
                        "accepting through the backend, blocking sockets";
        }
        m.acceptor = std::thread([&m] {
            const thread_role role(thread_class::harness, "ib-accept");
            m.acceptor_blocking_backend();
        });
        m.running = true;
        return;
    }
    std::promise<std::string> ready;
    auto f = ready.get_future();
    m.s.handoff.reserve(m.s.opts.max_connections);
    // The promise lives on the loop thread: set_value may still be running when get() returns.
    m.loop = std::thread([&m, p = std::move(ready)]() mutable {
        const thread_role role(thread_class::harness, "ib-server");
        run_event_loop(m.s, p);
    });
    const std::string err = f.get();
    if (!err.empty()) {
        m.loop.join();
        throw std::runtime_error(err);
    }
    if (!(caps & cap_accept_connect))
        m.acceptor = std::thread([&m] {
            const thread_role role(thread_class::harness, "ib-accept");
            m.acceptor_accept4();
        });
    m.running = true;
}

void net_server::stop() {
    impl& m = *impl_;
    if (m.lws) return m.lws->stop();
    if (!m.running) return;
    m.s.stopping.store(true);
    // Wakes a thread blocked in accept (EINVAL) and ends accepts in flight.
    ::shutdown(m.listen.get(), SHUT_RDWR);
    if (m.acceptor.joinable()) m.acceptor.join();
    if (m.workers) {
        {
            std::lock_guard lk(m.workers_mu);
            for (unsigned i = 0; i < std::max(m.s.opts.max_connections, 1u); ++i)
                if (m.workers[i].fd >= 0) ::shutdown(m.workers[i].fd, SHUT_RDWR);  // its recv/send returns
        }
        for (unsigned i = 0; i < std::max(m.s.opts.max_connections, 1u); ++i)
            if (m.workers[i].t.joinable()) m.workers[i].t.join();
    }
    if (m.loop.joinable()) m.loop.join();
    for (const int fd : m.s.handoff) ::close(fd);  // accepted after the loop left
    m.s.handoff.clear();
    m.running = false;
}

server_stats net_server::stats() const {
    if (impl_->lws) return impl_->lws->stats();
    const server_shared& s = impl_->s;
    server_stats r;
    constexpr auto rl = std::memory_order_relaxed;
    // The event loop publishes a turn's counts under this lock, so a reader
    // never sees one count of a turn without the others.
    std::lock_guard lk(impl_->s.mu);
    r.accepted = s.accepted.load(rl);
    r.live_connections = s.live.load(rl);
    r.requests = s.requests.load(rl);
    r.bytes_in = s.bytes_in.load(rl);
    r.bytes_out = s.bytes_out.load(rl);
    r.errors = s.errors.load(rl);
    r.accept_fd_errors = s.accept_fd_errors.load(rl);
    r.hoarders_closed = s.hoarders_closed.load(rl);
    r.counters = {s.submit_calls.load(rl), s.enobufs_rearms.load(rl), s.cq_overflows.load(rl), s.zc_sends.load(rl),
                  s.zc_copied.load(rl)};
    r.counters.reap_calls = s.reap_calls.load(rl);
    r.counters.enter_calls = s.enter_calls.load(rl);
    r.counters.cqes = s.cqes.load(rl);
    r.setup = s.setup;
    r.error = s.error;
    return r;
}

// ---- acceptors and thread per connection ----

// posix_aio has no accept: a plain blocking accept4() here, the fds handed to the loop.
void net_server::impl::acceptor_accept4() {
    for (;;) {
        const int fd = ::accept4(s.listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (s.stopping.load()) {
            if (fd >= 0) ::close(fd);
            return;
        }
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EINVAL) return;  // the listener was shut down
            s.add(s.errors, 1);
            if (errno == EMFILE || errno == ENFILE) {
                s.add(s.accept_fd_errors, 1);
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
            continue;
        }
        {
            std::lock_guard lk(s.handoff_mu);
            if (s.handoff.size() < s.handoff.capacity()) {
                s.handoff.push_back(fd);
                s.handoff_ready.store(true, std::memory_order_release);
            } else {  // the loop is far behind: refuse rather than grow
                ::close(fd);
                s.add(s.errors, 1);
            }
        }
        s.handoff_cv.notify_one();
    }
}

// blocking: accept through the backend itself, one thread per connection.
void net_server::impl::acceptor_blocking_backend() {
    const auto be = entry->create({});
    io_op op{};
    op.kind = op_kind::accept;
    op.fd = s.listen_fd;
    for (;;) {
        const int64_t r = run_one(*be, op);
        if (s.stopping.load() || r == -EINVAL) {  // EINVAL: the listener was shut down
            if (r >= 0) ::close(static_cast<int>(r));
            be->forget_fd(s.listen_fd);  // net_server closes it
            return;
        }
        if (r < 0) {
            if (r != -ECONNABORTED) s.add(s.errors, 1);
            if (r == -EMFILE || r == -ENFILE) {
                s.add(s.accept_fd_errors, 1);
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
            continue;
        }
        spawn_worker(static_cast<int>(r));
    }
}

void net_server::impl::spawn_worker(int fd) {
    const unsigned n = std::max(s.opts.max_connections, 1u);
    std::lock_guard lk(workers_mu);
    for (unsigned i = 0; i < n; ++i) {
        worker& w = workers[i];
        if (!w.done.load()) continue;
        if (w.t.joinable()) w.t.join();  // finished: its fd is closed
        w.fd = fd;
        w.done.store(false);
        s.add(s.accepted, 1);
        s.add(s.live, 1);
        w.t = std::thread([this, &w, fd] { worker_main(w, fd); });
        return;
    }
    ::close(fd);  // max_connections reached
    s.add(s.errors, 1);
}

// One connection on its own thread: recv, then send what the session owes
// until it is out, one blocking op at a time.
void net_server::impl::worker_main(worker& w, int fd) {
    const thread_role role(thread_class::harness, "ib-server");
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    backend_options bo;
    bo.depth = 1;
    const auto be = entry->create(bo);
    std::vector<char> buf(s.opts.buf_size);  // per connection, at its setup
    const auto session = s.workload->make_server({});
    io_op rx{};
    rx.kind = op_kind::recv;
    rx.fd = fd;
    rx.buf = buf.data();
    rx.len = s.opts.buf_size;
    io_op tx{};
    tx.kind = op_kind::send;
    tx.fd = fd;
    bool failed = false;
    for (;;) {
        const int64_t r = run_one(*be, rx);
        if (r <= 0) {
            failed = r < 0;  // 0: EOF, not an error
            break;
        }
        s.add(s.bytes_in, static_cast<uint64_t>(r));
        server_step st = session->on_recv(buf.data(), static_cast<uint32_t>(r), -1);
        const bool finish = st.finish, broke = st.error;
        s.add(s.requests, st.requests);
        while (!failed && st.send.what != send_item::kind::none) {
            if (st.send.what != send_item::kind::buffer) {  // file ranges wait for the zero-copy transfer methods
                failed = true;
                break;
            }
            tx.buf = const_cast<char*>(st.send.buf);  // never written: send only reads it
            tx.len = st.send.len;
            const int64_t n = run_one(*be, tx);
            if (n <= 0) {
                failed = true;
                break;
            }
            s.add(s.bytes_out, static_cast<uint64_t>(n));
            st = session->on_sent(static_cast<uint32_t>(n));
            s.add(s.requests, st.requests);
        }
        if (failed || finish) {
            failed = failed || broke;  // garbage after the good requests
            break;
        }
    }
    if (failed && !s.stopping.load()) s.add(s.errors, 1);
    be->forget_fd(fd);
    {
        std::lock_guard lk(workers_mu);
        ::close(fd);
        w.fd = -1;
    }
    w.done.store(true);  // the slot is free (spawn_worker joins this thread) before live says so
    s.live.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace iobench
