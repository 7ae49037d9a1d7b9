// Shared, non-virtual pieces of the backend interface.
#include "backends/backend.hpp"

#include <cerrno>
#include <stdexcept>

namespace iobench {

std::string_view to_string(op_kind k) {
    switch (k) {
    case op_kind::read: return "read";
    case op_kind::write: return "write";
    case op_kind::fsync: return "fsync";
    case op_kind::recv: return "recv";
    case op_kind::send: return "send";
    case op_kind::accept: return "accept";
    case op_kind::connect: return "connect";
    }
    return "?";
}

std::string caps_to_string(uint32_t caps) {
    static constexpr std::pair<uint32_t, std::string_view> names[] = {
        {cap_files, "files"},
        {cap_sockets, "sockets"},
        {cap_kernel_async, "kernel_async"},
        {cap_batch, "batch"},
        {cap_busy_poll, "busy_poll"},
        {cap_needs_direct, "needs_direct"},
        {cap_one_op_per_thread, "thread_per_op"},
        {cap_fd_per_slot, "fd_per_slot"},
        {cap_multishot, "multishot"},
        {cap_provided_buffers, "provided_buffers"},
        {cap_zerocopy_send, "zerocopy_send"},
        {cap_registered_files, "registered_files"},
        {cap_fixed_buffers, "fixed_buffers"},
        {cap_accept_connect, "accept_connect"},
        {cap_blocking_fds, "blocking_fds"},
    };
    std::string out;
    for (auto [bit, name] : names) {
        if (caps & bit) {
            if (!out.empty()) out += ',';
            out += name;
        }
    }
    return out;
}

void backend::add_buffer_group(uint16_t, void*, uint32_t, uint32_t) {
    throw std::logic_error(std::string(name()) + ": provided buffers are not supported");
}

void backend::return_buffer(uint16_t, uint16_t) {}

int backend::cancel(uint64_t) { return -ENOTSUP; }

}  // namespace iobench
