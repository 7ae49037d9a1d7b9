// libaio: Linux native AIO through io_setup/io_submit/io_getevents. Files are
// truly asynchronous only with O_DIRECT (buffered io_submit runs the I/O inline);
// sockets go through IOCB_CMD_POLL readiness plus a non-blocking syscall.
#pragma once

#include "backends/registry.hpp"

namespace iobench {

inline constexpr uint32_t libaio_caps =
    cap_files | cap_sockets | cap_kernel_async | cap_batch | cap_needs_direct | cap_accept_connect;

// Probes io_setup for real, then one 4 KiB read on the target file (O_DIRECT
// when asked) or one IOCB_CMD_POLL on a socketpair.
probe_result probe_libaio(const probe_context&);
// Throws std::system_error if io_setup fails (EAGAIN: /proc/sys/fs/aio-max-nr).
std::unique_ptr<backend> make_libaio(const backend_options&);

}  // namespace iobench
