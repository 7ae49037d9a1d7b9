// The network workload table.
#include "workloads/net_workload.hpp"

#include "workloads/echo_session.hpp"
#include "workloads/http_session.hpp"
#include "workloads/stream_session.hpp"
#include "workloads/ws_echo_session.hpp"

namespace iobench {

namespace {

constexpr net_workload table[] = {
    {"echo", "the client sends msg_size bytes, the server sends them back, the client checks each byte", 64, true, false,
     make_echo_server, make_echo_client},
    {"stream", "the client pushes msg_size chunks one way, the server sinks them", 64 * 1024, true, true,
     make_stream_server, make_stream_client},
    {"http", "HTTP/1.1 keep-alive GETs (pipelined with --pipeline), each answered with a fixed 200", 64, false, false,
     make_http_server, make_http_client},
    {"ws_echo", "RFC 6455 WebSocket: Upgrade handshake, then masked binary messages of msg_size echoed and checked",
     128, true, false, make_ws_echo_server, make_ws_echo_client},
};

}  // namespace

const net_workload* find_net_workload(std::string_view name) {
    for (const net_workload& w : table)
        if (w.name == name) return &w;
    return nullptr;
}

std::string net_workload_names(std::string_view sep, std::string_view last) {
    std::string s;
    for (size_t i = 0; i < std::size(table); ++i) {
        if (i) s += i + 1 == std::size(table) ? last : sep;
        s += table[i].name;
    }
    return s;
}

}  // namespace iobench
