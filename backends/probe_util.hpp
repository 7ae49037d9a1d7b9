// Helpers the backends' probes share: a real target file to try flags on,
// and errno rendered as "EOPNOTSUPP: Operation not supported".
#pragma once

#include "backends/registry.hpp"
#include "backends/unique_fd.hpp"

#include <string>

namespace iobench {

// "ENAME: description" for a positive errno value.
std::string errno_text(int err);

// Opens the probe's target file read-only (O_DIRECT when ctx.direct). When the
// context names no file, creates a small temporary one in /tmp (unlinked at
// once). On failure returns an invalid fd and sets `why`.
unique_fd open_probe_file(const probe_context& ctx, std::string& why);

// The block device (e.g. "vda", "loop0") holding `path`, or "" if unknown.
std::string block_device_of(const std::string& path);

}  // namespace iobench
