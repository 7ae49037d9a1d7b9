// The backend interface's non-virtual front: the depth contract, the local
// completion queues, waiting to a deadline, bounded retries, token checks.
#include "backends/backend.hpp"

#include <algorithm>
#include <cerrno>
#include <sched.h>
#include <stdexcept>
#include <time.h>

namespace iobench {

std::string_view to_string(op_kind k) {
    switch (k) {
    case op_kind::read: return "read";
    case op_kind::write: return "write";
    case op_kind::fsync: return "fsync";
    case op_kind::recv: return "recv";
    case op_kind::send: return "send";
    case op_kind::accept: return "accept";
    case op_kind::connect: return "connect";
    }
    return "?";
}

std::string caps_to_string(uint32_t caps) {
    static constexpr std::pair<uint32_t, std::string_view> names[] = {
        {cap_files, "files"},
        {cap_sockets, "sockets"},
        {cap_kernel_async, "kernel_async"},
        {cap_batch, "batch"},
        {cap_busy_poll, "busy_poll"},
        {cap_needs_direct, "needs_direct"},
        {cap_one_op_per_thread, "thread_per_op"},
        {cap_fd_per_slot, "fd_per_slot"},
        {cap_multishot, "multishot"},
        {cap_provided_buffers, "provided_buffers"},
        {cap_zerocopy_send, "zerocopy_send"},
        {cap_registered_files, "registered_files"},
        {cap_fixed_buffers, "fixed_buffers"},
        {cap_accept_connect, "accept_connect"},
        {cap_blocking_fds, "blocking_fds"},
    };
    std::string out;
    for (auto [bit, name] : names) {
        if (caps & bit) {
            if (!out.empty()) out += ',';
            out += name;
        }
    }
    return out;
}

namespace {

using std::chrono::nanoseconds;

// The front's clock, for slow paths only (a short wake-up, a retry).
uint64_t mono_ns() {
    timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// The one timeout conversion. Negative, or over a year (nanoseconds::max()):
// no limit (nullptr).
const timespec* to_timespec(nanoseconds t, timespec& ts) {
    if (t.count() < 0 || t > std::chrono::hours(24 * 366)) return nullptr;
    ts.tv_sec = static_cast<time_t>(t.count() / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(t.count() % 1'000'000'000);
    return &ts;
}

const timespec no_wait{};

}  // namespace

backend::backend(std::string_view name, uint32_t caps, const backend_options& o, size_t extra_local)
    : depth_(std::max(o.depth, 1u)), name_(name), caps_(caps), refused_(depth_ + refusal_room),
      local_(depth_ + extra_local) {
    staged_.reserve(depth_);
}

void backend::add_buffer_group(uint16_t group, void* base, uint32_t buf_size, uint32_t count) {
    if (!pb_) pb_ = buffers();
    if (!pb_) no_provided_buffers();
    pb_->add_group(group, base, buf_size, count);
}

void backend::no_provided_buffers() {
    if (buffers()) throw std::logic_error(std::string(name_) + ": return_buffer before add_buffer_group");
    throw std::logic_error(std::string(name_) +
                           ": no provided buffers (cap_provided_buffers): add_buffer_group/return_buffer cannot be used");
}

void backend::local_overflow() const {
    throw std::logic_error(std::string(name_) + ": local completion queue full (a backend broke the depth contract)");
}

void backend::prepare(std::span<const io_op> ops) {
    for (const io_op& op : ops) {
        int err = 0;
        if (op.token & token_reserved_bit) err = EINVAL;
        else if (outstanding_ >= depth_) err = EBUSY;  // the caller broke the depth contract
        if (err == 0) {
            ++outstanding_;
            staged_.push_back(op);  // reserved to depth: never reallocates
        } else if (!refused_.push({op.token, -err, 0, 0, nullptr})) {
            // depth + refusal_room ops refused and none reaped: a caller that never reaps.
            throw std::logic_error(std::string(name_) + ": " + std::to_string(depth_ + refusal_room) +
                                   " ops refused (beyond depth or with token bit 63) and not reaped");
        }
    }
}

int backend::submit() {
    size_t taken = 0;
    const int r = on_submit(staged_, taken);
    taken = std::min(taken, staged_.size());
    staged_.erase(staged_.begin(), staged_.begin() + static_cast<long>(taken));  // no realloc
    return r;
}

void backend::count_finals(std::span<const io_completion> got) {
    for (const io_completion& c : got)
        if (!(c.flags & cqe_more) && outstanding_ > 0) --outstanding_;
}

int backend::reap(std::span<io_completion> out, unsigned min, nanoseconds timeout) {
    if (out.empty()) return 0;
    ++counters_.reap_calls;
    size_t n = refused_.take(out);  // not admitted: no final to count
    size_t counted = n;
    n += local_.take(out.subspan(n));
    const size_t want = std::min<size_t>(min, out.size());
    if (n == out.size() || (n >= want && n > 0)) {
        count_finals(out.subspan(counted, n - counted));
        return static_cast<int>(n);
    }
    timespec ts{};
    const timespec* limit = to_timespec(timeout, ts);
    uint64_t deadline = 0;
    for (;;) {
        count_finals(out.subspan(counted, n - counted));
        counted = n;
        // Nothing the backend holds can complete: do not sleep on it.
        if (outstanding_ <= staged_.size()) break;
        const auto need = static_cast<unsigned>(want > n ? want - n : 0);
        const harvest h = on_reap(out.subspan(n), need, need ? limit : &no_wait);
        if (h.count < 0) {
            if (n == 0) return h.count;
            break;
        }
        n += static_cast<size_t>(h.count);
        n += local_.take(out.subspan(n));
        if (n >= want || n == out.size() || need == 0 || h.expired || timeout.count() == 0) break;
        if (!limit) continue;  // no time limit: wait again
        // A wake-up that brought too little. Only on this slow path is the
        // clock read: the deadline runs from the first early wake-up, so one
        // call waits at most ~2x timeout.
        const uint64_t now = mono_ns();
        if (deadline == 0) deadline = now + static_cast<uint64_t>(timeout.count());
        else if (now >= deadline) break;
        limit = to_timespec(nanoseconds(deadline - now), ts);
    }
    count_finals(out.subspan(counted, n - counted));
    return static_cast<int>(n);
}

bool backend::retry(retry_state& st, bool yield) {
    ++st.tries;
    bool again = st.tries < retry_tries;
    if (again && st.tries >= 2) {
        const uint64_t now = mono_ns();
        if (st.tries == 2) st.start_ns = now;
        else again = now - st.start_ns < static_cast<uint64_t>(nanoseconds(retry_time).count());
    }
    if (!again) {
        ++counters_.retry_giveups;
        return false;
    }
    if (yield) ::sched_yield();
    return true;
}

}  // namespace iobench
