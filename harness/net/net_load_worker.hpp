// The load generator's insides: the state its threads share and one worker
// loop (a backend of its own plus a share of the connections, each with its
// workload's client session). See net_load.cpp.
#pragma once

#include "backends/registry.hpp"
#include "backends/unique_fd.hpp"
#include "harness/net/net_load.hpp"
#include "harness/run/interval_timeline.hpp"
#include "workloads/net_workload.hpp"

#include <atomic>
#include <latch>
#include <memory>
#include <mutex>
#include <string>
#include <sys/resource.h>
#include <vector>

namespace iobench::load_detail {

inline constexpr uint64_t drain_ns = 1'000'000'000;  // in-flight requests get this long after the deadline

// Everything the threads share. Times are CLOCK_MONOTONIC ns, set before `go`.
struct shared_state {
    shared_state(unsigned workers, const net_workload& w) : workload(w), ready(workers) {}
    const net_workload& workload;  // resolved once by run_load
    std::latch ready, go{1}, may_close{1};
    std::atomic<unsigned> drained{0};
    std::atomic<bool> abort{false};
    std::atomic<unsigned> live{0};
    uint64_t start_ns = 0, measure_ns = 0, stop_ns = 0;
    timeline_shape timeline;  // each worker's interval slots
    std::mutex mu;
    std::string error;  // first fatal error
    std::vector<int> all_fds;  // for the watchdog's shutdown; closed only after may_close

    void fail(std::string why) {
        {
            std::lock_guard g(mu);
            if (error.empty()) error = std::move(why);
        }
        abort.store(true, std::memory_order_relaxed);
    }
};

struct conn_state {
    unique_fd fd;
    uint32_t id = 0;          // global connection number
    bool dead = false, send_busy = false, recv_busy = false;
    bool reconnect = false;   // the server said it hangs up: open a new connection before the next request
    bool connecting = false;  // a reconnect's connect op is in flight
    const uint8_t* tx = nullptr;  // the requests being sent (the session's)
    uint32_t tx_len = 0, tx_done = 0;
    byte_window rx;           // where the next reply bytes go
    bool one_way = false;     // no reply comes: a request is done once sent
    uint64_t* stamps = nullptr;  // `pipeline` send stamps (intended times in open loop), FIFO
    unsigned head = 0, outstanding = 0;
    uint64_t next_due = 0;
    std::unique_ptr<client_session> session;
};

class load_worker {
public:
    load_worker(const load_options& o, const backend_entry& e, shared_state& sh, uint32_t first, uint32_t count)
        : o_(o), entry_(e), sh_(sh), first_(first), conns_(count) {}

    // Runs setup, the measured loop and the drain; the caller merges `result`.
    void run();

    load_result result;  // this worker's share
    uint64_t stopped_ns = 0;
    interval_recorder timeline;  // per-interval latency, requests, bytes, requests outstanding

private:
    void setup();
    void connect_all();
    void loop();
    void issue(conn_state& c, uint64_t now);
    void on_send(conn_state& c, int64_t res, uint64_t now);
    void on_recv(conn_state& c, int64_t res, uint64_t now);
    void complete_request(conn_state& c, uint64_t now);
    void integrate(uint64_t now);
    void check_stop(uint64_t now);
    void censor_outstanding(uint64_t end);
    void conn_error(conn_state& c, const char* what, int64_t res);
    unique_fd open_socket() const;
    void reopen(conn_state& c);
    void on_connect(conn_state& c, int64_t res);
    void post_recv(conn_state& c);
    void push(op_kind k, conn_state& c, const void* buf, uint32_t len, uint64_t kind);
    bool flush();
    bool in_window(uint64_t now) const { return now >= sh_.measure_ns && now < sh_.stop_ns; }
    bool idle(const conn_state& c) const {
        return !c.dead && !c.send_busy && !c.recv_busy && !c.connecting && c.outstanding == 0;
    }

    const load_options& o_;
    const backend_entry& entry_;
    shared_state& sh_;
    uint32_t first_;
    std::vector<conn_state> conns_;
    std::unique_ptr<backend> be_;
    std::vector<uint64_t> stamps_;
    std::vector<io_op> staged_;
    std::vector<io_completion> cqes_;
    unsigned in_flight_ = 0, live_ = 0;
    unsigned requests_out_ = 0;  // requests sent (or due) and not yet answered, over every connection
    uint64_t last_t_ = 0, stop_at_ = 0;
    bool overlap_ = true;    // send and recv in flight together (not with a thread per op or glibc's per-fd queue)
    bool op_delay_ = false;  // IOBENCH_TEST_FAULT=op_delay_us (test-only): off, this one branch is all it costs
    bool stopping_ = false, measuring_ = false;
    uint64_t interval_ns_ = 0;  // open loop: between intended sends on one connection
    rusage ru0_{};
};

}  // namespace iobench::load_detail
