// The storage round trip every storage family runs: keep `depth` 4 KiB ops
// in flight on one backend, submit refills in chunks of `batch`, one
// benchmark iteration per completed op (so time per iteration is time per op).
// Names end in the backend, as the gbench export's do (FAMILY/PARAMS.../BACKEND).
#pragma once

#include "bench/micro/micro_common.hpp"

namespace iobench::micro {

struct storage_case {
    op_kind kind = op_kind::read;
    const std::string* path = nullptr;  // one of scratch()'s files
    unsigned depth = 1;
    unsigned batch = 1;
    bool registered_files = false;
    bool fixed_buffers = false;
};

// Registers `name` running `c` on `e`, or a benchmark that skips with the
// probe's reason. Thread-per-op backends (blocking) get depth threads with
// one op each, as the storage engine runs them.
void register_storage(const std::string& name, const backend_entry& e, const probe_result& probe,
                      const storage_case& c);

}  // namespace iobench::micro
