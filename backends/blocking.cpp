// blocking backend: the syscall runs in submit(); reap() hands back the
// completions parked there. The baseline every other model is compared to.
#include "backends/blocking.hpp"

#include "backends/probe_util.hpp"

#include <algorithm>
#include <cerrno>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace iobench {

namespace {

class blocking_backend final : public backend {
public:
    explicit blocking_backend(const backend_options& o) {
        // depth is per instance; the harness runs N instances for depth N,
        // but accept a larger depth so a caller may queue a few at once.
        queued_.reserve(o.depth);
        done_.reserve(o.depth);
    }

    std::string_view name() const override { return "blocking"; }
    uint32_t caps() const override { return blocking_caps; }
    std::string describe() const override { return "one synchronous syscall per op, one op per thread"; }

    void prepare(std::span<const io_op> ops) override { queued_.insert(queued_.end(), ops.begin(), ops.end()); }

    int submit() override {
        const int n = static_cast<int>(queued_.size());
        for (const io_op& op : queued_) done_.push_back({op.token, run(op), 0, 0, nullptr});
        queued_.clear();
        ++counters_.submit_calls;
        return n;
    }

    int reap(std::span<io_completion> out, unsigned, std::chrono::nanoseconds) override {
        // Everything submitted has already completed: nothing to wait for.
        const size_t n = std::min(out.size(), done_.size());
        std::copy_n(done_.begin(), n, out.begin());
        done_.erase(done_.begin(), done_.begin() + static_cast<long>(n));
        return static_cast<int>(n);
    }

    backend_counters counters() const override { return counters_; }

private:
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

    std::vector<io_op> queued_;
    std::vector<io_completion> done_;
    backend_counters counters_;
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
