// iobench's GPollFunc for `--server lws`: GLib asks "which of these fds are
// ready" once per main-loop iteration, and the backend under test answers.
// Readiness only: the caller (lws) then does its own accept/recv/send.
#pragma once

#include "backends/backend_types.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <glib.h>

namespace iobench {

class glib_poller {
public:
    virtual ~glib_poller() = default;
    virtual std::string describe() const = 0;
    // Same contract as poll(2) (GPollFD has pollfd's layout on Linux):
    // fills revents, returns how many have some, -1 with errno on failure.
    virtual int poll(GPollFD* fds, unsigned n, int timeout_ms) = 0;

    // Makes this the poll function of `ctx`; call on the thread that will run
    // the context (GPollFunc carries no user pointer, so the poller is found
    // through a thread_local).
    void install(GMainContext* ctx);
    backend_counters counters() const;  // safe from any thread

protected:
    std::atomic<uint64_t> polls_{0}, submits_{0}, cqes_{0};
};

// epoll (epoll_wait), blocking (poll(2)), io_uring and io_uring_sqpoll
// (IORING_OP_POLL_ADD, one-shot per fd per iteration), libaio (IOCB_CMD_POLL,
// likewise). Throws unsupported_error for any other backend or when the
// kernel refuses the setup.
std::unique_ptr<glib_poller> make_glib_poller(const std::string& backend, unsigned max_fds, const backend_options& o);

}  // namespace iobench
