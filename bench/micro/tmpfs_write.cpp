// 4 KiB writes to a pre-written file in /dev/shm (tmpfs) at QD1: a write
// path with no block layer and no writeback, only the backend's cost.
#include "bench/micro/storage_loop.hpp"

namespace iobench::micro {

void register_tmpfs_write(const backend_entry& e) {
    storage_case c;
    c.kind = op_kind::write;
    c.path = &scratch().shm;
    register_storage("write_4k_tmpfs/qd:1/" + std::string(e.name), e, probe_file(e, scratch().shm), c);
}

}  // namespace iobench::micro
