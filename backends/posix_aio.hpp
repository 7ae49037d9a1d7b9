// posix_aio backend (placeholder header: being written).
#pragma once

#include "backends/registry.hpp"

namespace iobench {

inline constexpr uint32_t posix_aio_caps = 0;

probe_result probe_posix_aio(const probe_context&);
std::unique_ptr<backend> make_posix_aio(const backend_options&);

}  // namespace iobench
