// net_server internals shared by its serving models: the state every server
// thread reads and updates, and the two models' entry points.
#pragma once

#include "harness/net/net_server.hpp"
#include "workloads/net_workload.hpp"

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <string_view>
#include <sys/mman.h>
#include <sys/types.h>
#include <vector>

namespace iobench {

// Counters are published with relaxed atomics under `mu` about once a
// millisecond and whenever a connection comes or goes (the thread-per-connection
// model adds as it goes), read by stats().
struct server_shared {
    explicit server_shared(const server_options& o) : opts(o) {}

    const server_options opts;
    const net_workload* workload = nullptr;  // opts.workload's sessions
    int listen_fd = -1;
    std::atomic<bool> stopping{false};

    std::atomic<uint64_t> accepted{0}, live{0}, requests{0}, bytes_in{0}, bytes_out{0}, errors{0};
    std::atomic<uint64_t> accept_fd_errors{0};
    std::atomic<uint64_t> hoarders_closed{0};  // connections closed for pinning the buffer ring without reading  // accepts refused for want of fds (EMFILE, ENFILE)
    std::atomic<uint64_t> submit_calls{0}, enobufs_rearms{0}, cq_overflows{0}, zc_sends{0}, zc_copied{0};
    std::atomic<uint64_t> reap_calls{0}, enter_calls{0}, cqes{0};

    // posix_aio: the acceptor thread hands new fds to the loop here.
    std::mutex handoff_mu;
    std::vector<int> handoff;  // capacity reserved up front
    std::atomic<bool> handoff_ready{false};
    std::condition_variable handoff_cv;  // the loop sleeps here while it has nothing in flight

    std::mutex mu;  // guards what follows
    std::string setup, error;

    void add(std::atomic<uint64_t>& c, uint64_t n) { c.fetch_add(n, std::memory_order_relaxed); }
    void set_error(std::string why);
    void publish(const backend_counters& c);
};

// Anonymous memory: page-aligned (buffer rings need that) and only backed
// once touched, so a table sized for max_connections costs little idle.
struct anon_mapping {
    void* p = nullptr;
    size_t len = 0;
    anon_mapping() = default;
    anon_mapping(const anon_mapping&) = delete;
    anon_mapping& operator=(const anon_mapping&) = delete;
    ~anon_mapping() {
        if (p) ::munmap(p, len);
    }
    bool map(size_t n) {
        len = n ? n : 1;
        void* m = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        return (p = m == MAP_FAILED ? nullptr : m) != nullptr;
    }
    char* bytes() const { return static_cast<char*>(p); }
};

// The event loop (epoll, libaio, posix_aio, io_uring*): runs on the calling
// thread until `stopping`. Sets `ready` to "" once serving, or to the reason
// the backend could not be set up (and returns).
void run_event_loop(server_shared& s, std::promise<std::string>& ready);

}  // namespace iobench
