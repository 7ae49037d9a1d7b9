// libaio backend (placeholder header: being written).
#pragma once

#include "backends/registry.hpp"

namespace iobench {

inline constexpr uint32_t libaio_caps = 0;

probe_result probe_libaio(const probe_context&);
std::unique_ptr<backend> make_libaio(const backend_options&);

}  // namespace iobench
