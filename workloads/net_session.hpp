// What a network protocol is to the loops that carry it: a server session and
// a client session per connection. The loops (harness/net) own fds, tokens,
// buffer rings, backend calls and timestamps; a session owns the protocol:
// what the bytes in mean and what goes out next. Sessions are made when the
// loops set up (one per connection slot) and reset() per connection, so the
// per-event call is one virtual call and never allocates.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace iobench {

// The next output of a connection, from its first unsent byte.
struct send_item {
    enum class kind : uint8_t {
        none,
        buffer,      // [buf, buf + len)
        file_range,  // [file_offset, file_offset + len) of file_fd: for the zero-copy transfer
                     // methods (sendfile, splice) to come; no session asks for it yet
    };
    kind what = kind::none;
    uint32_t len = 0;
    const char* buf = nullptr;
    int file_fd = -1;
    uint64_t file_offset = 0;

    static send_item bytes(const char* p, uint32_t n) { return {kind::buffer, n, p, -1, 0}; }
};

// What a server session wants after an event.
struct server_step {
    send_item send;          // output owed; sent when no send of the connection is in flight
    uint32_t requests = 0;   // requests this event completed (the server's `requests` count)
    int32_t release = -1;    // a provided buffer the session is done with (the loop gives it back)
    bool more_released = false;  // ...and more of them: the loop takes them with take_released()
    bool keep = false;       // on_recv of a provided buffer: the session holds it until `release`
    bool recv = true;        // the connection may receive again (into its own buffer: it is free)
    bool finish = false;     // no more input: close once `send` is out
    bool error = false;      // the peer broke the protocol (counted as a connection error)
};

// Provided ring buffers that sessions hold until their bytes are sent (echo):
// FIFO chains, one per connection, linked through one table by buffer id (a
// buffer is in at most one chain). The server loop makes it with the ring.
class held_buffers {
public:
    struct chain {
        int32_t head = -1, tail = -1;
        uint32_t off = 0;  // bytes of the head already sent
    };

    explicit held_buffers(uint32_t count) : next_(count, -1), len_(count, 0), data_(count, nullptr) {}

    void push(chain& c, uint16_t bid, const char* data, uint32_t len) {
        next_[bid] = -1;
        len_[bid] = len;
        data_[bid] = data;
        if (c.tail >= 0) next_[static_cast<uint32_t>(c.tail)] = bid;
        else c.head = bid;
        c.tail = bid;
    }
    bool empty(const chain& c) const { return c.head < 0; }
    uint32_t count() const { return static_cast<uint32_t>(next_.size()); }
    send_item head(const chain& c) const {
        const auto h = static_cast<uint32_t>(c.head);
        return send_item::bytes(data_[h] + c.off, len_[h] - c.off);
    }
    // `n` bytes of the head went out: its id once all of it has, else -1.
    int32_t consume(chain& c, uint32_t n) {
        const int32_t h = c.head;
        c.off += n;
        if (c.off < len_[static_cast<uint32_t>(h)]) return -1;
        c.off = 0;
        return pop(c);
    }
    // Drops the head: its id, or -1 when the chain is empty.
    int32_t pop(chain& c) {
        const int32_t h = c.head;
        if (h < 0) return -1;
        c.head = next_[static_cast<uint32_t>(h)];
        if (c.head < 0) c.tail = -1;
        return h;
    }

private:
    std::vector<int32_t> next_;
    std::vector<uint32_t> len_;
    std::vector<const char*> data_;
};

struct server_session_config {
    held_buffers* held = nullptr;  // set when receives land in a provided buffer ring
};

class server_session {
public:
    virtual ~server_session() = default;
    virtual void reset() = 0;  // a new connection on this slot
    // `n` bytes arrived at `data`: in provided buffer `bid`, or (bid < 0) in the
    // connection's own buffer, which stays untouched while step.recv is false.
    virtual server_step on_recv(const char* data, uint32_t n, int32_t bid) = 0;
    // `n` bytes (at most the last step's send.len) of the owed output went out.
    virtual server_step on_sent(uint32_t n) = 0;
    // Closing: a provided buffer still held, to give back; -1 when none is left.
    virtual int32_t release_held() { return -1; }
    // After a step with more_released: the next buffer to give back; -1 when none is left.
    // (A session that parses several held buffers in one step, as ws_echo does, is done with all of them.)
    virtual int32_t take_released() { return -1; }
};

// A span the client loop receives into.
struct byte_window {
    uint8_t* buf = nullptr;
    uint32_t len = 0;
};

// The next requests, filled.
struct request_batch {
    const uint8_t* data = nullptr;
    uint32_t len = 0;
    byte_window reply;  // where the reply goes; len 0: none comes (complete once sent)
};

// What a client session made of reply bytes.
struct reply_step {
    unsigned answered = 0;        // outstanding requests these bytes completed, oldest first
    unsigned rejected = 0;        // ...of them answered with a failure (counted as errors)
    bool close = false;           // the server will hang up: reconnect before the next request
    byte_window next;             // where more of the reply goes while requests are outstanding
    const char* error = nullptr;  // fatal: the reply broke the protocol; the whole message
};

struct client_session_config {
    uint32_t id = 0;         // the connection's number (in error messages and payloads)
    uint32_t msg_size = 64;  // echo/stream payload per message
    unsigned pipeline = 1;   // requests per send, for the protocols that pipeline
    bool verify = true;      // check replies byte for byte / status for status
    std::string_view ws_protocol;  // ws_echo: subprotocol to ask for (its owner outlives the session)
};

class client_session {
public:
    virtual ~client_session() = default;
    // Requests that may go in one send (and be outstanding together).
    unsigned batch() const { return batch_; }
    virtual void reset() = 0;  // a new connection (after a reconnect)
    virtual request_batch fill(unsigned count) = 0;  // 1 <= count <= batch()
    // `n` bytes of reply arrived in the last window given; `outstanding` requests await one.
    virtual reply_step on_reply(const uint8_t* data, uint32_t n, unsigned outstanding) = 0;

protected:
    explicit client_session(unsigned batch) : batch_(batch) {}

private:
    unsigned batch_;
};

}  // namespace iobench
