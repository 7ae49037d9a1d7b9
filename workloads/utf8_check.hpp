// An incremental UTF-8 validator for ws_echo's text messages (RFC 6455 §8.1:
// a text message that is not UTF-8 fails the connection with close 1007).
// It takes the message in pieces however they are split (across frames and
// reads) and holds only the state of one unfinished sequence. Well-formed
// means Unicode's Table 3-7: no overlong forms, no surrogates (U+D800-DFFF),
// nothing above U+10FFFF; a sequence cut off at the message's end is not.
// No allocation: safe on the hot path.
#pragma once

#include <cstddef>
#include <cstdint>

namespace iobench {

class utf8_check {
public:
    void reset() { need_ = 0, lo_ = 0x80, hi_ = 0xbf, bad_ = false; }
    // Feeds the next bytes; false once anything so far is ill-formed (and from then on).
    bool feed(const uint8_t* p, size_t n);
    // The message ends here: true if every byte was well-formed and no sequence is open.
    bool complete() const { return !bad_ && need_ == 0; }
    bool failed() const { return bad_; }

private:
    uint8_t need_ = 0;            // continuation bytes still owed by the open sequence
    uint8_t lo_ = 0x80, hi_ = 0xbf;  // the range the next continuation byte must be in
    bool bad_ = false;
};

}  // namespace iobench
