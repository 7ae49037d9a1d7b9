// The registry: every backend iobench knows, in the order they are listed and
// run. Add a backend by adding its .hpp/.cpp pair and one line here.
#include "backends/registry.hpp"

#include "backends/blocking.hpp"
#include "backends/epoll.hpp"
#include "backends/io_uring.hpp"
#include "backends/libaio.hpp"
#include "backends/posix_aio.hpp"

namespace iobench {

namespace {
const backend_entry entries[] = {
    {"blocking", "pread/pwrite, recv/send; depth N = N threads", blocking_caps, probe_blocking, make_blocking},
    {"epoll", "readiness (edge-triggered) turned into completions; sockets only", epoll_caps, probe_epoll, make_epoll},
    {"posix_aio", "glibc aio_read/aio_write, lio_listio batches; helper threads", posix_aio_caps, probe_posix_aio, make_posix_aio},
    {"libaio", "io_submit/io_getevents; async only with O_DIRECT", libaio_caps, probe_libaio, make_libaio},
    {"io_uring", "liburing, interrupt-driven completions", io_uring_caps, probe_io_uring, make_io_uring},
    {"io_uring_sqpoll", "liburing, IORING_SETUP_SQPOLL kernel submission thread", io_uring_sqpoll_caps, probe_io_uring_sqpoll, make_io_uring_sqpoll},
    {"io_uring_iopoll", "liburing, IORING_SETUP_IOPOLL polled completions (O_DIRECT)", io_uring_iopoll_caps, probe_io_uring_iopoll, make_io_uring_iopoll},
};
}  // namespace

std::span<const backend_entry> registry() { return entries; }

const backend_entry* find_backend(std::string_view name) {
    for (const auto& e : entries)
        if (e.name == name) return &e;
    return nullptr;
}

}  // namespace iobench
