// The data pattern writes carry with --verify (and every prefill): each 8-byte
// word holds a hash of its absolute file offset and the seed, so any block read
// back can be checked on its own, whatever order it was written in.
#pragma once

#include <cstdint>
#include <cstring>

namespace iobench {

inline uint64_t pattern_word(uint64_t file_offset, uint64_t seed) {
    // splitmix64 finaliser over (offset ^ seed).
    uint64_t z = file_offset ^ seed;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// Fills `len` bytes (a multiple of 8) that will be written at `file_offset`.
inline void fill_pattern(void* buf, uint32_t len, uint64_t file_offset, uint64_t seed) {
    auto* p = static_cast<unsigned char*>(buf);
    for (uint32_t i = 0; i < len; i += 8) {
        const uint64_t w = pattern_word(file_offset + i, seed);
        std::memcpy(p + i, &w, 8);
    }
}

// Returns the file offset of the first mismatching byte, or UINT64_MAX.
inline uint64_t check_pattern(const void* buf, uint32_t len, uint64_t file_offset, uint64_t seed) {
    const auto* p = static_cast<const unsigned char*>(buf);
    for (uint32_t i = 0; i < len; i += 8) {
        const uint64_t want = pattern_word(file_offset + i, seed);
        if (std::memcmp(p + i, &want, 8) != 0) {
            for (uint32_t b = 0; b < 8; ++b)
                if (p[i + b] != reinterpret_cast<const unsigned char*>(&want)[b]) return file_offset + i + b;
        }
    }
    return UINT64_MAX;
}

inline constexpr uint64_t default_pattern_seed = 0x10be4c4b0b5eedull;

}  // namespace iobench
