// io_uring backend (placeholder header: being written). One class, three modes.
#pragma once

#include "backends/registry.hpp"

namespace iobench {

inline constexpr uint32_t io_uring_caps = 0;
inline constexpr uint32_t io_uring_sqpoll_caps = 0;
inline constexpr uint32_t io_uring_iopoll_caps = 0;

probe_result probe_io_uring(const probe_context&);
probe_result probe_io_uring_sqpoll(const probe_context&);
probe_result probe_io_uring_iopoll(const probe_context&);
std::unique_ptr<backend> make_io_uring(const backend_options&);
std::unique_ptr<backend> make_io_uring_sqpoll(const backend_options&);
std::unique_ptr<backend> make_io_uring_iopoll(const backend_options&);

}  // namespace iobench
