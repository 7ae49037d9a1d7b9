// blocking backend: the syscall runs in submit(); reap() hands back the
// completions parked there. The baseline every other model is compared to.
#include "backends/blocking.hpp"

#include "backends/probe_util.hpp"

#include <cerrno>
#include <sys/socket.h>
#include <unistd.h>

namespace iobench {

namespace {

class blocking_backend final : public backend {
public:
    // depth is per instance: the harness runs N instances for depth N, but
    // a larger depth lets a caller queue a few at once.
    explicit blocking_backend(const backend_options& o) : backend("blocking", blocking_caps, o) {}

    std::string describe() const override {
        return "one synchronous syscall per op, one op per thread (batch does not apply)";
    }

private:
    // The syscalls run here; reap() hands back what they returned.
    int on_submit(std::span<const io_op> ops, size_t& taken) override {
        for (const io_op& op : ops) complete_local(op.token, run(op));
        ++counters_.submit_calls;
        taken = ops.size();
        return static_cast<int>(ops.size());
    }

    // Everything submitted has already completed: nothing to wait for.
    harvest on_reap(std::span<io_completion>, unsigned, const timespec*) override { return {}; }

    static int64_t run(const io_op& op) {
        ssize_t r = -1;
        do {
            switch (op.kind) {
            case op_kind::read: r = ::pread(op.fd, op.buf, op.len, static_cast<off_t>(op.offset)); break;
            case op_kind::write: r = ::pwrite(op.fd, op.buf, op.len, static_cast<off_t>(op.offset)); break;
            case op_kind::fsync: r = ::fdatasync(op.fd); break;
            case op_kind::recv: r = ::recv(op.fd, op.buf, op.len, 0); break;
            case op_kind::send: r = ::send(op.fd, op.buf, op.len, MSG_NOSIGNAL); break;
            case op_kind::accept: r = ::accept4(op.fd, nullptr, nullptr, SOCK_CLOEXEC); break;
            case op_kind::connect:
                r = ::connect(op.fd, static_cast<const sockaddr*>(op.buf), static_cast<socklen_t>(op.len));
                break;
            }
        } while (r < 0 && errno == EINTR);
        return r < 0 ? -errno : r;
    }
};

}  // namespace

probe_result probe_blocking(const probe_context& ctx) {
    if (ctx.target == io_target::socket) return probe_result::yes();
    std::string why;
    if (!open_probe_file(ctx, why)) return probe_result::no("blocking: " + why);
    return probe_result::yes();
}

std::unique_ptr<backend> make_blocking(const backend_options& o) { return std::make_unique<blocking_backend>(o); }

}  // namespace iobench
