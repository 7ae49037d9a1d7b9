// The one I/O backend interface: completion-based, batched, caller-owned ops.
// A non-virtual front (folly AsyncBase's template method) keeps the policy
// every model shares -- the depth contract, the queue of ops completed
// without the kernel, waiting to a deadline, bounded retries, token checks --
// and calls a few protected hooks that only talk to the kernel. Socket-only
// abilities are caps() bits, plus one optional extension (provided_buffers).
// Longer than a backend's header: it is the contract every backend and every
// caller reads, so it stays in one place.
#pragma once

#include "backends/backend_types.hpp"
#include "backends/completion_ring.hpp"

#include <cerrno>
#include <chrono>
#include <ctime>
#include <vector>

namespace iobench {

// The extension for op_buffer_select recv (cap_provided_buffers). A backend
// that has it returns it from buffers(); the others return nullptr.
class provided_buffers {
public:
    // `count` (a power of two) buffers of `buf_size` bytes at `base`, ids 0..count-1.
    virtual void add_group(uint16_t group, void* base, uint32_t buf_size, uint32_t count) = 0;
    // The caller is done with a buffer a cqe_buffer completion named.
    virtual void give_back(uint16_t group, uint16_t buf_id) = 0;

protected:
    ~provided_buffers() = default;
};

/**
 * Contract (the front enforces the first three):
 *  - Depth: at most options.depth ops are outstanding, from prepare() to
 *    their final completion (the one without cqe_more: a multishot op or a
 *    zero-copy send counts once). An op beyond that completes with -EBUSY
 *    through reap() and never reaches the backend: nothing aborts or grows.
 *    (Refusals wait in a fixed queue of depth + 64; a caller that overfills
 *    it without reaping gets std::logic_error.)
 *  - Tokens are < 2^63 (token_reserved_bit): others complete with -EINVAL.
 *  - prepare() queues ops (no syscall); submit() hands them to the kernel:
 *    >= 0 ops taken, or -errno. One virtual call per submit(), not per op.
 *  - reap() waits until at least `min` completions are available or
 *    `timeout` passes (negative: no limit; 0: no wait), fills `out`, and
 *    returns how many (0 on timeout) or -errno. It returns at once when
 *    nothing is in flight.
 *  - forget_fd(fd): the caller ALWAYS calls it before closing an fd it used
 *    with this backend, with no op pending on it, so the number can come back
 *    as a new file (epoll drops its registration here; no backend guesses).
 *  - Per-op failures are completions with result = -errno. Exceptions
 *    (std::system_error with a clear message) are for setup only; a
 *    provided-buffer call on a backend without them is a std::logic_error.
 *  - Backends never read the clock: the harness stamps submit and
 *    completion, and the front reads it only on slow paths (a wait that woke
 *    with too little, a retry), never per op.
 */
class backend {
public:
    virtual ~backend() = default;
    backend(const backend&) = delete;
    backend& operator=(const backend&) = delete;

    std::string_view name() const { return name_; }
    uint32_t caps() const { return caps_; }
    // One line on the setup that runs (flags, modes, notification) for results.
    virtual std::string describe() const = 0;

    void attach(const backend_resources& r) { on_attach(r); }
    // Provided buffers for op_buffer_select recv; std::logic_error without cap_provided_buffers.
    void add_buffer_group(uint16_t group, void* base, uint32_t buf_size, uint32_t count);
    void return_buffer(uint16_t group, uint16_t buf_id) {
        if (!pb_) no_provided_buffers();
        pb_->give_back(group, buf_id);
    }

    void prepare(std::span<const io_op> ops);
    int submit();
    int reap(std::span<io_completion> out, unsigned min, std::chrono::nanoseconds timeout);
    // Ask the kernel to stop an op (e.g. a multishot one): 0, -ENOENT or
    // -ENOTSUP. Its final completion (-ECANCELED, no cqe_more) still comes
    // through reap(). Tokens of ops in flight must be unique to name one op.
    int cancel(uint64_t token) { return (token & token_reserved_bit) ? -ENOENT : on_cancel(token); }
    void forget_fd(int fd) { on_forget_fd(fd); }

    backend_counters counters() const { return counters_; }

protected:
    // `name` must outlive the backend (a literal). `extra_local`: room in the
    // local completion queue beyond what the depth contract needs (epoll's
    // multishot accepts complete there).
    backend(std::string_view name, uint32_t caps, const backend_options& o, size_t extra_local = 0);

    // --- The hooks: what a backend writes (with describe(): 3 required, 4 optional). ---
    // Hand `ops` (already checked: within depth, valid tokens) to the
    // kernel, plus anything the backend holds back (re-arms). Sets `taken`
    // to how many of `ops` it now owns (the front keeps the rest for the
    // next submit) and returns what submit() returns: >= 0, or -errno.
    virtual int on_submit(std::span<const io_op> ops, size_t& taken) = 0;
    // Harvest what is ready into `out`; if fewer than `min`, wait once for
    // at most `*timeout` (nullptr: no limit) and harvest again. Never loops
    // on a wake-up that brought too little: the front does, to a deadline.
    struct harvest {
        int count = 0;         // completions written, or -errno
        bool expired = false;  // the wait ran its whole timeout, or nothing more can arrive
    };
    virtual harvest on_reap(std::span<io_completion> out, unsigned min, const timespec* timeout) = 0;
    virtual int on_cancel(uint64_t) { return -ENOTSUP; }
    virtual void on_forget_fd(int) {}
    virtual void on_attach(const backend_resources&) {}
    virtual provided_buffers* buffers() { return nullptr; }

    // --- What the front gives the hooks. ---
    // An op finished without a kernel completion: it comes out of reap().
    // The queue holds every op within depth plus extra_local; a backend
    // that pushes more is broken (std::logic_error, never a silent drop).
    void complete_local(uint64_t token, int64_t result, uint32_t flags = 0) {
        if (!local_.push({token, result, flags, 0, nullptr})) local_overflow();
    }
    // Room for a completion that is not an op's last (epoll's multishot
    // accepts) while still keeping a place for every op's final one.
    bool local_spare() const { return local_.room() > depth_; }
    size_t take_local(std::span<io_completion> out) { return local_.take(out); }

    // Bounded retry of a transient failure (EAGAIN, EINTR, a full queue):
    // call after each failed try; true = try again (it yields first), false
    // = give up (counted in retry_giveups) after retry_tries tries or
    // retry_time, whichever comes first. The clock is read from the second
    // retry on, so a first retry costs nothing.
    struct retry_state {
        unsigned tries = 0;
        uint64_t start_ns = 0;
    };
    static constexpr unsigned retry_tries = 100;
    static constexpr unsigned refusal_room = 64;  // refused ops held for reap() beyond depth
    static constexpr std::chrono::milliseconds retry_time{100};
    bool retry(retry_state& st, bool yield = true);

    const unsigned depth_;
    backend_counters counters_;  // the backend keeps them; counters() returns a copy

private:
    [[noreturn]] void no_provided_buffers();
    [[noreturn]] void local_overflow() const;
    void count_finals(std::span<const io_completion> got);

    const std::string_view name_;
    const uint32_t caps_;
    provided_buffers* pb_ = nullptr;  // buffers(), looked up once at add_buffer_group
    std::vector<io_op> staged_;       // prepared, not yet taken by on_submit (at most depth)
    completion_ring refused_;         // ops refused at prepare (beyond depth, bad token): never admitted
    completion_ring local_;           // admitted ops completed without the kernel
    unsigned outstanding_ = 0;        // prepared and admitted, final completion not yet reaped
};

}  // namespace iobench
