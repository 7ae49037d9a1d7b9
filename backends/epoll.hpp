// epoll: readiness turned into completions (Seastar's reactor style). Sockets
// and pipes only: regular files are always "ready", so epoll cannot wait for disk.
#pragma once

#include "backends/registry.hpp"

namespace iobench {

/**
 * How it runs:
 *  - submit() tries each op's syscall at once (recv/send with MSG_DONTWAIT,
 *    accept4(SOCK_NONBLOCK|SOCK_CLOEXEC), connect, read/write); a result or an
 *    error other than EAGAIN/EINPROGRESS becomes a completion for reap().
 *  - On EAGAIN the op waits on its fd (one FIFO per direction). An fd is added
 *    to epoll once, with EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET, and never
 *    modified: no epoll_ctl per op. reap() runs epoll_pwait2 and retries the
 *    waiting ops of each ready fd until EAGAIN.
 *  - After a short transfer on a stream socket the next op waits for an edge
 *    instead of trying first (the queue was drained or the buffer filled).
 *  - connect: EINPROGRESS waits for EPOLLOUT, then SO_ERROR gives the result.
 *  - op_multishot on accept: each new fd is a completion with cqe_more until
 *    an error or cancel(token) (-ECANCELED, no cqe_more) ends it.
 *  - fsync, and read/write on fds epoll refuses (regular files): -EOPNOTSUPP.
 *
 * What the caller must do:
 *  - Hand over non-blocking fds. An fd without O_NONBLOCK fails its ops with
 *    -EINVAL (checked once per fd, when it is first seen).
 *  - Call forget_fd(fd) before closing an fd (no ops pending on it), as the
 *    interface's contract says: that drops its registration (EPOLL_CTL_DEL)
 *    and what the backend knows about it, so the number can come back as a
 *    new file. The backend guesses nothing about fd identity: an fd closed
 *    without forget_fd and reused may leave ops on the new file waiting.
 */
inline constexpr uint32_t epoll_caps = cap_sockets | cap_batch | cap_multishot | cap_accept_connect;

probe_result probe_epoll(const probe_context&);
std::unique_ptr<backend> make_epoll(const backend_options&);

}  // namespace iobench
