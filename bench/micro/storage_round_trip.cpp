// Page-cache read round trip: a 4 KiB pread-equivalent of a block of the
// pre-read scratch file, at QD 1, 8 and 32, batch 1 and 8. No device in the
// way: what is left is the backend's own submit+complete cost.
#include "bench/micro/storage_loop.hpp"

namespace iobench::micro {

void register_storage_round_trip(const backend_entry& e) {
    const probe_result probe = probe_file(e, scratch().disk);
    struct shape {
        unsigned depth, batch;
    };
    // Batch 8 at QD1 would be batch 1 again: left out.
    for (const shape s : {shape{1, 1}, shape{8, 1}, shape{8, 8}, shape{32, 1}, shape{32, 8}}) {
        storage_case c;
        c.kind = op_kind::read;
        c.path = &scratch().disk;
        c.depth = s.depth;
        c.batch = s.batch;
        register_storage("read_4k_pagecache/qd:" + std::to_string(s.depth) + "/batch:" + std::to_string(s.batch) +
                             "/" + std::string(e.name),
                         e, probe, c);
    }
}

}  // namespace iobench::micro
