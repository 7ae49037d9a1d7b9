// net_server's event loop for the backends that run many ops per thread
// (epoll, libaio, posix_aio, io_uring, io_uring_sqpoll): one thread, one
// backend instance created on it, a preallocated connection table.
#include "backends/registry.hpp"
#include "harness/system/clock.hpp"
#include "harness/net/net_server_state.hpp"
#include "workloads/http_parser.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <system_error>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace iobench {

namespace {

using namespace std::chrono_literals;

// token = conn id << 2 | kind: a connection has at most one recv and one
// send in flight, and its id is recycled only once both have ended.
enum op_tag : uint64_t { tag_accept = 0, tag_recv = 1, tag_send = 2 };
constexpr uint16_t group_id = 0;
constexpr size_t reap_batch = 256;
constexpr auto reap_timeout = 20ms;             // how often the stop flag and the handoff queue are looked at
constexpr uint64_t drain_limit_ns = 5'000'000'000ull;  // stop(): longest wait for ops to end

uint64_t token_of(uint32_t id, op_tag t) { return uint64_t{id} << 2 | t; }

std::string size_text(uint32_t b) { return b % 1024 ? std::to_string(b) + "B" : std::to_string(b / 1024) + "KiB"; }

io_op make_op(op_kind kind, int fd, uint64_t token) {
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
    int64_t zc_result = 0;   // a zero-copy send's result, applied at its notification
    uint32_t have = 0, sent = 0;    // echo, plain recv: bytes in buf / already sent back
    int32_t q_head = -1, q_tail = -1;  // echo, provided buffers: received chunks (buffer ids) to send back
    uint32_t q_off = 0;               // ...bytes of the head chunk already sent
    uint64_t owed = 0;       // http: response bytes not sent yet
    uint64_t out_total = 0;  // http: response bytes sent so far
    http_request_scanner scan;
};

// Per-batch tallies, added to the shared atomics once per loop turn.
struct tally {
    uint64_t accepted = 0, requests = 0, bytes_in = 0, bytes_out = 0, errors = 0;
};

class event_loop {
public:
    event_loop(server_shared& s, std::unique_ptr<backend> be) : s_(s), o_(s.opts), be_(std::move(be)) {}
    ~event_loop() {  // normally empty by now; after a fatal error, do not leak the fds
        for (const conn& k : conns_) {
            if (!k.open) continue;
            ::shutdown(k.fd, SHUT_RDWR);  // wakes a glibc AIO helper blocked in recv
            if (k.send_fd != k.fd) ::close(k.send_fd);
            ::close(k.fd);
        }
    }
    event_loop(const event_loop&) = delete;
    event_loop& operator=(const event_loop&) = delete;

    // Everything sized here; throws on setup failure.
    void setup() {
        const uint32_t caps = be_->caps();
        blocking_fds_ = caps & cap_blocking_fds;
        fd_per_slot_ = caps & cap_fd_per_slot;
        accept_in_loop_ = caps & cap_accept_connect;
        multishot_accept_ = o_.multishot && (caps & cap_multishot);
        bufring_ = o_.multishot && (caps & cap_multishot) && (caps & cap_provided_buffers);
        zerocopy_ = o_.zerocopy && (caps & cap_zerocopy_send);
        const unsigned n = std::max(o_.max_connections, 1u);
        conns_.resize(n);
        free_.reserve(n);
        for (unsigned i = n; i-- > 0;) free_.push_back(i);
        prep_.reserve(2 * size_t{n} + 2);
        handoff_.reserve(n);
        if (bufring_) {
            if (!ring_mem_.map(size_t{o_.buf_count} * o_.buf_size))
                throw std::system_error(errno, std::system_category(), "net_server: buffer ring memory");
            be_->add_buffer_group(group_id, ring_mem_.p, o_.buf_size, o_.buf_count);
            chunk_next_.assign(o_.buf_count, -1);
            chunk_len_.assign(o_.buf_count, 0);
        } else {
            if (!conn_mem_.map(size_t{n} * o_.buf_size))
                throw std::system_error(errno, std::system_category(), "net_server: connection buffers");
        }
        block_ = http_response_block();
        resp_len_ = http_response.size();
    }

    std::string describe_all() const { return be_->describe() + "; server: " + mode(); }

    std::string mode() const {
        std::string m = "event loop, ";
        if (!accept_in_loop_) m += "accept4() on an acceptor thread, ";
        else m += multishot_accept_ ? "multishot accept, " : "accept re-posted per connection, ";
        if (bufring_)
            m += "multishot recv + " + std::to_string(o_.buf_count) + "x" + size_text(o_.buf_size) + " buffer ring";
        else if (!o_.multishot)
            m += "recv per connection into a " + size_text(o_.buf_size) + " buffer (multishot off)";
        else
            m += "recv per connection into a " + size_text(o_.buf_size) + " buffer (no provided buffers: single-shot recv)";
        if (fd_per_slot_) m += ", send on a dup()ed fd";
        if (zerocopy_) m += ", send_zc";
        else if (o_.zerocopy) m += ", zero-copy send asked but not available on this backend: plain send";
        m += std::string(", ") + (blocking_fds_ ? "blocking" : "non-blocking") + " sockets";
        return m;
    }

    void run() {
        if (accept_in_loop_) post_accept();
        flush();
        uint64_t deadline = 0;
        std::array<io_completion, reap_batch> out{};
        for (;;) {
            if (!stopping_ && s_.stopping.load(std::memory_order_relaxed)) {
                begin_stop();
                deadline = now_ns() + drain_limit_ns;
            }
            if (stopping_ && !accept_busy_ && live_ == 0) break;
            if (stopping_ && now_ns() > deadline) {
                s_.set_error("stop: " + std::to_string(live_) + " connection(s) still had ops in flight after 5 s");
                break;
            }
            if (s_.handoff_ready.load(std::memory_order_acquire)) take_handoff();
            if (accept_again_ && !stopping_ && now_ns() >= accept_again_) post_accept();
            flush();
            const int k = be_->reap(out, 1, reap_timeout);
            if (k < 0 && k != -EINTR) {
                s_.set_error("reap: " + std::string(std::strerror(-k)));
                break;
            }
            for (int i = 0; i < k; ++i) dispatch(out[static_cast<size_t>(i)]);
            flush();
            publish();
        }
        publish();
    }

private:
    void flush() {
        if (!prep_.empty()) {
            be_->prepare(prep_);
            prep_.clear();
        } else if (!returned_) {
            return;
        }
        returned_ = false;  // submit() also re-arms recvs parked on an empty buffer ring
        be_->submit();
    }

    void publish() {
        std::lock_guard lk(s_.mu);  // once per loop turn; stats() reads a whole turn or none of it
        s_.add(s_.accepted, t_.accepted);
        s_.add(s_.requests, t_.requests);
        s_.add(s_.bytes_in, t_.bytes_in);
        s_.add(s_.bytes_out, t_.bytes_out);
        s_.add(s_.errors, t_.errors);
        s_.live.store(live_, std::memory_order_relaxed);
        t_ = {};
        s_.publish(be_->counters());
    }

    void post_accept() {
        io_op op = make_op(op_kind::accept, s_.listen_fd, token_of(0, tag_accept));
        op.flags = multishot_accept_ ? op_multishot : 0;
        prep_.push_back(op);
        accept_busy_ = true;
        accept_again_ = 0;
    }

    void begin_stop() {
        stopping_ = true;
        if (accept_busy_) be_->cancel(token_of(0, tag_accept));  // net_server::stop() also shuts the listener down
        for (uint32_t id = 0; id < conns_.size(); ++id)
            if (conns_[id].open) begin_close(id);
    }

    void take_handoff() {
        {
            std::lock_guard lk(s_.handoff_mu);
            handoff_.swap(s_.handoff);
            s_.handoff_ready.store(false, std::memory_order_relaxed);
        }
        for (const int fd : handoff_) adopt(fd);
        handoff_.clear();
    }

    void dispatch(const io_completion& c) {
        const auto id = static_cast<uint32_t>(c.token >> 2);
        switch (static_cast<op_tag>(c.token & 3)) {
        case tag_accept: on_accept(c); break;
        case tag_recv: on_recv(id, c); break;
        case tag_send: on_send(id, c); break;
        }
    }

    void on_accept(const io_completion& c) {
        const bool final = !(c.flags & cqe_more);
        if (final) accept_busy_ = false;
        if (c.result >= 0) adopt(static_cast<int>(c.result));
        else if (!stopping_) ++t_.errors;  // e.g. EMFILE; the server goes on
        if (!final || stopping_) return;
        // Out of fds: re-arming at once would spin on the same error; retry in 10 ms.
        if (c.result == -EMFILE || c.result == -ENFILE || c.result == -ENOMEM) accept_again_ = now_ns() + 10'000'000;
        else post_accept();
    }

    void adopt(int fd) {
        if (stopping_ || free_.empty()) {  // full: refuse this one, keep serving the others
            if (!stopping_) ++t_.errors;
            ::close(fd);
            return;
        }
        if (!blocking_fds_) {
            const int fl = ::fcntl(fd, F_GETFL);
            if (fl >= 0 && !(fl & O_NONBLOCK)) ::fcntl(fd, F_SETFL, fl | O_NONBLOCK);
        }
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // small replies go out at once
        const int send_fd = fd_per_slot_ ? ::fcntl(fd, F_DUPFD_CLOEXEC, 0) : fd;
        if (send_fd < 0) {
            ++t_.errors;
            ::close(fd);
            return;
        }
        const uint32_t id = free_.back();
        free_.pop_back();
        conn& k = conns_[id];
        k = conn{};
        k.fd = fd;
        k.send_fd = send_fd;
        k.open = true;
        ++live_;
        ++t_.accepted;
        post_recv(id);
    }

    void post_recv(uint32_t id) {
        conn& k = conns_[id];
        io_op op = make_op(op_kind::recv, k.fd, token_of(id, tag_recv));
        if (bufring_) {
            op.flags = op_multishot | op_buffer_select;
            op.buf_group = group_id;
        } else {
            op.buf = buf_of(k);
            op.len = o_.buf_size;
        }
        prep_.push_back(op);
        k.recv_busy = true;
    }

    // Echo without a buffer ring reuses its one buffer: recv again once it is sent back.
    bool wants_recv(const conn& k) const {
        return !k.closing && !k.eof && !k.recv_busy && (bufring_ || o_.workload != net_workload::echo || k.have == 0);
    }

    // Plain recv: each connection's own buffer.
    char* buf_of(const conn& k) const {
        return conn_mem_.bytes() + static_cast<size_t>(&k - conns_.data()) * o_.buf_size;
    }

    void give_back(uint16_t bid) {
        be_->return_buffer(group_id, bid);
        returned_ = true;
    }

    void on_recv(uint32_t id, const io_completion& c) {
        conn& k = conns_[id];
        if (!(c.flags & cqe_more)) k.recv_busy = false;
        const int64_t r = c.result;
        if (r > 0) {
            t_.bytes_in += static_cast<uint64_t>(r);
            const bool provided = c.flags & cqe_buffer;
            on_data(k, provided ? static_cast<const char*>(c.buf) : buf_of(k), static_cast<uint32_t>(r),
                    provided ? int32_t{c.buf_id} : -1);
        } else if (r == 0) {
            k.eof = true;
        } else {
            if (!k.closing) ++t_.errors;  // ECONNRESET and the like (ECANCELED once closing)
            begin_close(id);
        }
        if (wants_recv(k)) post_recv(id);
        maybe_finish(id);
    }

    // Received bytes: in provided buffer `bid`, or (bid < 0) in the connection's own buffer.
    void on_data(conn& k, const char* data, uint32_t n, int32_t bid) {
        if (k.closing) {
            if (bid >= 0) give_back(static_cast<uint16_t>(bid));
            return;
        }
        if (o_.workload == net_workload::http) scan(k, data, n);  // http counts responses sent instead
        else ++t_.requests;
        if (o_.workload == net_workload::echo && bid < 0) {
            k.have = n;
            k.sent = 0;
        } else if (o_.workload == net_workload::echo) {  // queued until sent back
            const auto b = static_cast<size_t>(bid);
            chunk_len_[b] = n;
            chunk_next_[b] = -1;
            if (k.q_tail >= 0) chunk_next_[static_cast<size_t>(k.q_tail)] = bid;
            else k.q_head = bid;
            k.q_tail = bid;
        } else if (bid >= 0) {
            give_back(static_cast<uint16_t>(bid));
        }
        kick_send(k);
    }

    void scan(conn& k, const char* data, uint32_t n) {
        const auto r = k.scan.feed(data, n);
        k.owed += r.requests * resp_len_;
        if (!r.ok) {  // garbage: answer what came before it, then close
            ++t_.errors;
            k.eof = true;
        }
    }

    bool output_pending(const conn& k) const {
        switch (o_.workload) {
        case net_workload::echo: return bufring_ ? k.q_head >= 0 : k.sent < k.have;
        case net_workload::http: return k.owed > 0;
        case net_workload::stream: return false;
        }
        return false;
    }

    // One send in flight per connection, in order.
    void kick_send(conn& k) {
        if (k.send_busy || k.closing || !output_pending(k)) return;
        io_op op = make_op(op_kind::send, k.send_fd, token_of(static_cast<uint32_t>(&k - conns_.data()), tag_send));
        op.flags = zerocopy_ ? op_zerocopy : 0;
        if (o_.workload == net_workload::http) {
            const uint64_t off = k.out_total % resp_len_;
            op.buf = const_cast<char*>(block_.data() + off);  // never written: send only reads it
            op.len = static_cast<uint32_t>(std::min<uint64_t>(k.owed, block_.size() - off));
        } else if (bufring_) {
            const auto bid = static_cast<size_t>(k.q_head);
            op.buf = ring_mem_.bytes() + bid * o_.buf_size + k.q_off;
            op.len = chunk_len_[bid] - k.q_off;
        } else {
            op.buf = buf_of(k) + k.sent;
            op.len = k.have - k.sent;
        }
        prep_.push_back(op);
        k.send_busy = true;
    }

    void on_send(uint32_t id, const io_completion& c) {
        conn& k = conns_[id];
        int64_t r = c.result;
        if (c.flags & cqe_notif) {
            r = k.zc_result;  // the buffer is free now: apply the send's result
        } else if (c.flags & cqe_more) {
            k.zc_result = r;  // zero-copy: the buffer stays busy until the notification
            return;
        }
        k.send_busy = false;
        if (r <= 0) {
            if (!k.closing) ++t_.errors;  // EPIPE, ECONNRESET
            begin_close(id);
            return maybe_finish(id);
        }
        const auto n = static_cast<uint64_t>(r);
        t_.bytes_out += n;
        switch (o_.workload) {
        case net_workload::echo:
            if (bufring_) {
                const auto head = static_cast<uint16_t>(k.q_head);
                k.q_off += static_cast<uint32_t>(n);
                if (k.q_off == chunk_len_[head]) {
                    k.q_head = chunk_next_[head];
                    if (k.q_head < 0) k.q_tail = -1;
                    k.q_off = 0;
                    give_back(head);
                }
            } else {
                k.sent += static_cast<uint32_t>(n);
                if (k.sent == k.have) k.have = k.sent = 0;
            }
            break;
        case net_workload::http:
            t_.requests += (k.out_total + n) / resp_len_ - k.out_total / resp_len_;
            k.out_total += n;
            k.owed -= n;
            break;
        case net_workload::stream: break;
        }
        kick_send(k);
        if (wants_recv(k)) post_recv(id);
        maybe_finish(id);
    }

    // Stops the connection's ops: cancel where the backend can, and a shutdown
    // that ends any recv/send still waiting (libaio and posix_aio cannot cancel).
    void begin_close(uint32_t id) {
        conn& k = conns_[id];
        if (!k.open || k.closing) return;
        k.closing = true;
        if (k.recv_busy) be_->cancel(token_of(id, tag_recv));
        ::shutdown(k.fd, SHUT_RDWR);
    }

    // Closes once nothing of the connection is in flight.
    void maybe_finish(uint32_t id) {
        conn& k = conns_[id];
        if (!k.open) return;
        if (k.eof && !k.closing && !k.send_busy && !output_pending(k)) begin_close(id);
        if (!k.closing || k.recv_busy || k.send_busy) return;
        for (int32_t b = k.q_head; b >= 0; b = chunk_next_[static_cast<size_t>(b)]) give_back(static_cast<uint16_t>(b));
        k.q_head = k.q_tail = -1;
        be_->forget_fd(k.fd);
        if (k.send_fd != k.fd) ::close(k.send_fd);
        ::close(k.fd);
        k.open = false;
        k.fd = k.send_fd = -1;
        free_.push_back(id);
        --live_;
    }

    server_shared& s_;
    const server_options& o_;
    bool blocking_fds_ = false, fd_per_slot_ = false, accept_in_loop_ = false;
    bool multishot_accept_ = false, bufring_ = false, zerocopy_ = false;
    bool stopping_ = false, accept_busy_ = false, returned_ = false;
    uint64_t live_ = 0;
    uint64_t accept_again_ = 0;  // when to re-post an accept that ran out of fds (0 = not waiting)
    std::vector<conn> conns_;
    std::vector<uint32_t> free_;        // free connection ids
    std::vector<io_op> prep_;           // ops for the next submit
    std::vector<int> handoff_;
    std::vector<int32_t> chunk_next_;   // per buffer id: next chunk of the same connection
    std::vector<uint32_t> chunk_len_;   // per buffer id: bytes received into it
    anon_mapping ring_mem_, conn_mem_;
    std::string_view block_;
    uint64_t resp_len_ = 1;
    tally t_;
    std::unique_ptr<backend> be_;  // last: destroyed first, while the buffers its ops may use still exist
};

}  // namespace

void run_event_loop(server_shared& s, std::promise<std::string>& ready) {
    std::unique_ptr<event_loop> loop;
    try {
        // Created on this thread: io_uring's SINGLE_ISSUER binds the ring to it.
        backend_options bo = s.opts.backend_opts;
        bo.depth = 2 * std::max(s.opts.max_connections, 1u) + 2;  // a recv and a send per connection, plus accept
        loop = std::make_unique<event_loop>(s, find_backend(s.opts.backend)->create(bo));
        loop->setup();
    } catch (const std::exception& e) {
        ready.set_value(s.opts.backend + ": " + e.what());
        return;
    }
    {
        std::lock_guard lk(s.mu);
        s.setup = loop->describe_all();
    }
    ready.set_value(std::string());
    loop->run();
}

}  // namespace iobench
