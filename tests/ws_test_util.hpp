// Helpers for the WebSocket unit tests: frames built with the workload's
// encoder, and a parser driven over a byte string in any split.
#pragma once

#include "workloads/ws_frame.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace iobench::ws_test {

using bytes = std::vector<uint8_t>;

inline bytes frame(ws_opcode op, bool fin, const bytes& payload, const uint8_t* mask) {
    bytes f(ws_max_header + payload.size());
    const uint32_t h = ws_encode_header(f.data(), op, fin, payload.size(), mask);
    if (mask) ws_unmask(f.data() + h, payload.data(), payload.size(), mask, 0);
    else std::copy(payload.begin(), payload.end(), f.begin() + h);
    f.resize(h + payload.size());
    return f;
}

inline const uint8_t mask_a[4] = {0x37, 0xfa, 0x21, 0x3d};

inline bytes pattern(size_t n) {
    bytes b(n);
    for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 7 + i / 251);
    return b;
}

// n bytes of well-formed UTF-8 (1- to 4-byte sequences, ASCII at the end where one would not fit): text frames' payload.
inline bytes text_pattern(size_t n) {
    static const bytes seqs[] = {{'a'}, {0xc3, 0xa9}, {0xe2, 0x82, 0xac}, {0xf0, 0x9f, 0x98, 0x80}, {'z'}};
    bytes b;
    b.reserve(n);
    for (size_t i = 0; b.size() < n; ++i) {
        const bytes& q = seqs[(i * 7 + i / 13) % 5];
        if (b.size() + q.size() <= n) b.insert(b.end(), q.begin(), q.end());
        else b.push_back('.');
    }
    return b;
}

// Everything a parser makes of `in`, fed `step` bytes at a time: messages reassembled, controls, error.
struct parsed {
    std::vector<bytes> messages;
    std::vector<ws_opcode> message_ops;
    std::vector<std::pair<ws_opcode, bytes>> controls;
    uint16_t error = 0;
    std::string why;
    std::vector<uint64_t> frame_lens;
};

inline parsed parse(ws_parser& p, const bytes& in, size_t step = SIZE_MAX) {
    parsed r;
    bytes cur;
    ws_opcode op = ws_opcode::continuation;
    for (size_t at = 0; at < in.size() && !r.error;) {
        const size_t n = std::min(step, in.size() - at);
        for (size_t used = 0;;) {
            ws_event ev;
            used += p.next(in.data() + at + used, n - used, 1000, ev);
            if (ev.what == ws_event::kind::need_more) break;
            if (ev.what == ws_event::kind::error) {
                r.error = ev.code;
                r.why = ev.why;
                break;
            }
            if (ev.what == ws_event::kind::frame_start) {
                if (ev.op != ws_opcode::continuation) op = ev.op;
                r.frame_lens.push_back(ev.len);
            } else if (ev.what == ws_event::kind::payload) {
                const size_t o = cur.size();
                cur.resize(o + ev.n);
                ws_unmask(cur.data() + o, ev.data, ev.n, ev.mask, ev.phase);
            } else if (ev.what == ws_event::kind::frame_end && ev.fin) {
                r.messages.push_back(cur);
                r.message_ops.push_back(op);
                cur.clear();
            } else if (ev.what == ws_event::kind::control) {
                r.controls.emplace_back(ev.op, bytes(ev.data, ev.data + ev.n));
            }
        }
        at += n;
    }
    return r;
}

inline std::string str(const bytes& b) { return {b.begin(), b.end()}; }

}  // namespace iobench::ws_test
