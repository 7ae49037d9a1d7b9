// lws_server: one lws context with one echo protocol, served on one thread by
// a loop lws does not own (lws 4.1's foreign-loop support: info.foreign_loops
// with LWS_SERVER_OPTION_LIBEV or LWS_SERVER_OPTION_GLIB; the event-lib
// plugins are loaded by lws at context creation). The GLib pollers are in
// lws_glib_poll.cpp.
#include "harness/net/lws_server.hpp"

#include "backends/registry.hpp"
#include "harness/cli/errors.hpp"
#include "harness/net/lws_glib_poll.hpp"
#include "harness/system/thread_role.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <netinet/in.h>
#include <thread>
#include <vector>

#include <ev.h>
#include <glib.h>
#include <libwebsockets.h>

namespace iobench {

namespace {

struct ev_choice {
    const char* name;
    unsigned flag;
    const char* flag_name;
};
constexpr ev_choice ev_choices[] = {
    {"epoll", EVBACKEND_EPOLL, "EVBACKEND_EPOLL"},
    {"linuxaio", EVBACKEND_LINUXAIO, "EVBACKEND_LINUXAIO"},
    {"iouring", EVBACKEND_IOURING, "EVBACKEND_IOURING"},
};

const ev_choice* find_ev(const std::string& name) {
    for (const auto& c : ev_choices)
        if (name == c.name) return &c;
    return nullptr;
}

std::string hex(unsigned v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%x", v);
    return b;
}

// Owns a libev loop.
struct ev_loop_ptr {
    struct ev_loop* p = nullptr;
    ev_loop_ptr() = default;
    ev_loop_ptr(const ev_loop_ptr&) = delete;
    ev_loop_ptr& operator=(const ev_loop_ptr&) = delete;
    ~ev_loop_ptr() {
        if (p) ev_loop_destroy(p);
    }
};

// A loop with exactly `c`'s backend, or the reason there is none: ev_loop_new
// given one backend fails rather than fall back, and ev_backend() is checked anyway.
std::string make_ev_loop(const ev_choice& c, ev_loop_ptr& out) {
    const unsigned supported = ev_supported_backends();
    // libev 4.33's io_uring backend asserts "io_uring_enter did not consume all
    // sqes" (ev_iouring.c:240) and aborts the process when the kernel stops at
    // a failed SQE, as a poll on an fd lws just closed makes it; measured here
    // it ran until the connections closed, then aborted. Opt in to try anyway.
    if (c.flag == EVBACKEND_IOURING && ev_version_major() == 4 && ev_version_minor() <= 33) {
        const char* force = std::getenv("IOBENCH_LIBEV_IOURING");
        if (!force || std::strcmp(force, "1") != 0)
            return "libev " + std::to_string(ev_version_major()) + "." + std::to_string(ev_version_minor()) +
                   "'s EVBACKEND_IOURING aborts the process (assertion in ev_iouring.c: io_uring_enter did not consume "
                   "all sqes) once an fd lws polls is closed; IOBENCH_LIBEV_IOURING=1 runs it anyway";
    }
    if (!(supported & c.flag))
        return std::string("libev here lacks ") + c.flag_name + " (ev_supported_backends() = " + hex(supported) + ")";
    out.p = ev_loop_new(c.flag | EVFLAG_NOENV);
    if (!out.p)
        return std::string("ev_loop_new(") + c.flag_name + ") failed: the kernel refused the backend (ev_supported_backends() = " +
               hex(supported) + ", ev_recommended_backends() = " + hex(ev_recommended_backends()) + ")";
    if (ev_backend(out.p) != c.flag) {
        const unsigned got = ev_backend(out.p);
        ev_loop_destroy(out.p);
        out.p = nullptr;
        return std::string("ev_loop_new(") + c.flag_name + ") gave backend " + hex(got) + " instead";
    }
    return {};
}

// lws's own lines go to stderr, errors only: its notices would swamp the table.
void lws_log_line(int, const char* line) { std::fprintf(stderr, "iobench: lws: %s", line); }

}  // namespace

std::string lws_backend_label(const std::string& server, const std::string& backend, const std::string& ev_backend) {
    return server == "lws-libev" ? server + ":" + ev_backend : server + ":" + backend;
}

// ---- the echo protocol ----

namespace {

// One fragment waiting to go back out, LWS_PRE bytes of headroom first (lws_write writes its header there).
struct pending_frag {
    std::vector<unsigned char> buf;
    size_t len = 0;
    int flags = 0;
    bool final = false;
};

// Per connection: what was received and not yet echoed. Buffers are reused,
// so a steady stream of same-sized messages allocates nothing.
struct echo_conn {
    std::deque<pending_frag> queue;
    std::vector<pending_frag> spare;
    size_t queued = 0;
    bool rx_paused = false;
};

// Backpressure: past this many unsent bytes the connection stops reading
// (lws_rx_flow_control) until the writable callbacks drain half of it.
constexpr size_t max_queued = 256 * 1024;

struct pss_slot {
    echo_conn* conn;
};

}  // namespace

struct lws_server::impl {
    explicit impl(const server_options& o) : opts(o) {}

    const server_options opts;
    enum class loop_kind { libev, glib } kind = loop_kind::libev;
    const ev_choice* ev = nullptr;
    ev_loop_ptr evloop;
    std::unique_ptr<glib_poller> poller;  // lws mode: iobench's poll over the backend
    GMainContext* gctx = nullptr;
    GMainLoop* gloop = nullptr;
    ev_async wake{};  // libev: stop() breaks the loop from another thread

    lws_context* ctx = nullptr;
    net_address bound;
    std::thread loop;
    bool running = false;

    std::atomic<uint64_t> accepted{0}, live{0}, requests{0}, bytes_in{0}, bytes_out{0}, errors{0};
    std::mutex mu;
    std::string setup, error;

    ~impl() {
        if (gloop) g_main_loop_unref(gloop);
        if (gctx) g_main_context_unref(gctx);
    }

    void serve();
    void create_context();
    static int callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len);
};

int lws_server::impl::callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len) {
    auto* self = static_cast<impl*>(lws_context_user(lws_get_context(wsi)));
    auto* slot = static_cast<pss_slot*>(user);
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
        slot->conn = new echo_conn;
        self->accepted.fetch_add(1, std::memory_order_relaxed);
        self->live.fetch_add(1, std::memory_order_relaxed);
        return 0;
    case LWS_CALLBACK_RECEIVE: {
        echo_conn& c = *slot->conn;
        pending_frag f;
        if (!c.spare.empty()) {
            f = std::move(c.spare.back());
            c.spare.pop_back();
        }
        f.buf.resize(LWS_PRE + len);
        if (len) std::memcpy(f.buf.data() + LWS_PRE, in, len);
        f.len = len;
        // The fragment goes back as it came: first/continuation, final or not, text or binary.
        const bool first = lws_is_first_fragment(wsi), final = lws_is_final_fragment(wsi);
        f.flags = lws_write_ws_flags(lws_frame_is_binary(wsi) ? LWS_WRITE_BINARY : LWS_WRITE_TEXT, first, final);
        f.final = final;
        c.queued += len;
        c.queue.push_back(std::move(f));
        self->bytes_in.fetch_add(len, std::memory_order_relaxed);
        if (c.queued > max_queued && !c.rx_paused) {
            c.rx_paused = true;
            lws_rx_flow_control(wsi, 0);
        }
        lws_callback_on_writable(wsi);
        return 0;
    }
    case LWS_CALLBACK_SERVER_WRITEABLE: {
        echo_conn& c = *slot->conn;
        if (c.queue.empty()) return 0;
        pending_frag& f = c.queue.front();
        // lws keeps what the socket does not take and sends it before the next writable callback.
        const int n = lws_write(wsi, f.buf.data() + LWS_PRE, f.len, static_cast<lws_write_protocol>(f.flags));
        if (n < static_cast<int>(f.len)) {
            self->errors.fetch_add(1, std::memory_order_relaxed);
            return -1;
        }
        self->bytes_out.fetch_add(f.len, std::memory_order_relaxed);
        if (f.final) self->requests.fetch_add(1, std::memory_order_relaxed);
        c.queued -= f.len;
        if (c.spare.size() < 8) c.spare.push_back(std::move(f));
        c.queue.pop_front();
        if (c.rx_paused && c.queued < max_queued / 2) {
            c.rx_paused = false;
            lws_rx_flow_control(wsi, 1);
        }
        if (!c.queue.empty()) lws_callback_on_writable(wsi);
        return 0;
    }
    case LWS_CALLBACK_CLOSED:
        delete slot->conn;
        slot->conn = nullptr;
        self->live.fetch_sub(1, std::memory_order_relaxed);
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

namespace {

// First in the list, so an Upgrade without Sec-WebSocket-Protocol (iobench's client) gets it.
const lws_protocols echo_protocols[] = {
    {"iobench-echo", lws_server::impl::callback, sizeof(pss_slot), 64 * 1024, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

}  // namespace

lws_server::lws_server(const server_options& o) : impl_(std::make_unique<impl>(o)) {
    impl& m = *impl_;
    if (o.workload != "ws_echo") throw usage_error("--server " + o.server + ": --workload ws_echo only");
    if (o.server == "lws-libev") {
        m.kind = impl::loop_kind::libev;
        m.ev = find_ev(o.ev_backend);
        if (!m.ev) throw usage_error("--ev-backend: unknown libev backend '" + o.ev_backend + "' (epoll, linuxaio, iouring)");
        if (std::string why = make_ev_loop(*m.ev, m.evloop); !why.empty()) throw unsupported_error(why);
        m.setup = std::string("libwebsockets ") + lws_get_library_version() + " on libev " +
                  std::to_string(ev_version_major()) + "." + std::to_string(ev_version_minor()) + " (" + m.ev->flag_name +
                  ", foreign loop); lws calls accept/recv/send itself";
    } else if (o.server == "lws") {
        m.kind = impl::loop_kind::glib;
        const backend_entry* e = find_backend(o.backend);
        if (!e) throw usage_error("--backend " + o.backend + ": unknown backend");
        probe_context pc;
        pc.target = io_target::socket;
        if (const probe_result pr = e->probe(pc); !pr.ok) throw unsupported_error(pr.reason);
        m.poller = make_glib_poller(o.backend, o.max_connections, o.backend_opts);  // throws unsupported_error
        m.setup = std::string("libwebsockets ") + lws_get_library_version() + " on a GLib " +
                  std::to_string(glib_major_version) + "." + std::to_string(glib_minor_version) +
                  " main context polled by " + m.poller->describe() + "; lws calls accept/recv/send itself";
    } else {
        throw usage_error("--server: unknown server '" + o.server + "' (native, lws, lws-libev)");
    }
}

lws_server::~lws_server() { stop(); }

net_address lws_server::address() const { return impl_->bound; }

void lws_server::impl::create_context() {
    lws_set_log_level(LLL_ERR, lws_log_line);
    lws_context_creation_info info;
    std::memset(&info, 0, sizeof info);
    // The address to bind: lws takes the interface as a numeric string.
    char host[INET6_ADDRSTRLEN] = "127.0.0.1";
    int port = 0;
    if (opts.listen.len) {
        const auto* sa = reinterpret_cast<const sockaddr*>(&opts.listen.addr);
        if (sa->sa_family == AF_INET) {
            const auto* s4 = reinterpret_cast<const sockaddr_in*>(sa);
            ::inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
            port = ntohs(s4->sin_port);
        } else if (sa->sa_family == AF_INET6) {
            const auto* s6 = reinterpret_cast<const sockaddr_in6*>(sa);
            ::inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
            port = ntohs(s6->sin6_port);
        }
    }
    const bool any = std::strcmp(host, "0.0.0.0") == 0 || std::strcmp(host, "::") == 0;
    info.iface = any ? nullptr : host;
    // lws reads port 0 as "a free one" and reports it through lws_get_vhost_listen_port.
    info.port = port;
    info.protocols = echo_protocols;
    info.user = this;
    info.count_threads = 1;
    info.fd_limit_per_thread = opts.max_connections + 64;
    info.timeout_secs = 30;
    void* loops[1];
    if (kind == loop_kind::libev) {
        info.options |= LWS_SERVER_OPTION_LIBEV;
        loops[0] = evloop.p;
    } else {
        info.options |= LWS_SERVER_OPTION_GLIB;
        loops[0] = gloop;
    }
    info.foreign_loops = loops;
    ctx = lws_create_context(&info);
    if (!ctx) throw std::runtime_error("lws_create_context failed (see the lws: line above)");
    lws_vhost* vh = lws_get_vhost_by_name(ctx, "default");
    const int lp = vh ? lws_get_vhost_listen_port(vh) : -1;
    if (lp <= 0) {
        lws_context_destroy(ctx);
        ctx = nullptr;
        throw std::runtime_error("lws: no listening port on " + std::string(host));
    }
    bound = opts.listen;
    if (!bound.len) {
        auto* s4 = reinterpret_cast<sockaddr_in*>(&bound.addr);
        s4->sin_family = AF_INET;
        s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bound.len = sizeof(sockaddr_in);
    }
    auto* sa = reinterpret_cast<sockaddr*>(&bound.addr);
    if (sa->sa_family == AF_INET6) reinterpret_cast<sockaddr_in6*>(sa)->sin6_port = htons(static_cast<uint16_t>(lp));
    else reinterpret_cast<sockaddr_in*>(sa)->sin_port = htons(static_cast<uint16_t>(lp));
}

void lws_server::start() {
    impl& m = *impl_;
    if (m.running) return;
    std::promise<std::string> ready;
    auto ready_f = ready.get_future();
    m.loop = std::thread([&m, ready = std::move(ready)]() mutable {
        const thread_role role(thread_class::harness, "ib-lws");
        // The loop, the context and every lws call live on this thread.
        try {
            if (m.kind == impl::loop_kind::glib) {
                m.gctx = g_main_context_new();
                m.poller->install(m.gctx);
                m.gloop = g_main_loop_new(m.gctx, FALSE);
            } else {
                ev_async_init(&m.wake, [](struct ev_loop* l, ev_async*, int) { ev_break(l, EVBREAK_ALL); });
                ev_async_start(m.evloop.p, &m.wake);
            }
            m.create_context();
        } catch (const std::exception& e) {
            ready.set_value(e.what());
            return;
        }
        ready.set_value({});
        if (m.kind == impl::loop_kind::glib) {
            g_main_context_push_thread_default(m.gctx);
            g_main_loop_run(m.gloop);
            g_main_context_pop_thread_default(m.gctx);
        } else {
            ev_run(m.evloop.p, 0);
            ev_async_stop(m.evloop.p, &m.wake);
        }
        // Closes every connection and the listener; lws unhooks its watchers/sources synchronously.
        lws_context_destroy(m.ctx);
        m.ctx = nullptr;
        if (m.kind == impl::loop_kind::glib)
            while (g_main_context_iteration(m.gctx, FALSE)) {}
    });
    const std::string why = ready_f.get();
    if (!why.empty()) {
        m.loop.join();
        throw std::runtime_error("--server " + m.opts.server + ": " + why);
    }
    m.running = true;
}

void lws_server::stop() {
    impl& m = *impl_;
    if (!m.running) return;
    m.running = false;
    if (m.kind == impl::loop_kind::glib) g_main_loop_quit(m.gloop);  // wakes the context: thread-safe
    else ev_async_send(m.evloop.p, &m.wake);                      // the one libev call safe from another thread
    m.loop.join();
}

server_stats lws_server::stats() const {
    const impl& m = *impl_;
    server_stats s;
    s.accepted = m.accepted.load(std::memory_order_relaxed);
    s.live_connections = m.live.load(std::memory_order_relaxed);
    s.requests = m.requests.load(std::memory_order_relaxed);
    s.bytes_in = m.bytes_in.load(std::memory_order_relaxed);
    s.bytes_out = m.bytes_out.load(std::memory_order_relaxed);
    s.errors = m.errors.load(std::memory_order_relaxed);
    if (m.poller) s.counters = m.poller->counters();
    s.setup = m.setup;
    return s;
}

}  // namespace iobench
