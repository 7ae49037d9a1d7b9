// RFC 6455 frame parser and encoders (see ws_frame.hpp).
#include "workloads/ws_frame.hpp"

#include <algorithm>
#include <cstring>

namespace iobench {

namespace {

bool is_control(ws_opcode op) { return static_cast<uint8_t>(op) & 0x8; }

bool known_opcode(uint8_t op) { return op <= 2 || (op >= 8 && op <= 10); }

// Codes a peer may put in a close frame (§7.4): 1000-1003, 1007-1011 and the
// registered/private ranges; 1005, 1006 and 1015 are never sent on the wire.
bool valid_close_code(uint16_t c) {
    return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
}

}  // namespace

size_t ws_parser::fail(ws_event& ev, uint16_t code, const char* why) {
    state_ = st::failed;
    ev = {};
    ev.what = ws_event::kind::error;
    ev.code = code;
    ev.why = why;
    return 0;
}

size_t ws_parser::next(const uint8_t* data, size_t n, size_t payload_max, ws_event& ev) {
    switch (state_) {
    case st::failed:
        // Stays failed: the connection is being closed; nothing more is read.
        return fail(ev, ws_close::protocol_error, "input after a protocol error");
    case st::header: {
        size_t used = 0;
        if (hdr_have_ < 2) {
            const size_t take = std::min<size_t>(2 - hdr_have_, n);
            std::memcpy(hdr_ + hdr_have_, data, take);
            hdr_have_ += static_cast<uint32_t>(take);
            used = take;
            if (hdr_have_ < 2) {
                ev = {};
                return used;
            }
            // The first two bytes settle everything but the length's value: check them at once.
            const uint8_t b0 = hdr_[0], b1 = hdr_[1];
            const uint8_t op = b0 & 0x0f;
            if (b0 & 0x70) return fail(ev, ws_close::protocol_error, "reserved bits set (no extension was negotiated)");
            if (!known_opcode(op)) return fail(ev, ws_close::protocol_error, "unknown opcode");
            const bool masked = b1 & 0x80;
            if (role_ == role::server && !masked) return fail(ev, ws_close::protocol_error, "unmasked client frame");
            if (role_ == role::client && masked) return fail(ev, ws_close::protocol_error, "masked server frame");
            const auto o = static_cast<ws_opcode>(op);
            if (is_control(o)) {
                if (!(b0 & 0x80)) return fail(ev, ws_close::protocol_error, "fragmented control frame");
                if ((b1 & 0x7f) > ws_max_control_payload)
                    return fail(ev, ws_close::protocol_error, "control frame payload over 125 bytes");
            } else if (o == ws_opcode::continuation && !in_message_) {
                return fail(ev, ws_close::protocol_error, "continuation frame without a message to continue");
            } else if (o != ws_opcode::continuation && in_message_) {
                return fail(ev, ws_close::protocol_error, "new data frame inside a fragmented message");
            }
        }
        const uint8_t len7 = hdr_[1] & 0x7f;
        const uint32_t need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((hdr_[1] & 0x80) ? 4 : 0);
        const size_t take = std::min<size_t>(need - hdr_have_, n - used);
        std::memcpy(hdr_ + hdr_have_, data + used, take);
        hdr_have_ += static_cast<uint32_t>(take);
        used += take;
        if (hdr_have_ < need) {
            ev = {};
            return used;
        }
        used = header_done(ev, used);
        // A control frame's payload is gathered before it is reported: go on into it.
        if (state_ == st::control && ev.what == ws_event::kind::need_more && used < n)
            used += next(data + used, n - used, payload_max, ev);
        return used;
    }
    case st::payload: {
        if (left_ == 0) {
            ev = cur_;
            ev.what = ws_event::kind::frame_end;
            state_ = st::header;
            in_message_ = !cur_.fin;
            if (cur_.fin) message_len_ = 0;
            return 0;
        }
        const size_t take = std::min<uint64_t>({n, left_, payload_max});
        ev = cur_;
        if (take == 0) {
            ev.what = ws_event::kind::need_more;
            return 0;
        }
        ev.what = ws_event::kind::payload;
        ev.data = data;
        ev.n = static_cast<uint32_t>(take);
        ev.phase = static_cast<uint32_t>((cur_.len - left_) & 3);
        left_ -= take;
        return take;
    }
    case st::control: {
        const size_t take = std::min<uint64_t>(n, left_);
        ws_unmask(ctl_ + ctl_have_, data, take, cur_.mask, ctl_have_);  // an unmasked frame has a zero mask
        ctl_have_ += static_cast<uint32_t>(take);
        left_ -= take;
        ev = {};
        if (left_ > 0) return take;
        state_ = st::header;
        ev = cur_;
        ev.what = ws_event::kind::control;
        ev.data = ctl_;
        ev.n = ctl_have_;
        if (cur_.op == ws_opcode::close && ctl_have_ > 0) {
            if (ctl_have_ == 1) return take + fail(ev, ws_close::protocol_error, "close frame with a 1-byte payload");
            ev.code = static_cast<uint16_t>(ctl_[0] << 8 | ctl_[1]);
            if (!valid_close_code(ev.code)) return take + fail(ev, ws_close::protocol_error, "invalid close code");
        }
        return take;
    }
    }
    return 0;
}

size_t ws_parser::header_done(ws_event& ev, size_t used) {
    const uint8_t len7 = hdr_[1] & 0x7f;
    uint64_t len = len7;
    uint32_t at = 2;
    if (len7 == 126) {
        len = uint64_t{hdr_[2]} << 8 | hdr_[3];
        at = 4;
    } else if (len7 == 127) {
        len = 0;
        for (int i = 0; i < 8; ++i) len = len << 8 | hdr_[2 + i];
        at = 10;
        if (len >> 63) return fail(ev, ws_close::protocol_error, "64-bit length with the top bit set");
    }
    cur_ = {};
    cur_.op = static_cast<ws_opcode>(hdr_[0] & 0x0f);
    cur_.fin = hdr_[0] & 0x80;
    cur_.masked = hdr_[1] & 0x80;
    if (cur_.masked) std::memcpy(cur_.mask, hdr_ + at, 4);
    cur_.len = len;
    hdr_have_ = 0;
    left_ = len;
    if (is_control(cur_.op)) {
        state_ = st::control;
        ctl_have_ = 0;
        if (len == 0) return used + next(nullptr, 0, 0, ev);  // complete already
        ev = {};
        return used;
    }
    if (len > max_message_ || message_len_ + len > max_message_)
        return fail(ev, ws_close::too_big, "message larger than the limit");
    message_len_ += len;
    state_ = st::payload;
    ev = cur_;
    ev.what = ws_event::kind::frame_start;
    return used;
}

void ws_unmask(uint8_t* dst, const uint8_t* src, size_t n, const uint8_t mask[4], uint32_t phase) {
    size_t i = 0;
    // Byte by byte up to a mask boundary, then 8 bytes at a time with the mask doubled.
    for (; i < n && ((phase + i) & 3); ++i) dst[i] = src[i] ^ mask[(phase + i) & 3];
    uint32_t m32;
    std::memcpy(&m32, mask, 4);
    const uint64_t m64 = uint64_t{m32} << 32 | m32;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        std::memcpy(&w, src + i, 8);
        w ^= m64;
        std::memcpy(dst + i, &w, 8);
    }
    for (; i < n; ++i) dst[i] = src[i] ^ mask[(phase + i) & 3];
}

uint32_t ws_encode_header(uint8_t* out, ws_opcode op, bool fin, uint64_t len, const uint8_t* mask) {
    out[0] = static_cast<uint8_t>((fin ? 0x80 : 0) | static_cast<uint8_t>(op));
    const uint8_t m = mask ? 0x80 : 0;
    uint32_t at;
    if (len < 126) {
        out[1] = static_cast<uint8_t>(m | len);
        at = 2;
    } else if (len <= 0xffff) {
        out[1] = m | 126;
        out[2] = static_cast<uint8_t>(len >> 8);
        out[3] = static_cast<uint8_t>(len);
        at = 4;
    } else {
        out[1] = m | 127;
        for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<uint8_t>(len >> (56 - 8 * i));
        at = 10;
    }
    if (mask) {
        std::memcpy(out + at, mask, 4);
        at += 4;
    }
    return at;
}

uint32_t ws_encode_close(uint8_t* out, uint16_t code) {
    out[0] = 0x80 | static_cast<uint8_t>(ws_opcode::close);
    out[1] = 2;
    out[2] = static_cast<uint8_t>(code >> 8);
    out[3] = static_cast<uint8_t>(code);
    return 4;
}

}  // namespace iobench
