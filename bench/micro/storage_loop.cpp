// The storage round trip, in the engine's shape (harness/storage/
// storage_engine.cpp): prepare, submit in chunks of batch, reap, refill.
// No clock reads of its own: Google Benchmark times the loop.
#include "bench/micro/storage_loop.hpp"

#include "backends/probe_util.hpp"
#include "backends/unique_fd.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <memory>
#include <unistd.h>
#include <vector>

namespace iobench::micro {

namespace {

constexpr auto reap_timeout = std::chrono::seconds(5);

struct aligned_free {
    void operator()(void* p) const { std::free(p); }
};

// Random block offsets over the scratch file (xorshift: a few instructions per op).
class offsets {
public:
    explicit offsets(uint64_t seed) : x_(seed * 0x9E3779B97F4A7C15ull + 1) {}
    uint64_t next() {
        x_ ^= x_ << 13;
        x_ ^= x_ >> 7;
        x_ ^= x_ << 17;
        return (x_ % (scratch_len / block_size)) * block_size;
    }

private:
    uint64_t x_;
};

void run_storage(benchmark::State& st, const backend_entry& e, const storage_case& c) {
    const bool per_thread = e.caps & cap_one_op_per_thread;
    const unsigned depth = per_thread ? 1 : c.depth;
    const unsigned chunk = std::clamp(c.batch, 1u, depth);
    backend_options o;
    o.depth = depth;
    o.batch = c.batch;
    o.registered_files = c.registered_files;
    o.fixed_buffers = c.fixed_buffers;
    std::unique_ptr<backend> be;
    std::vector<unique_fd> fds;
    std::vector<int> raw;
    std::unique_ptr<unsigned char, aligned_free> arena;
    try {
        be = e.create(o);
        // glibc AIO runs one fd's requests one after another: one fd per slot.
        const unsigned nfds = (e.caps & cap_fd_per_slot) ? depth : 1;
        const int flags = (c.kind == op_kind::read ? O_RDONLY : O_RDWR) | O_CLOEXEC;
        for (unsigned i = 0; i < nfds; ++i) {
            unique_fd fd(::open(c.path->c_str(), flags));
            if (!fd) throw std::system_error(errno, std::system_category(), "open " + *c.path);
            raw.push_back(fd.get());
            fds.push_back(std::move(fd));
        }
        void* mem = nullptr;
        if (::posix_memalign(&mem, 4096, size_t{depth} * block_size) != 0) throw std::bad_alloc();
        arena.reset(static_cast<unsigned char*>(mem));
        std::fill_n(arena.get(), size_t{depth} * block_size, static_cast<unsigned char>(0x5a));
        const iovec iov{arena.get(), size_t{depth} * block_size};
        be->attach({raw, {&iov, 1}});
    } catch (const std::exception& ex) {
        st.SkipWithError(ex.what());
        return;
    }
    offsets off(static_cast<uint64_t>(st.thread_index()) + 1);
    auto op_for = [&](uint64_t slot) {
        return io_op{c.kind, 0, 0, raw[slot % raw.size()], arena.get() + slot * block_size, block_size, off.next(), slot};
    };
    std::vector<io_op> pending;
    pending.reserve(depth);
    std::vector<io_completion> done(depth);
    bool failed = false;
    auto fail = [&](const std::string& why) {
        failed = true;
        st.SkipWithError(why.c_str());
    };
    unsigned in_kernel = 0;
    auto flush = [&] {
        be->prepare(pending);
        const int r = be->submit();
        if (r < 0) fail("submit: " + errno_text(-r));
        else in_kernel += static_cast<unsigned>(pending.size());
        pending.clear();
        return r >= 0;
    };
    for (unsigned s = 0; s < depth && !failed; ++s) {
        pending.push_back(op_for(s));
        if (pending.size() == chunk || s + 1 == depth) flush();
    }
    unsigned ready = 0, next = 0;
    op_counters counters;
    counters.start(*be, st);
    if (!failed) for (auto _ : st) {
        if (next == ready) {
            const int n = be->reap(done, chunk - static_cast<unsigned>(pending.size()), reap_timeout);
            if (n <= 0) {
                fail(n < 0 ? "reap: " + errno_text(-n) : "backend stalled: nothing completed in 5 s");
                break;
            }
            ready = static_cast<unsigned>(n);
            in_kernel -= ready;
            next = 0;
        }
        const io_completion& got = done[next++];
        if (got.result != block_size) {
            fail(std::string(to_string(c.kind)) + " returned " +
                 (got.result < 0 ? errno_text(static_cast<int>(-got.result)) : std::to_string(got.result)));
            break;
        }
        pending.push_back(op_for(got.token));
        if (pending.size() == chunk && !flush()) break;
    }
    counters.finish(*be, st);
    st.SetItemsProcessed(st.iterations());
    st.SetBytesProcessed(st.iterations() * int64_t{block_size});
    // Drain what the kernel still holds before the buffers and fds go away.
    while (in_kernel > 0) {
        const int n = be->reap(done, in_kernel, reap_timeout);
        if (n <= 0) break;
        in_kernel -= std::min(in_kernel, static_cast<unsigned>(n));
    }
    for (int fd : raw) be->forget_fd(fd);
    be.reset();
}

}  // namespace

void register_storage(const std::string& name, const backend_entry& e, const probe_result& probe,
                      const storage_case& c) {
    auto* b = benchmark::RegisterBenchmark(name.c_str(), [&e, probe, c](benchmark::State& st) {
        if (!probe.ok) {
            st.SkipWithError(probe.reason.c_str());
            return;
        }
        run_storage(st, e, c);
    });
    defaults(b);
    if ((e.caps & cap_one_op_per_thread) && c.depth > 1) b->Threads(static_cast<int>(c.depth));
}

}  // namespace iobench::micro
