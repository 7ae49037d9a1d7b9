// Storage workloads: which op comes next and where (sequential or uniform
// random offsets, read/write mix, fsync every N writes).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace iobench {

enum class storage_pattern : uint8_t { read, write, randread, randwrite, randrw };

std::optional<storage_pattern> parse_storage_pattern(std::string_view name);
std::string_view to_string(storage_pattern p);
inline bool writes_data(storage_pattern p) { return p != storage_pattern::read && p != storage_pattern::randread; }
inline bool reads_data(storage_pattern p) { return p != storage_pattern::write && p != storage_pattern::randwrite; }

// Per-thread generator of (offset, is_write). Cheap and allocation-free.
class storage_op_source {
public:
    // region: the byte range this thread works in; bs divides it.
    storage_op_source(storage_pattern p, uint64_t region_start, uint64_t region_len, uint32_t bs,
                      unsigned rwmixread, uint64_t seed);

    struct next_op {
        uint64_t offset;
        bool write;
    };
    next_op next() {
        const uint64_t block = random_ ? uniform(blocks_) : seq_next();
        bool write = pattern_ == storage_pattern::write || pattern_ == storage_pattern::randwrite;
        if (pattern_ == storage_pattern::randrw) write = uniform(100) >= rwmixread_;
        return {start_ + block * bs_, write};
    }

private:
    uint64_t seq_next() {
        const uint64_t b = cursor_;
        if (++cursor_ == blocks_) cursor_ = 0;
        return b;
    }
    // xorshift64* and Lemire's multiply-shift: uniform in [0, n) without division.
    uint64_t uniform(uint64_t n) {
        state_ ^= state_ >> 12;
        state_ ^= state_ << 25;
        state_ ^= state_ >> 27;
        const uint64_t r = state_ * 0x2545F4914F6CDD1Dull;
        return static_cast<uint64_t>((static_cast<unsigned __int128>(r) * n) >> 64);
    }

    storage_pattern pattern_;
    bool random_;
    uint64_t start_;
    uint64_t blocks_;
    uint32_t bs_;
    unsigned rwmixread_;
    uint64_t cursor_ = 0;
    uint64_t state_;
};

}  // namespace iobench
