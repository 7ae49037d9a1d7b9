// epoll backend (placeholder header: being written).
#pragma once

#include "backends/registry.hpp"

namespace iobench {

inline constexpr uint32_t epoll_caps = 0;

probe_result probe_epoll(const probe_context&);
std::unique_ptr<backend> make_epoll(const backend_options&);

}  // namespace iobench
