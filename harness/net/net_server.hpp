// The network server side: serves one network workload on one backend (the one
// under test) until stopped. Event-loop backends run one loop thread;
// cap_one_op_per_thread backends (blocking) run a thread per connection; a
// backend without cap_accept_connect (posix_aio) gets its connections from an
// acceptor thread that the harness runs with plain accept4().
#pragma once

#include "backends/backend.hpp"
#include "harness/net/net_address.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace iobench {

struct server_options {
    std::string backend;                 // registry name
    net_address listen;                  // port 0 = pick a free one
    std::string workload = "echo";       // a name in the workload registry (workloads/net_workload.cpp)
    unsigned max_connections = 1024;     // sizes the backend's depth and tables
    uint32_t buf_size = 64 * 1024;       // per-connection (or provided) receive buffer
    uint32_t buf_count = 256;            // provided buffer ring entries (power of two)
    bool multishot = true;               // use multishot accept/recv + buffer ring where caps allow
    bool zerocopy = false;               // send_zc where caps allow (--zerocopy)
    backend_options backend_opts;        // sqpoll idle etc.
    // Who speaks WebSocket (ws_echo only): "native" (iobench's sessions on the
    // server loop), "lws" (libwebsockets on a GLib context polled by `backend`)
    // or "lws-libev" (libwebsockets on a libev loop with `ev_backend`).
    std::string server = "native";
    std::string ev_backend;  // lws-libev: epoll | linuxaio | iouring
};

struct server_stats {
    uint64_t accepted = 0;
    uint64_t live_connections = 0;
    uint64_t requests = 0;       // echo: messages echoed (recv completions); http: responses sent
    uint64_t bytes_in = 0, bytes_out = 0;
    uint64_t errors = 0;         // connection-level errors (resets count here, they do not stop the server)
    uint64_t accept_fd_errors = 0;
    uint64_t hoarders_closed = 0;   // of those, clients that stopped reading while pinning the buffer ring  // of those, accepts that failed with EMFILE/ENFILE: clients left waiting
    backend_counters counters;
    std::string setup;           // backend::describe() plus the server's own mode (multishot, buffer ring, ...)
    std::string error;           // fatal: the server stopped because of this
};

class net_server {
public:
    // Creates the listening socket (SO_REUSEADDR, backlog 4096) and the backend;
    // throws usage_error for a bad/used address, std::runtime_error with the
    // probe's reason when the backend cannot serve sockets here.
    explicit net_server(const server_options& opts);
    ~net_server();  // stops if still running
    net_server(const net_server&) = delete;
    net_server& operator=(const net_server&) = delete;

    net_address address() const;  // the bound address (with the real port)
    void start();                 // returns once the server accepts connections
    void stop();                  // closes connections, drains the backend, joins threads
    server_stats stats() const;   // safe to call while running

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace iobench
