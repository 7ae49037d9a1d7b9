// net_server's event loop for the backends that run many ops per thread
// (epoll, libaio, posix_aio, io_uring, io_uring_sqpoll): one thread, one
// backend instance created on it, a preallocated connection table and one
// protocol session per connection slot. It knows fds, tokens, the buffer ring
// and the backend; what the bytes mean is the session's business.
#include "backends/registry.hpp"
#include "harness/system/clock.hpp"
#include "harness/net/net_server_state.hpp"
#include "harness/net/server_conn.hpp"

#include <algorithm>
#include <utility>
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
using namespace server_loop;

constexpr uint16_t group_id = 0;
constexpr size_t reap_batch = 256;
constexpr auto reap_timeout = 20ms;             // how often the stop flag and the handoff queue are looked at
constexpr uint64_t drain_limit_ns = 5'000'000'000ull;  // stop(): longest wait for ops to end
constexpr uint64_t publish_every_ns = 1'000'000;        // stats go out this often, not every loop turn
constexpr uint64_t hoard_scan_ns = 500'000'000;          // how often connections pinning the ring are looked at

std::string size_text(uint32_t b) { return b % 1024 ? std::to_string(b) + "B" : std::to_string(b / 1024) + "KiB"; }

class event_loop {
public:
    event_loop(server_shared& s, std::unique_ptr<backend> be) : s_(s), o_(s.opts), be_(std::move(be)) {}
    ~event_loop() {  // normally empty by now; after a fatal error, do not leak the fds
        for (const conn& k : conns_) {
            if (!k.open) continue;
            ::shutdown(k.fd, SHUT_RDWR);  // wakes a glibc AIO helper blocked in recv
            forget_and_close(k);
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
        server_session_config sc;
        if (bufring_) {
            if (!ring_mem_.map(size_t{o_.buf_count} * o_.buf_size))
                throw std::system_error(errno, std::system_category(), "net_server: buffer ring memory");
            be_->add_buffer_group(group_id, ring_mem_.p, o_.buf_size, o_.buf_count);
            held_ = std::make_unique<held_buffers>(o_.buf_count);
            sc.held = held_.get();
        } else {
            if (!conn_mem_.map(size_t{n} * o_.buf_size))
                throw std::system_error(errno, std::system_category(), "net_server: connection buffers");
        }
        sessions_.reserve(n);
        for (unsigned i = 0; i < n; ++i) sessions_.push_back(s_.workload->make_server(sc));
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
            if (live_changed_) publish();
            flush();
            // With no accept of its own and no connection, the backend holds
            // nothing and reap() returns at once: sleep until the acceptor
            // thread hands a connection over (posix_aio), instead of spinning.
            if (!accept_in_loop_ && live_ == 0) wait_for_handoff();
            const int k = be_->reap(out, 1, reap_timeout);
            if (k < 0 && k != -EINTR) {
                s_.set_error("reap: " + std::string(std::strerror(-k)));
                break;
            }
            for (int i = 0; i < k; ++i) dispatch(out[static_cast<size_t>(i)]);
            // A connection that came or went is published before any op of it is
            // submitted (the kernel may run a send inside submit): whoever saw it
            // served sees it counted. Everything else about every ~1 ms.
            if (live_changed_) publish();
            flush();
            if (const uint64_t t = now_ns(); t >= next_publish_) {
                publish();
                next_publish_ = t + publish_every_ns;
                if (bufring_ && t >= next_hoard_scan_) {
                    close_hoarders();
                    next_hoard_scan_ = t + hoard_scan_ns;
                }
            }
        }
        publish();
        be_->forget_fd(s_.listen_fd);  // no accept in flight now; net_server closes it
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
        std::lock_guard lk(s_.mu);  // stats() reads one whole publication or none of it
        s_.add(s_.accepted, t_.accepted);
        s_.add(s_.requests, t_.requests);
        s_.add(s_.bytes_in, t_.bytes_in);
        s_.add(s_.bytes_out, t_.bytes_out);
        s_.add(s_.errors, t_.errors);
        s_.live.store(live_, std::memory_order_relaxed);
        t_ = {};
        live_changed_ = false;
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

    void wait_for_handoff() {
        std::unique_lock lk(s_.handoff_mu);
        s_.handoff_cv.wait_for(lk, reap_timeout, [&] {
            return s_.handoff_ready.load(std::memory_order_relaxed) || s_.stopping.load(std::memory_order_relaxed);
        });
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
        if (c.result == -EMFILE || c.result == -ENFILE || c.result == -ENOMEM) {
            if (c.result != -ENOMEM) s_.add(s_.accept_fd_errors, 1);
            accept_again_ = now_ns() + 10'000'000;
        }
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
        sessions_[id]->reset();
        k.fd = fd;
        k.send_fd = send_fd;
        k.open = true;
        ++live_;
        ++t_.accepted;
        live_changed_ = true;
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

    bool wants_recv(const conn& k) const {
        return !k.closing && !k.eof && !k.recv_busy && k.recv_ok && (!bufring_ || k.held < held_cap());
    }

    // The ring is shared: a client that stops reading would otherwise pin
    // every buffer with bytes it never takes back, stalling all the others.
    // Past this many held buffers its multishot recv is cancelled, and posted
    // again once its output drains. What one burst delivers before the loop
    // sees it is held too: the ring must be larger than the cap plus a burst.
    uint32_t held_cap() const { return std::max(2u, o_.buf_count / 8); }

    void pause_if_hoarding(uint32_t id) {
        conn& k = conns_[id];
        if (!bufring_ || k.held < held_cap() || !k.recv_busy || k.recv_paused || k.closing) return;
        k.recv_paused = true;
        be_->cancel(token_of(id, tag_recv));
    }

    // Plain recv: each connection's own buffer.
    char* buf_of(const conn& k) const {
        return conn_mem_.bytes() + static_cast<size_t>(&k - conns_.data()) * o_.buf_size;
    }

    void give_back(uint16_t bid) {
        be_->return_buffer(group_id, bid);
        returned_ = true;
    }

    // The pause bounds what a hoarder takes only when the loop keeps up: a
    // burst that lands first can pin the whole ring. With half the ring held,
    // a connection over its cap whose output has not moved for a whole scan
    // (0.5-1 s: a client that stopped reading) is closed, as a server's send
    // timeout would, and counted, so its buffers serve the others again.
    void close_hoarders() {
        if (total_held_ >= o_.buf_count / 2)
            for (uint32_t id = 0; id < conns_.size(); ++id) {
                conn& k = conns_[id];
                if (!k.open || k.closing || k.held < held_cap() || k.sent != k.sent_at_scan) continue;
                ++t_.errors;
                s_.add(s_.hoarders_closed, 1);
                begin_close(id);
                maybe_finish(id);
            }
        for (conn& k : conns_) k.sent_at_scan = k.sent;
    }

    // A buffer the connection's session held goes back to the ring.
    void release(conn& k, int32_t bid) {
        give_back(static_cast<uint16_t>(bid));
        if (k.held) --k.held, --total_held_;
    }

    void on_recv(uint32_t id, const io_completion& c) {
        conn& k = conns_[id];
        const int64_t r = c.result;
        if (!(c.flags & cqe_more)) {
            k.recv_busy = false;
            if (std::exchange(k.recv_paused, false) && r == -ECANCELED) {  // our own pause, not a failure
                if (wants_recv(k)) post_recv(id);
                return maybe_finish(id);
            }
        }
        if (r > 0) {
            t_.bytes_in += static_cast<uint64_t>(r);
            const bool provided = c.flags & cqe_buffer;
            on_data(id, provided ? static_cast<const char*>(c.buf) : buf_of(k), static_cast<uint32_t>(r),
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
    void on_data(uint32_t id, const char* data, uint32_t n, int32_t bid) {
        conn& k = conns_[id];
        if (k.closing) {
            if (bid >= 0) give_back(static_cast<uint16_t>(bid));
            return;
        }
        const server_step st = sessions_[id]->on_recv(data, n, bid);
        if (bid >= 0 && !st.keep) give_back(static_cast<uint16_t>(bid));
        if (bid >= 0 && st.keep) ++k.held, ++total_held_;
        apply(k, st);
        kick_send(id);
        pause_if_hoarding(id);
    }

    void apply(conn& k, const server_step& st) {
        t_.requests += st.requests;
        k.out = st.send;
        k.recv_ok = st.recv;
        if (st.release >= 0) release(k, st.release);
        if (st.more_released) {
            server_session& ss = *sessions_[static_cast<size_t>(&k - conns_.data())];
            for (int32_t b; (b = ss.take_released()) >= 0;) release(k, b);
        }
        if (st.error) ++t_.errors;
        if (st.finish) k.eof = true;  // answer what is owed, then close
    }

    bool output_pending(const conn& k) const { return k.out.what != send_item::kind::none; }

    // One send in flight per connection, in order.
    void kick_send(uint32_t id) {
        conn& k = conns_[id];
        if (k.send_busy || k.closing || !output_pending(k)) return;
        if (k.out.what != send_item::kind::buffer) {  // file ranges wait for the zero-copy transfer methods
            ++t_.errors;
            return begin_close(id);
        }
        io_op op = make_op(op_kind::send, k.send_fd, token_of(id, tag_send));
        op.flags = zerocopy_ ? op_zerocopy : 0;
        op.buf = const_cast<char*>(k.out.buf);  // never written: send only reads it
        op.len = k.out.len;
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
        t_.bytes_out += static_cast<uint64_t>(r);
        k.sent += static_cast<uint64_t>(r);
        apply(k, sessions_[id]->on_sent(static_cast<uint32_t>(r)));
        kick_send(id);
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
        for (int32_t b; (b = sessions_[id]->release_held()) >= 0;) release(k, b);
        forget_and_close(k);
        k.open = false;
        k.fd = k.send_fd = -1;
        free_.push_back(id);
        --live_;
        live_changed_ = true;
    }

    // Every fd the backend saw is forgotten before its number can come back.
    void forget_and_close(const conn& k) {
        be_->forget_fd(k.fd);
        if (k.send_fd != k.fd) {
            be_->forget_fd(k.send_fd);
            ::close(k.send_fd);
        }
        ::close(k.fd);
    }

    server_shared& s_;
    const server_options& o_;
    bool blocking_fds_ = false, fd_per_slot_ = false, accept_in_loop_ = false;
    bool multishot_accept_ = false, bufring_ = false, zerocopy_ = false;
    bool stopping_ = false, accept_busy_ = false, returned_ = false, live_changed_ = false;
    uint64_t live_ = 0;
    uint64_t accept_again_ = 0;  // when to re-post an accept that ran out of fds (0 = not waiting)
    uint64_t next_publish_ = 0, next_hoard_scan_ = 0;
    uint64_t total_held_ = 0;  // ring buffers every session holds together
    std::vector<conn> conns_;
    std::vector<std::unique_ptr<server_session>> sessions_;  // per connection id
    std::vector<uint32_t> free_;        // free connection ids
    std::vector<io_op> prep_;           // ops for the next submit
    std::vector<int> handoff_;
    std::unique_ptr<held_buffers> held_;  // ring buffers sessions keep until sent (with a ring)
    anon_mapping ring_mem_, conn_mem_;
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
