// The transfer method table, in the order `--method all` runs them.
#include "workloads/transfer_method.hpp"

#include <iterator>

namespace iobench {

namespace {

constexpr transfer_method table[] = {
    {"read_send", "read into a user buffer, then send, both through the backend under test", "", 1, true,
     transfer_read_send},
    {"mmap_send", "mmap the file, send from the mapping", "blocking", 1, false, transfer_mmap_send},
    {"sendfile", "sendfile(2) file -> socket", "blocking", 1, true, transfer_sendfile},
    {"splice", "splice(2) file -> pipe -> socket", "blocking", 1, false, transfer_splice},
    {"tee", "splice file -> pipe, tee(2) to a second pipe, splice each to its own receiver", "blocking", 2, false,
     transfer_tee},
    {"io_uring_splice", "linked IORING_OP_SPLICE pairs file -> pipe -> socket", "io_uring", 1, false,
     transfer_uring_splice},
    {"io_uring_send_zc", "read into a ring of buffers, IORING_OP_SEND_ZC with REPORT_USAGE", "io_uring", 1, true,
     transfer_uring_send_zc},
    {"msg_zerocopy", "read into a ring of buffers, send(MSG_ZEROCOPY), completions from the error queue", "blocking",
     1, true, transfer_msg_zerocopy},
};

}  // namespace

const transfer_method* find_transfer_method(std::string_view name) {
    for (const transfer_method& m : table)
        if (m.name == name) return &m;
    return nullptr;
}

std::string transfer_method_names(std::string_view sep) {
    std::string s;
    for (const transfer_method& m : table) {
        if (!s.empty()) s += sep;
        s += m.name;
    }
    return s;
}

size_t transfer_method_count() { return std::size(table); }
const transfer_method& transfer_method_at(size_t i) { return table[i]; }

}  // namespace iobench
