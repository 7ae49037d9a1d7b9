// The storage target: an existing file or block device (--file), or a
// temporary file (--dir) removed when this object goes away. Files iobench
// creates are fully written with the verify pattern (never sparse) and carry
// an xattr naming the pattern seed, so --verify knows whether it can trust them.
#pragma once

#include "harness/system/interrupt.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace iobench {

struct test_file_spec {
    std::string file;  // use/create this path (kept afterwards)
    std::string dir;   // or create a temporary file here (removed afterwards)
    uint64_t size = 0;
    uint64_t seed = 0;
    bool need_pattern = false;  // --verify: contents must be the pattern for `seed`
};

class test_file {
public:
    // Creates, reuses or prefills the target; prints what it does to stderr.
    // Throws usage_error for bad input (missing dir, too small, no space).
    explicit test_file(const test_file_spec& spec);
    ~test_file();
    test_file(const test_file&) = delete;
    test_file& operator=(const test_file&) = delete;

    const std::string& path() const { return path_; }
    uint64_t size() const { return size_; }
    bool is_block_device() const { return block_device_; }
    uint64_t pattern_seed() const { return seed_; }
    // A run is about to write data that is not the pattern: drop the marker.
    void forget_pattern();
    // Reads the whole target back and checks the pattern (after a --verify
    // write run): "" when intact, else the first mismatch with its offset.
    std::string check_all() const;

private:
    void prefill(int fd);
    std::string path_;
    uint64_t size_ = 0;
    uint64_t seed_ = 0;
    bool temporary_ = false;
    bool block_device_ = false;
    std::optional<temp_file_guard> guard_;  // a second Ctrl-C still removes a temporary target
};

}  // namespace iobench
