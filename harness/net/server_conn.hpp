// The event loop's record of one connection (harness/net/net_server_loop.cpp):
// its fds, which of its ops are in flight, what its session owes, and the
// tokens that name its ops to the backend.
#pragma once

#include "backends/backend.hpp"
#include "workloads/net_session.hpp"

#include <cstdint>

namespace iobench::server_loop {

// token = conn id << 2 | kind: a connection has at most one recv and one
// send in flight, and its id is recycled only once both have ended.
enum op_tag : uint64_t { tag_accept = 0, tag_recv = 1, tag_send = 2 };

inline uint64_t token_of(uint32_t id, op_tag t) { return uint64_t{id} << 2 | t; }

inline io_op make_op(op_kind kind, int fd, uint64_t token) {
    io_op op{};
    op.kind = kind;
    op.fd = fd;
    op.token = token;
    return op;
}

struct conn {
    int fd = -1;
    int send_fd = -1;        // fd, or a dup for cap_fd_per_slot backends (glibc AIO runs one fd's requests in order)
    bool open = false;
    bool closing = false;    // shut down: close once no op of it is in flight
    bool eof = false;        // the peer finished sending: close once our output is out
    bool recv_busy = false;  // a multishot recv stays busy until its final completion
    bool send_busy = false;  // a zero-copy send stays busy until its notification
    bool recv_ok = true;     // the session lets the connection's own buffer be received into
    bool recv_paused = false;  // its multishot recv was cancelled for holding too many ring buffers
    uint32_t held = 0;       // ring buffers the session keeps (until echoed, say)
    // Output bytes sent; as the last hoard scan saw them (none yet: a new
    // connection is judged only from its second scan on).
    uint64_t sent = 0, sent_at_scan = ~uint64_t{0};
    int64_t zc_result = 0;   // a zero-copy send's result, applied at its notification
    send_item out;           // the session's owed output, from its last step
};

// Per-batch tallies, added to the shared atomics once per loop turn.
struct tally {
    uint64_t accepted = 0, requests = 0, bytes_in = 0, bytes_out = 0, errors = 0;
};

}  // namespace iobench::server_loop
