// libaio backend: a preallocated iocb pool driven by io_submit/io_getevents.
// Sockets: IOCB_CMD_POLL for readiness, then a non-blocking recv/send/accept here.
#include "backends/libaio.hpp"

#include "backends/probe_util.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <libaio.h>
#include <memory>
#include <poll.h>
#include <sys/socket.h>
#include <system_error>
#include <vector>

namespace iobench {

namespace {

// Marks a socket op whose readiness was spurious: re-arm its poll.
constexpr int64_t rearm = INT64_MIN;

bool is_socket_op(op_kind k) { return k != op_kind::read && k != op_kind::write && k != op_kind::fsync; }

short wanted_events(op_kind k) { return k == op_kind::recv || k == op_kind::accept ? POLLIN : POLLOUT; }

std::string io_setup_reason(int err, unsigned nr) {
    std::string what = "io_setup(" + std::to_string(nr) + ")";
    if (err == EAGAIN)
        return what + " exceeds the system-wide AIO event limit: raise /proc/sys/fs/aio-max-nr or lower the depth (EAGAIN)";
    if (err == ENOSYS) return what + ": kernel built without native AIO, CONFIG_AIO (ENOSYS)";
    return what + ": " + errno_text(err);
}

// Owns an io_context_t. io_destroy waits for every in-flight request, so
// declare buffers the kernel may still write to before this.
struct aio_context {
    io_context_t ctx = nullptr;
    aio_context() = default;
    aio_context(const aio_context&) = delete;
    aio_context& operator=(const aio_context&) = delete;
    ~aio_context() {
        if (ctx) ::io_destroy(ctx);
    }
    int setup(unsigned nr) { return ::io_setup(static_cast<int>(nr), &ctx); }  // 0 or -errno
};

class libaio_backend final : public backend {
public:
    explicit libaio_backend(const backend_options& o)
        : backend("libaio", libaio_caps, o), ops_(depth_), iocbs_(depth_), events_(depth_) {
        free_.reserve(depth_);
        for (uint32_t i = depth_; i-- > 0;) free_.push_back(i);
        pending_.reserve(depth_);
        rearm_.reserve(depth_);
        // libaio returns -errno and leaves errno alone.
        if (int r = ctx_.setup(depth_); r < 0)
            throw std::system_error(-r, std::system_category(), "libaio: " + io_setup_reason(-r, depth_));
    }

    std::string describe() const override {
        return "io_submit/io_getevents, ctx depth " + std::to_string(depth_) +
               ", one io_submit per submit(); sockets via IOCB_CMD_POLL + non-blocking syscall";
    }

private:
    // Buffered (non-O_DIRECT) file I/O is accepted and run, but on this kernel
    // io_submit performs it synchronously inside the call (KERNEL-FACTS §9):
    // only O_DIRECT is really asynchronous here. The harness notes that.
    // Each op yields exactly one completion (ops the kernel refused go to
    // the front's local queue).
    int on_submit(std::span<const io_op> ops, size_t& taken) override {
        for (const io_op& op : ops) {
            if (free_.empty()) {  // unreachable: the front keeps to depth
                complete_local(op.token, -EBUSY);
                continue;
            }
            const uint32_t s = free_.back();
            free_.pop_back();
            ops_[s] = op;
            iocb& cb = iocbs_[s];
            const auto off = static_cast<long long>(op.offset);
            switch (op.kind) {
            case op_kind::read: io_prep_pread(&cb, op.fd, op.buf, op.len, off); break;
            case op_kind::write: io_prep_pwrite(&cb, op.fd, op.buf, op.len, off); break;
            // ext4 may reject aio fdsync with -EINVAL: that arrives as the op's result.
            case op_kind::fsync: io_prep_fdsync(&cb, op.fd); break;
            default: io_prep_poll(&cb, op.fd, wanted_events(op.kind)); break;
            }
            // connect is started here; only an EINPROGRESS connect waits for POLLOUT.
            if (op.kind == op_kind::connect) {
                if (const int r = start_connect(op); r != -EINPROGRESS) {
                    complete_now(s, r);
                    continue;
                }
            }
            pending_.push_back(&cb);
        }
        submit_list(pending_);
        pending_.clear();
        taken = ops.size();
        return static_cast<int>(ops.size());
    }

    // One io_getevents: waits for `min` events at most `timeout`.
    harvest on_reap(std::span<io_completion> out, unsigned min, const timespec* timeout) override {
        // Nothing in the kernel means nothing can arrive: do not sleep on it.
        if (in_kernel_ == 0) return {0, true};
        const long room = static_cast<long>(std::min(out.size(), events_.size()));
        const long want = std::min(static_cast<long>(min), room);
        timespec ts{};
        timespec* tsp = timeout ? &(ts = *timeout) : nullptr;
        const int r = ::io_getevents(ctx_.ctx, want, room, events_.data(), tsp);
        if (r == -EINTR) return {0, false};  // a signal: the front waits again
        if (r < 0) return {r, false};
        size_t n = 0;
        for (int i = 0; i < r; ++i) finish(events_[static_cast<size_t>(i)], out, n);
        if (!rearm_.empty()) {
            submit_list(rearm_);
            rearm_.clear();
        }
        return {static_cast<int>(n), r < want};
    }

    uint32_t slot_of(const iocb* cb) const { return static_cast<uint32_t>(cb - iocbs_.data()); }

    void complete_now(uint32_t s, int64_t res) {
        complete_local(ops_[s].token, res);
        free_.push_back(s);
    }

    // io_submit everything in `list`, coping with partial submission, EAGAIN
    // and per-op rejections, so that no op is lost.
    void submit_list(std::vector<iocb*>& list) {
        size_t i = 0;
        retry_state again;
        while (i < list.size()) {
            const int r = ::io_submit(ctx_.ctx, static_cast<long>(list.size() - i), list.data() + i);
            ++counters_.submit_calls;
            if (r > 0) {  // may be fewer than asked: go on with the rest
                i += static_cast<size_t>(r);
                in_kernel_ += static_cast<unsigned>(r);
                again = {};
            } else if (r == -EAGAIN || r == 0) {
                // No free request slot for a moment: retry (bounded), then fail the rest.
                if (retry(again)) continue;
                for (; i < list.size(); ++i) complete_now(slot_of(list[i]), -EAGAIN);
            } else {
                // io_submit fails the whole call only when the FIRST iocb is
                // rejected (EBADF, EINVAL for an opcode the file lacks...):
                // that error is this op's result; submit the others.
                complete_now(slot_of(list[i]), r);
                ++i;
                again = {};
            }
        }
    }

    // On a blocking socket connect() finishes here, inside submit().
    static int start_connect(const io_op& op) {
        const int r = ::connect(op.fd, static_cast<const sockaddr*>(op.buf), static_cast<socklen_t>(op.len));
        if (r == 0) return 0;
        // EINTR leaves the connect running, like EINPROGRESS: wait for POLLOUT.
        return errno == EINTR || errno == EINPROGRESS ? -EINPROGRESS : -errno;
    }

    // After POLL reported readiness: the syscall itself, without blocking.
    static int64_t socket_op(const io_op& op, int64_t mask) {
        // GOTCHA: libaio POLL's res is the raw wake mask (0xc3 for POLLIN on
        // TCP), not masked by the request: keep what was asked, errors, hangup.
        if ((mask & (wanted_events(op.kind) | POLLERR | POLLHUP)) == 0) return rearm;
        ssize_t r = -1;
        do {
            switch (op.kind) {
            case op_kind::recv: r = ::recv(op.fd, op.buf, op.len, MSG_DONTWAIT); break;
            case op_kind::send: r = ::send(op.fd, op.buf, op.len, MSG_DONTWAIT | MSG_NOSIGNAL); break;
            // After POLLIN a single reaper's accept does not block, even on a
            // blocking listener (unless another process takes the connection).
            case op_kind::accept: r = ::accept4(op.fd, nullptr, nullptr, SOCK_CLOEXEC); break;
            case op_kind::connect: {
                int err = 0;
                socklen_t len = sizeof err;
                if (::getsockopt(op.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return -errno;
                return -err;
            }
            default: return -EINVAL;
            }
        } while (r < 0 && errno == EINTR);
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return rearm;
        return r < 0 ? -errno : r;
    }

    void finish(const io_event& ev, std::span<io_completion> out, size_t& n) {
        const uint32_t s = slot_of(ev.obj);
        --in_kernel_;
        const io_op& op = ops_[s];
        auto res = static_cast<int64_t>(static_cast<long>(ev.res));  // negative = -errno
        if (res >= 0 && is_socket_op(op.kind)) res = socket_op(op, res);
        if (res == rearm) {
            io_prep_poll(&iocbs_[s], op.fd, wanted_events(op.kind));
            rearm_.push_back(&iocbs_[s]);
            return;
        }
        out[n++] = {op.token, res, 0, 0, nullptr};
        free_.push_back(s);
    }

    std::vector<io_op> ops_;      // per slot: the op as prepared
    std::vector<iocb> iocbs_;     // per slot: its kernel request
    std::vector<io_event> events_;
    std::vector<uint32_t> free_;  // free slot stack
    std::vector<iocb*> pending_;  // prepared, not yet submitted
    std::vector<iocb*> rearm_;    // socket polls to submit again
    unsigned in_kernel_ = 0;      // submitted, event not yet reaped
    aio_context ctx_;  // last: destroyed first, waiting out in-flight requests
};

probe_result probe_poll(io_context_t ctx) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return probe_result::no("libaio: socketpair: " + errno_text(errno));
    const unique_fd a(sv[0]), b(sv[1]);
    iocb cb{};
    io_prep_poll(&cb, a.get(), POLLIN);
    iocb* list[1] = {&cb};
    if (const int r = ::io_submit(ctx, 1, list); r != 1)
        return probe_result::no("libaio: io_submit of IOCB_CMD_POLL: " + errno_text(-r));
    if (::write(b.get(), "x", 1) != 1) return probe_result::no("libaio: write to socketpair: " + errno_text(errno));
    io_event ev{};
    timespec ts{5, 0};
    int r;
    do r = ::io_getevents(ctx, 1, 1, &ev, &ts);
    while (r == -EINTR);
    if (r != 1) return probe_result::no(r < 0 ? "libaio: io_getevents: " + errno_text(-r) : "libaio: IOCB_CMD_POLL did not complete in 5 s");
    const auto res = static_cast<long>(ev.res);
    if (res < 0) return probe_result::no("libaio: IOCB_CMD_POLL on a socket: " + errno_text(static_cast<int>(-res)));
    if (!(res & POLLIN)) return probe_result::no("libaio: IOCB_CMD_POLL did not report POLLIN");
    return probe_result::yes();
}

}  // namespace

probe_result probe_libaio(const probe_context& pc) {
    // The buffer outlives the context: io_destroy waits for a read still running.
    void* raw = nullptr;
    if (::posix_memalign(&raw, 4096, 4096) != 0) return probe_result::no("libaio: cannot allocate a probe buffer");
    const std::unique_ptr<void, decltype(&std::free)> buf(raw, &std::free);
    aio_context c;
    if (const int r = c.setup(1); r < 0) return probe_result::no("libaio: " + io_setup_reason(-r, 1));
    if (pc.target == io_target::socket) return probe_poll(c.ctx);

    std::string why;
    const unique_fd fd = open_probe_file(pc, why);
    if (!fd) return probe_result::no("libaio: " + why);
    iocb cb{};
    io_prep_pread(&cb, fd.get(), buf.get(), 4096, 0);
    iocb* list[1] = {&cb};
    const char* kind = pc.direct ? "an O_DIRECT 4 KiB read" : "a 4 KiB read";
    if (const int r = ::io_submit(c.ctx, 1, list); r != 1)
        return probe_result::no(std::string("libaio: io_submit of ") + kind + ": " + errno_text(-r));
    io_event ev{};
    timespec ts{5, 0};
    int r;
    do r = ::io_getevents(c.ctx, 1, 1, &ev, &ts);
    while (r == -EINTR);
    if (r != 1)
        return probe_result::no(r < 0 ? "libaio: io_getevents: " + errno_text(-r)
                                      : std::string("libaio: ") + kind + " did not complete in 5 s");
    if (const auto res = static_cast<long>(ev.res); res < 0)
        return probe_result::no(std::string("libaio: ") + kind + " failed: " + errno_text(static_cast<int>(-res)));
    return probe_result::yes();
}

std::unique_ptr<backend> make_libaio(const backend_options& o) { return std::make_unique<libaio_backend>(o); }

}  // namespace iobench
