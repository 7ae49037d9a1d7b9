// epoll backend: each op tries its syscall first and, on EAGAIN, waits on its
// fd's edge; reap() turns edge-triggered readiness into completions.
#include "backends/epoll.hpp"

#include "backends/probe_util.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <ctime>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace iobench {

namespace {

constexpr int32_t nil = -1;
constexpr size_t initial_fds = 4096;  // fd table entries allocated up front
// Added once per fd and never modified: with EPOLLET nothing needs re-arming.
constexpr uint32_t watched = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
// attempt() outcomes that are not a result.
constexpr int64_t would_block = INT64_MIN;  // wait for the fd's next edge
constexpr int64_t deferred = INT64_MIN + 1; // multishot accept: no room for more completions

enum side : uint8_t { rd = 0, wr = 1 };

side side_of(op_kind k) { return k == op_kind::send || k == op_kind::write || k == op_kind::connect ? wr : rd; }

enum class slot_state : uint8_t { free, started, waiting };

struct op_slot {
    io_op op;
    int32_t next = nil;  // next op waiting on the same fd and side
    slot_state state = slot_state::free;
    bool connecting = false;  // connect returned EINPROGRESS
};

struct fd_state {
    int32_t head[2] = {nil, nil};  // ops waiting for readiness, one FIFO per side
    int32_t tail[2] = {nil, nil};
    bool registered = false;  // in our epoll set (until forget_fd)
    bool known = false;       // O_NONBLOCK checked and the socket type read
    bool stream = false;      // SOCK_STREAM: a short transfer means drained (or full)
    bool hup = false;         // an event said HUP/RDHUP/ERR: never skip the syscall
    bool ready[2] = {true, true};  // try the syscall before waiting for an edge
    bool deferred = false;    // on rerun_
};



// connect: EINPROGRESS waits for EPOLLOUT (or ERR/HUP); SO_ERROR then holds the result.
int64_t connect_step(op_slot& s) {
    const io_op& op = s.op;
    const auto* addr = static_cast<const sockaddr*>(op.buf);
    if (!s.connecting) {
        if (::connect(op.fd, addr, static_cast<socklen_t>(op.len)) == 0) return 0;
        // AF_UNIX says EAGAIN for a full backlog, which no epoll edge announces: it is the result.
        if (errno != EINPROGRESS) return -errno;
        s.connecting = true;
        return would_block;
    }
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(op.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return -errno;
    if (err != 0) return -err;
    // SO_ERROR is 0 both once connected and while still connecting; connect()
    // again tells them apart (0 or EISCONN, vs EALREADY) without side effects.
    if (::connect(op.fd, addr, static_cast<socklen_t>(op.len)) == 0 || errno == EISCONN) return 0;
    return errno == EALREADY || errno == EINPROGRESS ? would_block : -errno;
}

// One non-blocking syscall for the op: bytes / new fd / 0, -errno, or would_block.
int64_t run_syscall(op_slot& s) {
    const io_op& op = s.op;
    if (op.kind == op_kind::connect) return connect_step(s);
    ssize_t r = -1;
    do {
        switch (op.kind) {
        // MSG_DONTWAIT: never block the loop, whatever the fd's flags say.
        case op_kind::recv: r = ::recv(op.fd, op.buf, op.len, MSG_DONTWAIT); break;
        case op_kind::send: r = ::send(op.fd, op.buf, op.len, MSG_DONTWAIT | MSG_NOSIGNAL); break;
        case op_kind::read: r = ::read(op.fd, op.buf, op.len); break;
        case op_kind::write: r = ::write(op.fd, op.buf, op.len); break;
        case op_kind::accept: r = ::accept4(op.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC); break;
        default: errno = EOPNOTSUPP; break;
        }
    } while (r < 0 && errno == EINTR);
    if (r >= 0) return r;
    return errno == EAGAIN || errno == EWOULDBLOCK ? would_block : -errno;
}

class epoll_backend final : public backend {
public:
    // Local room beyond depth: completions of multishot accepts (each op's
    // final one always has a place).
    explicit epoll_backend(const backend_options& o)
        : backend("epoll", epoll_caps, o, std::max(std::max(o.depth, 1u), 64u)), epfd_(::epoll_create1(EPOLL_CLOEXEC)) {
        if (!epfd_) throw std::system_error(errno, std::system_category(), "epoll_create1");
        // Everything the hot path touches is sized here.
        slots_.resize(depth_);
        free_.reserve(depth_);
        for (unsigned i = depth_; i-- > 0;) free_.push_back(static_cast<int32_t>(i));
        fds_.resize(initial_fds);
        events_.resize(std::max(depth_, 64u));
        rerun_.reserve(2 * depth_);
    }

    std::string describe() const override {
        return "edge-triggered epoll: EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET added once per fd (no per-op epoll_ctl), "
               "speculative non-blocking syscall first (skipped after a short transfer until the next edge), "
               "epoll_pwait2 reap, multishot accept emulated; non-blocking sockets/pipes only; "
               "one syscall per op (batch does not apply)";
    }

private:
    int on_submit(std::span<const io_op> ops, size_t& taken) override {
        for (const io_op& op : ops) {
            if (free_.empty()) {  // unreachable: the front keeps to depth
                complete_local(op.token, -EBUSY);
                continue;
            }
            const int32_t i = free_.back();
            free_.pop_back();
            slots_[static_cast<size_t>(i)] = {op, nil, slot_state::started, false};
            start(i);
        }
        ++counters_.submit_calls;
        taken = ops.size();
        return static_cast<int>(ops.size());
    }

    // Completions land in the front's local queue (it hands them out); here
    // one look at epoll, waiting at most `timeout` when fewer than `min` are there.
    harvest on_reap(std::span<io_completion> out, unsigned min, const timespec* timeout) override {
        run_deferred();
        size_t n = take_local(out);
        if (n == out.size() || (n >= min && n > 0)) return {static_cast<int>(n), false};
        static constexpr timespec zero{};
        const timespec* tsp = n >= min ? &zero : timeout;
        const int k = ::epoll_pwait2(epfd_.get(), events_.data(), static_cast<int>(events_.size()), tsp, nullptr);
        if (k < 0) return {n > 0 || errno == EINTR ? static_cast<int>(n) : -errno, false};
        for (int j = 0; j < k; ++j) dispatch(events_[static_cast<size_t>(j)]);
        return {static_cast<int>(n), k == 0};
    }

    // The caller closes fd next: drop its registration and what we know, so
    // the number can come back as a new file. Once per connection, not per op.
    void on_forget_fd(int fd) override {
        if (fd < 0 || static_cast<size_t>(fd) >= fds_.size()) return;
        fd_state& st = fds_[static_cast<size_t>(fd)];
        if (st.registered) ::epoll_ctl(epfd_.get(), EPOLL_CTL_DEL, fd, nullptr);
        st.registered = st.known = st.stream = st.hup = false;
        st.ready[rd] = st.ready[wr] = true;
    }

    // Ends a waiting op (multishot accept included) with -ECANCELED.
    int on_cancel(uint64_t token) override {
        for (size_t i = 0; i < slots_.size(); ++i) {
            op_slot& s = slots_[i];
            if (s.state != slot_state::waiting || s.op.token != token) continue;
            const auto idx = static_cast<int32_t>(i);
            unlink(fds_[static_cast<size_t>(s.op.fd)], side_of(s.op.kind), idx);
            finish(idx, -ECANCELED);
            return 0;
        }
        return -ENOENT;
    }

    // First step of a submitted op: checks, fd registration, speculative syscall.
    void start(int32_t i) {
        const io_op& op = slot(i).op;
        if (op.kind == op_kind::fsync) return finish(i, -EOPNOTSUPP);  // nothing pollable to wait for
        if (op.flags & ~(op.kind == op_kind::accept ? static_cast<int>(op_multishot) : 0)) return finish(i, -EINVAL);
        fd_state* st = state_of(op.fd);
        if (!st) return finish(i, -EBADF);
        if (!st->registered) {
            if (const int err = enroll(op.fd, *st)) return finish(i, -err);
        }
        const side sd = side_of(op.kind);
        // Ops behind a waiting one keep their order; a known-drained fd waits for its edge.
        if (st->head[sd] == nil && st->ready[sd]) {
            const int64_t r = attempt(i, *st, sd);
            if (r != would_block && r != deferred) return finish(i, r);
        }
        enqueue(*st, sd, i);
    }

    // The fd's entry, growing the table for a new high fd number (not the
    // steady state). nullptr for a bad fd.
    fd_state* state_of(int fd) {
        if (fd < 0) return nullptr;
        if (static_cast<size_t>(fd) >= fds_.size()) {
            if (::fcntl(fd, F_GETFD) < 0) return nullptr;
            fds_.resize(std::max(fds_.size() * 2, static_cast<size_t>(fd) + 1));
        }
        return &fds_[static_cast<size_t>(fd)];
    }

    bool epoll_add(int fd) {
        epoll_event ev{};
        ev.events = watched;
        ev.data.fd = fd;
        return ::epoll_ctl(epfd_.get(), EPOLL_CTL_ADD, fd, &ev) == 0;
    }

    // Adds the fd to epoll once and checks it suits: 0 or a positive errno.
    int enroll(int fd, fd_state& st) {
        // EEXIST: already in the set (the caller skipped forget_fd but kept the file): fine.
        // EPERM: the file has no poll support (regular file, directory).
        if (!epoll_add(fd) && errno != EEXIST) return errno == EPERM ? EOPNOTSUPP : errno;
        return check(fd, st);
    }

    int check(int fd, fd_state& st) {
        if (!st.known) {
            const int fl = ::fcntl(fd, F_GETFL);
            if (fl < 0) return errno;
            if (!(fl & O_NONBLOCK)) return EINVAL;  // a blocking accept/read would stall every op
            int type = 0;
            socklen_t len = sizeof type;
            st.stream = ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM;
            st.known = true;
        }
        st.registered = true;
        return 0;
    }

    // Runs op i's syscall (repeatedly for multishot accept): a result for
    // finish(), would_block or deferred.
    int64_t attempt(int32_t i, fd_state& st, side sd) {
        op_slot& s = slot(i);
        const io_op& op = s.op;
        const bool multi = op.flags & op_multishot;
        for (;;) {
            if (multi && !local_spare()) {
                defer(op.fd, st);
                return deferred;
            }
            const int64_t r = run_syscall(s);
            if (r == would_block) {
                st.ready[sd] = false;
                return r;
            }
            if (op.kind == op_kind::accept) {
                if (r >= 0) adopt(static_cast<int>(r), st.stream);
            } else if (r > 0 && r < op.len && st.stream && !st.hup) {
                // Short transfer on a stream: the queue was drained (or the
                // send buffer filled), and the next change brings an edge.
                st.ready[sd] = false;
            }
            if (!multi || r < 0) return r;
            complete_local(op.token, r, cqe_more);
        }
    }

    void dispatch(const epoll_event& ev) {
        const int fd = ev.data.fd;
        if (fd < 0 || static_cast<size_t>(fd) >= fds_.size()) return;
        fd_state& st = fds_[static_cast<size_t>(fd)];
        const uint32_t m = ev.events;
        // HUP/ERR wake both sides: the syscall then returns the real error, or 0 at EOF.
        if (m & (EPOLLHUP | EPOLLRDHUP | EPOLLERR)) st.hup = true;
        if (m & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) st.ready[rd] = true;
        if (m & (EPOLLOUT | EPOLLHUP | EPOLLERR)) st.ready[wr] = true;
        run_side(fd, rd);
        run_side(fd, wr);
    }

    // Edge-triggered: run waiting ops until one would block again.
    void run_side(int fd, side sd) {
        fd_state& st = fds_[static_cast<size_t>(fd)];
        while (st.head[sd] != nil && st.ready[sd]) {
            const int32_t i = st.head[sd];
            const int64_t r = attempt(i, st, sd);
            if (r == would_block || r == deferred) return;
            unlink(st, sd, i);
            finish(i, r);
        }
    }

    // A multishot accept stopped for room before EAGAIN: no edge will come, so
    // retry it once reap() has handed completions out.
    void defer(int fd, fd_state& st) {
        if (st.deferred) return;
        st.deferred = true;
        rerun_.push_back(fd);
    }

    void run_deferred() {
        const size_t n = rerun_.size();
        if (n == 0 || !local_spare()) return;
        for (size_t k = 0; k < n; ++k) {
            const int fd = rerun_[k];
            fds_[static_cast<size_t>(fd)].deferred = false;
            run_side(fd, rd);  // may defer again, appending past n
        }
        rerun_.erase(rerun_.begin(), rerun_.begin() + static_cast<long>(n));
    }

    // accept made this fd with SOCK_NONBLOCK, of the listener's type: no
    // need to ask the kernel when it is first used (forget_fd cleared the
    // number's old state, as the contract says).
    void adopt(int fd, bool stream) {
        if (static_cast<size_t>(fd) >= fds_.size()) return;  // a fresh entry is made at first sight
        fd_state& st = fds_[static_cast<size_t>(fd)];
        st.known = true;
        st.stream = stream;
    }

    void finish(int32_t i, int64_t r) {
        op_slot& s = slot(i);
        complete_local(s.op.token, r);
        s.state = slot_state::free;
        free_.push_back(i);
    }

    void enqueue(fd_state& st, side sd, int32_t i) {
        slot(i).state = slot_state::waiting;
        slot(i).next = nil;
        if (st.tail[sd] == nil) st.head[sd] = i;
        else slot(st.tail[sd]).next = i;
        st.tail[sd] = i;
    }

    void unlink(fd_state& st, side sd, int32_t i) {
        int32_t prev = nil;
        for (int32_t j = st.head[sd]; j != nil; prev = j, j = slot(j).next) {
            if (j != i) continue;
            (prev == nil ? st.head[sd] : slot(prev).next) = slot(j).next;
            if (st.tail[sd] == i) st.tail[sd] = prev;
            return;
        }
    }

    op_slot& slot(int32_t i) { return slots_[static_cast<size_t>(i)]; }

    unique_fd epfd_;
    std::vector<op_slot> slots_;
    std::vector<int32_t> free_;
    std::vector<fd_state> fds_;    // indexed by fd number
    std::vector<epoll_event> events_;
    std::vector<int> rerun_;  // fds with a deferred multishot accept
};

}  // namespace

probe_result probe_epoll(const probe_context& ctx) {
    unique_fd ep(::epoll_create1(EPOLL_CLOEXEC));
    if (!ep) return probe_result::no("epoll: epoll_create1: " + errno_text(errno));
    epoll_event ev{};
    ev.events = watched;
    if (ctx.target == io_target::file) {
        std::string why;
        const unique_fd f = open_probe_file(ctx, why);
        if (!f) return probe_result::no("epoll: " + why);
        ev.data.fd = f.get();
        if (::epoll_ctl(ep.get(), EPOLL_CTL_ADD, f.get(), &ev) != 0) {
            return probe_result::no("epoll: regular files are always ready; epoll cannot wait for disk I/O (epoll_ctl: " +
                                    errno_text(errno) + ")");
        }
        return probe_result::no("epoll: file I/O is not implemented (the target is pollable, but storage needs "
                                "positioned reads and writes)");
    }
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
        return probe_result::no("epoll: socketpair: " + errno_text(errno));
    const unique_fd a(sv[0]), b(sv[1]);
    ev.data.fd = a.get();
    if (::epoll_ctl(ep.get(), EPOLL_CTL_ADD, a.get(), &ev) != 0)
        return probe_result::no("epoll: epoll_ctl ADD on a socket: " + errno_text(errno));
    // One real wait, as reap() does it: epoll_pwait2 needs Linux 5.11, and a
    // fresh connected socket must come back writable.
    epoll_event got{};
    const timespec zero{};
    const int k = ::epoll_pwait2(ep.get(), &got, 1, &zero, nullptr);
    if (k < 0) return probe_result::no("epoll: epoll_pwait2: " + errno_text(errno));
    if (k != 1 || !(got.events & EPOLLOUT)) return probe_result::no("epoll: a fresh socket was not reported writable");
    return probe_result::yes();
}

std::unique_ptr<backend> make_epoll(const backend_options& o) { return std::make_unique<epoll_backend>(o); }

}  // namespace iobench
