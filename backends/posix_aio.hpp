// posix_aio: glibc's POSIX AIO (aio_read/aio_write/aio_fsync, lio_listio
// batches). glibc runs every request on a user-space helper thread and
// serialises requests on one fd, so the harness gives each slot its own fd.
#pragma once

#include "backends/registry.hpp"

namespace iobench {

inline constexpr uint32_t posix_aio_caps = cap_files | cap_sockets | cap_batch | cap_fd_per_slot | cap_blocking_fds;

// Files: one real 4 KiB aio_read on the target, waited for with aio_suspend.
probe_result probe_posix_aio(const probe_context&);
// backend_options::notify picks aio_suspend, SIGEV_SIGNAL (SIGRTMIN+4, one
// process-wide SA_SIGINFO handler) or SIGEV_THREAD completion delivery.
std::unique_ptr<backend> make_posix_aio(const backend_options&);

}  // namespace iobench
