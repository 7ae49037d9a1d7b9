// io_uring backend (liburing): one io_uring_backend class with three ring
// modes, registered as io_uring (interrupt), io_uring_sqpoll and io_uring_iopoll.
#pragma once

#include "backends/registry.hpp"

namespace iobench {

// Interrupt-driven: SINGLE_ISSUER|DEFER_TASKRUN|SUBMIT_ALL; files and sockets,
// multishot accept/recv, provided buffer rings, send_zc.
inline constexpr uint32_t io_uring_caps = cap_files | cap_sockets | cap_kernel_async | cap_batch | cap_multishot |
                                          cap_provided_buffers | cap_zerocopy_send | cap_registered_files |
                                          cap_fixed_buffers | cap_accept_connect;
// SQPOLL: same abilities; a kernel thread polls the SQ (and burns a core).
inline constexpr uint32_t io_uring_sqpoll_caps = io_uring_caps | cap_busy_poll;
// IOPOLL: polled block-device completions, O_DIRECT files only.
inline constexpr uint32_t io_uring_iopoll_caps = cap_files | cap_kernel_async | cap_batch | cap_busy_poll |
                                                 cap_needs_direct | cap_registered_files | cap_fixed_buffers;

probe_result probe_io_uring(const probe_context&);
probe_result probe_io_uring_sqpoll(const probe_context&);
probe_result probe_io_uring_iopoll(const probe_context&);
std::unique_ptr<backend> make_io_uring(const backend_options&);
std::unique_ptr<backend> make_io_uring_sqpoll(const backend_options&);
std::unique_ptr<backend> make_io_uring_iopoll(const backend_options&);

}  // namespace iobench
