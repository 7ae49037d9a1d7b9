// RFC 6455 framing for the ws_echo workload: an incremental frame parser that
// takes bytes however they are split, checks the rules a peer must follow
// (masking by role, opcodes, control frame limits, fragmentation order, size
// limit) and says which close code a violation earns; plus the encoders.
// No allocation, no exceptions: safe on the hot path.
#pragma once

#include <cstddef>
#include <cstdint>

namespace iobench {

enum class ws_opcode : uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

// Close status codes (RFC 6455 §7.4.1) the workload sends.
namespace ws_close {
inline constexpr uint16_t normal = 1000;
inline constexpr uint16_t protocol_error = 1002;
inline constexpr uint16_t invalid_data = 1007;  // a text message that is not UTF-8 (§8.1)
inline constexpr uint16_t too_big = 1009;
}  // namespace ws_close

inline constexpr uint32_t ws_max_header = 14;        // 2 + 8 (64-bit length) + 4 (mask)
inline constexpr uint32_t ws_max_control_payload = 125;

// One step of the parser. Payload bytes are handed out as they arrive (never
// buffered), still masked: ws_unmask() them with the phase given.
struct ws_event {
    enum class kind : uint8_t {
        need_more,    // every byte given was consumed (the return value is n); feed more
        frame_start,  // a data frame (text, binary, continuation): op, fin, len
        payload,      // data frame payload: [data, data + n), masked with mask at phase
        frame_end,    // the data frame's last byte (fin: the message is complete)
        control,      // a whole control frame (ping, pong, close), payload unmasked in [data, data + n)
        error,        // the peer broke the protocol: close with `code`; the parser stays failed
    };
    kind what = kind::need_more;
    ws_opcode op = ws_opcode::continuation;
    bool fin = false;
    bool masked = false;
    uint8_t mask[4] = {};
    uint32_t phase = 0;       // payload: offset into the frame's payload, mod 4 applies to the mask
    uint64_t len = 0;         // frame_start: the frame's payload length
    const uint8_t* data = nullptr;
    uint32_t n = 0;
    uint16_t code = 0;        // error: the close code to send; control close: the status received (0: none)
    const char* why = "";     // error: what was wrong
};

class ws_parser {
public:
    enum class role : uint8_t { server, client };  // a server requires masked frames, a client unmasked ones

    // max_message: longest message (all of its fragments) accepted; longer -> 1009.
    ws_parser(role r, uint64_t max_message) : role_(r), max_message_(max_message) {}

    // Looks at data[0, n) and returns how many bytes it consumed into `ev`.
    // `payload_max` caps ev.n of a payload event (the caller's output room).
    size_t next(const uint8_t* data, size_t n, size_t payload_max, ws_event& ev);
    void reset() { *this = ws_parser(role_, max_message_); }
    bool failed() const { return state_ == st::failed; }
    bool in_message() const { return in_message_; }

private:
    enum class st : uint8_t { header, payload, control, failed };

    size_t fail(ws_event& ev, uint16_t code, const char* why);
    size_t header_done(ws_event& ev, size_t used);

    role role_;
    uint64_t max_message_;
    st state_ = st::header;
    uint8_t hdr_[ws_max_header] = {};
    uint32_t hdr_have_ = 0;
    ws_event cur_;              // the frame being read
    uint64_t left_ = 0;         // payload bytes still to come
    uint64_t message_len_ = 0;  // bytes of the current message so far (fragments included)
    bool in_message_ = false;   // a fragmented message is open (continuations expected)
    uint8_t ctl_[ws_max_control_payload] = {};
    uint32_t ctl_have_ = 0;
};

// XORs [src, src + n) with the mask starting at payload offset `phase` into dst (dst may be src).
void ws_unmask(uint8_t* dst, const uint8_t* src, size_t n, const uint8_t mask[4], uint32_t phase);

// Writes a frame header (2, 4 or 10 bytes; +4 with a mask) into out; returns its length.
uint32_t ws_encode_header(uint8_t* out, ws_opcode op, bool fin, uint64_t len, const uint8_t* mask = nullptr);

// A close frame with `code` (unmasked, server side): 4 bytes into out.
uint32_t ws_encode_close(uint8_t* out, uint16_t code);

}  // namespace iobench
