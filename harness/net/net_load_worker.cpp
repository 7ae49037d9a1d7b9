// One load worker: connects its share, then drives requests through its own
// backend (closed or open loop) and stamps latencies; each connection's client
// session fills the requests and judges the replies.
#include "harness/net/net_load_worker.hpp"

#include "backends/probe_util.hpp"
#include "harness/system/clock.hpp"
#include "harness/system/fd_limit.hpp"
#include "harness/system/thread_role.hpp"
#include "harness/system/interrupt.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <thread>

namespace iobench::load_detail {

namespace {

constexpr uint64_t connect_timeout_ns = 5'000'000'000;
constexpr uint64_t max_wait_ns = 50'000'000;  // longest reap wait, so abort/interrupt are seen
enum token_kind : uint64_t { tk_connect = 0, tk_send = 1, tk_recv = 2 };

}  // namespace

void load_worker::run() {
    const thread_role role(thread_class::load, "ib-load");  // the main thread too, while it runs a loop
    try {
        setup();
    } catch (const std::exception& ex) {
        sh_.fail(ex.what());
    }
    sh_.ready.count_down();
    sh_.go.wait();
    if (!sh_.abort.load()) loop();
    result.latency = timeline.merged();
    sh_.drained.fetch_add(1);
    sh_.may_close.wait();
    for (const conn_state& c : conns_)
        if (c.fd) be_->forget_fd(c.fd.get());
    be_.reset();  // before the sockets close: the kernel lets go of them
    conns_.clear();
}

void load_worker::push(op_kind k, conn_state& c, const void* buf, uint32_t len, uint64_t kind) {
    io_op op;
    op.kind = k;
    op.fd = c.fd.get();
    op.buf = const_cast<void*>(buf);  // a send or connect only reads it
    op.len = len;
    op.token = (static_cast<uint64_t>(&c - conns_.data()) << 2) | kind;  // one op per kind per connection
    staged_.push_back(op);  // capacity reserved: no allocation
    ++in_flight_;
}

void load_worker::setup() {
    backend_options bo = o_.backend_opts;
    const bool one_op = entry_.caps & cap_one_op_per_thread;
    bo.depth = one_op ? 1 : static_cast<unsigned>(conns_.size()) * 3;
    bo.batch = std::min(bo.batch, bo.depth);
    overlap_ = !(entry_.caps & (cap_one_op_per_thread | cap_blocking_fds));
    op_delay_ = o_.fault_op_delay_ns != 0;
    be_ = entry_.create(bo);  // here, on the thread that drives it (io_uring SINGLE_ISSUER)
    be_->attach({});
    result.setup = be_->describe();
    staged_.reserve(bo.depth);
    cqes_.resize(bo.depth);
    timeline.setup(sh_.timeline.slots, sh_.timeline.interval_ns);

    const net_workload* w = &sh_.workload;
    const unsigned pipeline = std::max(1u, o_.pipeline);
    stamps_.resize(static_cast<size_t>(pipeline) * conns_.size());
    for (size_t i = 0; i < conns_.size(); ++i) {
        conn_state& c = conns_[i];
        c.id = first_ + static_cast<uint32_t>(i);
        c.stamps = stamps_.data() + i * pipeline;
        c.session = w->make_client({c.id, o_.msg_size, pipeline, o_.verify, o_.ws_protocol});  // its buffers, made here
    }
    connect_all();
}

unique_fd load_worker::open_socket() const {
    const bool nonblock = !(entry_.caps & cap_blocking_fds);
    unique_fd fd(::socket(o_.target.family(), SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0));
    if (!fd) return fd;
    const int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // small requests go out at once
    return fd;
}

void load_worker::connect_all() {
    const bool through_backend = entry_.caps & cap_accept_connect;
    const std::string where = o_.target.to_string();
    for (conn_state& c : conns_) {
        c.fd = open_socket();
        if (!c.fd) throw std::runtime_error("socket: " + errno_text(errno) + fd_limit_hint(errno));
        const auto* sa = reinterpret_cast<const sockaddr*>(&o_.target.addr);
        if (!through_backend && ::connect(c.fd.get(), sa, o_.target.len) != 0)
            throw std::runtime_error("connect " + where + ": " + errno_text(errno));
    }
    if (through_backend) {
        // One connect op per connection, all in flight together (depth allows it).
        auto* addr = const_cast<sockaddr_storage*>(&o_.target.addr);
        for (conn_state& c : conns_) push(op_kind::connect, c, addr, o_.target.len, tk_connect);
        if (!flush()) throw std::runtime_error("connect " + where + ": submit failed");
        const uint64_t deadline = now_ns() + connect_timeout_ns;
        while (in_flight_ > 0) {
            const int n = be_->reap(cqes_, 1, std::chrono::milliseconds(10));
            if (n < 0) throw std::runtime_error(std::string(be_->name()) + " reap: " + errno_text(-n));
            for (int i = 0; i < n; ++i) {
                --in_flight_;
                const auto res = static_cast<int>(cqes_[i].result);
                if (res < 0) throw std::runtime_error("connect " + where + ": " + errno_text(-res));
            }
            if (in_flight_ > 0 && now_ns() > deadline)
                throw std::runtime_error("connect " + where + ": no answer in 5 s");
        }
    }
    for (const conn_state& c : conns_) {
        std::lock_guard g(sh_.mu);
        sh_.all_fds.push_back(c.fd.get());
    }
    live_ = static_cast<unsigned>(conns_.size());
    sh_.live.fetch_add(live_);
}

bool load_worker::flush() {
    if (staged_.empty()) return true;
    be_->prepare(staged_);
    staged_.clear();
    const int s = be_->submit();
    if (s < 0) {
        sh_.fail(std::string(be_->name()) + " submit: " + errno_text(-s));
        return false;
    }
    return true;
}

// The server announced it closes this connection (Connection: close, as
// nginx does after keepalive_requests): open a new one, as wrk does. Only
// called with nothing of this connection in flight.
void load_worker::reopen(conn_state& c) {
    c.reconnect = false;
    ++result.reconnects;
    const int old_fd = c.fd.get();
    be_->forget_fd(old_fd);
    unique_fd fd = open_socket();
    if (!fd) return conn_error(c, "socket", -errno);
    {
        std::lock_guard g(sh_.mu);  // the watchdog shuts these down at the end
        std::replace(sh_.all_fds.begin(), sh_.all_fds.end(), old_fd, fd.get());
    }
    c.fd = std::move(fd);  // closes the old one after the watchdog's list moved on
    c.session->reset();
    const auto* sa = reinterpret_cast<const sockaddr*>(&o_.target.addr);
    if (entry_.caps & cap_accept_connect) {
        c.connecting = true;
        push(op_kind::connect, c, const_cast<sockaddr_storage*>(&o_.target.addr), o_.target.len, tk_connect);
    } else if (::connect(c.fd.get(), sa, o_.target.len) != 0) {
        conn_error(c, "connect", -errno);
    }
}

void load_worker::on_connect(conn_state& c, int64_t res) {
    c.connecting = false;
    if (res < 0) conn_error(c, "connect", res);
}

void load_worker::issue(conn_state& c, uint64_t now) {
    if (c.reconnect) {
        reopen(c);
        if (c.connecting || c.dead) return;  // the request goes when the connect completes
    }
    const unsigned pipeline = std::max(1u, o_.pipeline);
    const unsigned most = c.session->batch();  // <= pipeline
    unsigned k = 0;
    if (o_.rate > 0) {
        // Open loop: every request due by now goes, stamped with its intended time.
        while (k < most && c.next_due <= now) {
            c.stamps[(c.head + k) % pipeline] = c.next_due;
            c.next_due += interval_ns_;
            ++k;
        }
        if (k == 0) return;
    } else {
        k = most;
        for (unsigned i = 0; i < k; ++i) c.stamps[(c.head + i) % pipeline] = now;
    }
    c.outstanding = k;
    requests_out_ += k;
    const request_batch req = c.session->fill(k);
    c.tx = req.data;
    c.tx_len = req.len;
    c.tx_done = 0;
    c.rx = req.reply;
    c.one_way = req.reply.len == 0;
    c.send_busy = true;
    push(op_kind::send, c, c.tx, c.tx_len, tk_send);
    if (overlap_ && !c.one_way) post_recv(c);
}

void load_worker::post_recv(conn_state& c) {
    c.recv_busy = true;
    push(op_kind::recv, c, c.rx.buf, c.rx.len, tk_recv);
}

void load_worker::complete_request(conn_state& c, uint64_t now) {
    const uint64_t stamp = c.stamps[c.head];
    c.head = (c.head + 1) % std::max(1u, o_.pipeline);
    --c.outstanding;
    --requests_out_;
    if (in_window(now)) {
        timeline.record(now, now - stamp, 0);
        ++result.requests;
    }
    if (op_delay_) [[unlikely]] spin_for(o_.fault_op_delay_ns);
}

// Requests outstanding, integrated between the loop's clock reads (the same
// instants the latency stamps use), so Little's law can be checked.
void load_worker::integrate(uint64_t now) {
    if (!stopping_) {
        const uint64_t from = std::max(last_t_, sh_.measure_ns), to = std::min(now, sh_.stop_ns);
        if (to > from) timeline.add_inflight(from, to, requests_out_);
    }
    last_t_ = now;
}

// Requests still unanswered when the window closes: each is a censored
// sample, its age at the end. Once per run, a pass over this worker's connections.
void load_worker::censor_outstanding(uint64_t end) {
    const unsigned pipeline = std::max(1u, o_.pipeline);
    for (const conn_state& c : conns_) {
        if (c.dead) continue;
        for (unsigned i = 0; i < c.outstanding; ++i) {
            const uint64_t stamp = c.stamps[(c.head + i) % pipeline];
            if (stamp >= end) continue;  // sent after the window closed
            result.censored.record(end - stamp);
            result.censored_oldest_ns = std::max(result.censored_oldest_ns, end - stamp);
        }
    }
}

void load_worker::check_stop(uint64_t now) {
    if (stopping_ || !(now >= sh_.stop_ns || sh_.abort.load(std::memory_order_relaxed) || interrupted())) return;
    integrate(now);
    stopping_ = true;
    stop_at_ = now;
    rusage ru1{};
    ::getrusage(RUSAGE_THREAD, &ru1);
    if (measuring_) {
        result.cpu_user_s = seconds_of(ru1.ru_utime) - seconds_of(ru0_.ru_utime);
        result.cpu_sys_s = seconds_of(ru1.ru_stime) - seconds_of(ru0_.ru_stime);
        censor_outstanding(std::min(now, sh_.stop_ns));
    }
    result.live_connections = live_;
    stopped_ns = now;
}

void load_worker::conn_error(conn_state& c, const char* what, int64_t res) {
    if (c.dead) return;
    c.dead = true;
    requests_out_ -= c.outstanding;  // never answered: no longer outstanding
    c.outstanding = 0;
    // shutdown, not close: the other direction's op may still be in flight,
    // and the number must stay ours until the watchdog is done with it.
    ::shutdown(c.fd.get(), SHUT_RDWR);
    if (stopping_) return;  // the server closing after the deadline is not an error
    ++result.errors;
    --live_;
    if (sh_.live.fetch_sub(1) == 1)
        sh_.fail("all connections closed; the last: connection " + std::to_string(c.id) + " " + what +
                 (res < 0 ? ": " + errno_text(static_cast<int>(-res)) : std::string(": closed by the server")));
}

void load_worker::on_send(conn_state& c, int64_t res, uint64_t now) {
    if (res < 0 && c.reconnect && !c.dead) {  // raced the announced hang-up
        c.send_busy = false;
        return;
    }
    if (res < 0) return conn_error(c, "send", res);
    if (in_window(now)) {
        result.bytes_sent += static_cast<uint64_t>(res);
        if (c.one_way) timeline.add_bytes(now, static_cast<uint64_t>(res));
    }
    c.tx_done += static_cast<uint32_t>(res);
    if (c.dead) return;
    if (c.tx_done < c.tx_len) {  // partial send: the rest goes next
        push(op_kind::send, c, c.tx + c.tx_done, c.tx_len - c.tx_done, tk_send);
        return;
    }
    c.send_busy = false;
    if (c.one_way) complete_request(c, now);  // sent is done
    else if (!overlap_) post_recv(c);
}

void load_worker::on_recv(conn_state& c, int64_t res, uint64_t now) {
    if (res <= 0 && c.reconnect && !c.dead) {
        // The server hung up as it said it would; pipelined requests it did
        // not answer are dropped (not measured), and the next go on a new connection.
        c.recv_busy = false;
        requests_out_ -= c.outstanding;
        c.outstanding = 0;
        c.head = 0;
        return;
    }
    if (res <= 0) return conn_error(c, "recv", res);
    if (c.dead) return;
    if (in_window(now)) {
        result.bytes_received += static_cast<uint64_t>(res);
        timeline.add_bytes(now, static_cast<uint64_t>(res));
    }
    const reply_step st = c.session->on_reply(c.rx.buf, static_cast<uint32_t>(res), c.outstanding);
    if (st.close) c.reconnect = true;
    for (unsigned i = 0; i < st.answered; ++i) complete_request(c, now);
    if (!stopping_) result.errors += st.rejected;
    if (st.error) {
        sh_.fail(st.error);
        return conn_error(c, "reply", 0);
    }
    c.rx = st.next;
    if (c.outstanding > 0 && c.rx.len > 0) post_recv(c);
    else c.recv_busy = false;
}

void load_worker::loop() {
    const bool open = o_.rate > 0;
    if (open) {
        // rate/connections per connection, phases staggered over one interval.
        const unsigned total = std::max(1u, o_.connections);
        interval_ns_ = static_cast<uint64_t>(1e9 * total / o_.rate);
        for (conn_state& c : conns_) c.next_due = sh_.start_ns + interval_ns_ * c.id / total;
    }
    timeline.begin(sh_.measure_ns);
    uint64_t now = now_ns();
    last_t_ = now;
    bool scan = true;  // closed loop: only the first pass; later sends follow their completions
    while (true) {
        if (!measuring_ && now >= sh_.measure_ns) {
            measuring_ = true;
            ::getrusage(RUSAGE_THREAD, &ru0_);
        }
        check_stop(now);
        uint64_t wake = stopping_ ? now + max_wait_ns : sh_.stop_ns;
        if (!stopping_ && (open || scan)) {
            scan = false;
            for (conn_state& c : conns_) {
                if (!idle(c)) continue;
                if (c.next_due <= now) issue(c, now);
                else wake = std::min(wake, c.next_due);
            }
        }
        if (!flush()) return;
        // The watchdog shuts the sockets down at the deadline plus the drain
        // time; if the backend still holds ops a while later, give up on them.
        if (stopping_ && (in_flight_ == 0 || now >= stop_at_ + drain_ns * 5 / 2)) return;
        const uint64_t wait = std::min(wake > now ? wake - now : 0, max_wait_ns);
        if (in_flight_ == 0) {  // nothing to reap (open loop between sends): sleep to the next due time
            std::this_thread::sleep_for(std::chrono::nanoseconds(wait));
            now = now_ns();
            integrate(now);
            continue;
        }
        const int n = be_->reap(cqes_, 1, std::chrono::nanoseconds(wait));
        if (n < 0) return sh_.fail(std::string(be_->name()) + " reap: " + errno_text(-n));
        now = now_ns();  // one clock read per batch
        integrate(now);
        if (n > 0) check_stop(now);  // completions past the deadline were outstanding at it: censored
        for (int i = 0; i < n; ++i) {
            --in_flight_;
            conn_state& c = conns_[cqes_[i].token >> 2];
            switch (cqes_[i].token & 3) {
            case tk_send: on_send(c, cqes_[i].result, now); break;
            case tk_recv: on_recv(c, cqes_[i].result, now); break;
            default: on_connect(c, cqes_[i].result); break;
            }
            if (!open && !stopping_ && idle(c)) issue(c, now);  // closed loop: the next request at once
        }
    }
}

}  // namespace iobench::load_detail
