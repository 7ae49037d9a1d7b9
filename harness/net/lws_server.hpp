// libwebsockets as the ws_echo server: the same echo protocol callback on a
// libev loop (--server lws-libev --ev-backend NAME) or on a GLib main context
// whose poll function is iobench's, over the backend under test (--server lws
// --backend NAME). Only readiness is replaced: lws still calls accept, recv
// and send itself.
#pragma once

#include "harness/net/net_server.hpp"

#include <memory>
#include <string>

namespace iobench {

class lws_server {
public:
    // Probes the loop asked for; throws unsupported_error with the reason when
    // it cannot run here (never falls back to another), usage_error for a bad name.
    explicit lws_server(const server_options& opts);
    ~lws_server();  // stops if still running
    lws_server(const lws_server&) = delete;
    lws_server& operator=(const lws_server&) = delete;

    net_address address() const;  // valid after start()
    void start();                 // returns once lws listens; throws the reason it could not
    void stop();
    server_stats stats() const;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

// "lws-libev:epoll", "lws:io_uring": the backend column of a run with --server.
std::string lws_backend_label(const std::string& server, const std::string& backend, const std::string& ev_backend);

}  // namespace iobench
