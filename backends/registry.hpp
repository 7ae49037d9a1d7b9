// The backend registry: one preference-ordered table of {name, probe, factory}.
// Adding a backend adds one line to registry.cpp.
#pragma once

#include "backends/backend.hpp"

#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace iobench {

enum class io_target : uint8_t { file, socket };

// What the probe should try: the kind of I/O and, for files, the real target.
struct probe_context {
    io_target target = io_target::file;
    std::string file_path;  // an existing file on the target filesystem; empty = a temp file in /tmp
    bool direct = true;     // O_DIRECT will be used
};

// ok, or the human reason why not (with the kernel's errno where there is one).
struct probe_result {
    bool ok = false;
    std::string reason;
    static probe_result yes() { return {true, {}}; }
    static probe_result no(std::string why) { return {false, std::move(why)}; }
};

struct backend_entry {
    std::string_view name;
    std::string_view summary;
    uint32_t caps;
    probe_result (*probe)(const probe_context&);
    std::unique_ptr<backend> (*create)(const backend_options&);
};

std::span<const backend_entry> registry();
const backend_entry* find_backend(std::string_view name);

}  // namespace iobench
