// blocking: plain pread/pwrite/fdatasync and recv/send/accept/connect, run
// inline in submit(). One op in flight per instance: the harness gives each
// of N threads its own instance for depth N (thread-per-connection for sockets).
#pragma once

#include "backends/registry.hpp"

namespace iobench {

inline constexpr uint32_t blocking_caps =
    cap_files | cap_sockets | cap_one_op_per_thread | cap_accept_connect | cap_blocking_fds;

probe_result probe_blocking(const probe_context&);
std::unique_ptr<backend> make_blocking(const backend_options&);

}  // namespace iobench
