// utf8_check: a byte-at-a-time state machine over Unicode's Table 3-7, with
// an 8-bytes-at-a-time skip over ASCII between sequences.
#include "workloads/utf8_check.hpp"

#include <cstring>

namespace iobench {

bool utf8_check::feed(const uint8_t* p, size_t n) {
    if (bad_) return false;
    size_t i = 0;
    while (i < n) {
        if (need_ == 0) {
            while (i + 8 <= n) {  // ASCII runs: no high bit in 8 bytes at once
                uint64_t w;
                std::memcpy(&w, p + i, 8);
                if (w & 0x8080808080808080ull) break;
                i += 8;
            }
            if (i == n) break;
            const uint8_t b = p[i++];
            if (b < 0x80) continue;
            lo_ = 0x80, hi_ = 0xbf;
            if (b >= 0xc2 && b <= 0xdf) {
                need_ = 1;
            } else if (b >= 0xe0 && b <= 0xef) {
                need_ = 2;
                if (b == 0xe0) lo_ = 0xa0;       // overlong below U+0800
                else if (b == 0xed) hi_ = 0x9f;  // U+D800-DFFF: surrogates
            } else if (b >= 0xf0 && b <= 0xf4) {
                need_ = 3;
                if (b == 0xf0) lo_ = 0x90;       // overlong below U+10000
                else if (b == 0xf4) hi_ = 0x8f;  // above U+10FFFF
            } else {  // a stray continuation byte, C0/C1 (overlong ASCII), F5-FF
                bad_ = true;
                return false;
            }
            continue;
        }
        const uint8_t b = p[i++];
        if (b < lo_ || b > hi_) {
            bad_ = true;
            return false;
        }
        lo_ = 0x80, hi_ = 0xbf;  // only a sequence's second byte has a narrower range
        --need_;
    }
    return true;
}

}  // namespace iobench
