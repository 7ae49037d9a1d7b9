// Fuzz target: a WebSocket server's parsing of what a client sends, the
// opening handshake (workloads/ws_handshake.hpp) and then frames
// (workloads/ws_frame.hpp), split into pieces as a socket would. Properties:
// the parser never reports a payload beyond the bytes it was given nor
// consumes more than it was given, a frame is never over the message limit,
// a control payload is at most 125 bytes, an error carries 1002 or 1009,
// and it always moves on (no input makes it spin).
#include "tests/fuzz/fuzz_target.hpp"
#include "workloads/ws_frame.hpp"
#include "workloads/ws_handshake.hpp"

#include <algorithm>
#include <string_view>

namespace iobench::fuzz {

std::span<const std::string_view> dictionary() {
    static constexpr std::string_view words[] = {
        "GET /ws HTTP/1.1\r\n", "Upgrade: websocket\r\n", "Connection: Upgrade\r\n", "Connection: keep-alive, Upgrade\r\n",
        "Sec-WebSocket-Version: 13\r\n", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", "\r\n\r\n", "\r\n",
        "\x81\x85", "\x82\xfe", "\x82\xff", "\x01\x80", "\x00\x80", "\x80\x80", "\x89\x80", "\x8a\x80", "\x88\x82",
        "\x88\x81", "\x88\xfd", "\x89\xfe", "\x7f\xff\xff\xff\xff\xff\xff\xff", "\xff\xff\xff\xff\xff\xff\xff\xff",
        "\x03\xe8", "\x03\xed", "\x0f\xa0", "\x00\x00\x00\x00"};
    return words;
}

namespace {

constexpr uint64_t max_message = 1u << 20;

void handshake(std::string_view in) {
    const ws_request_check c = ws_check_request(in);
    if (c.ok) {
        FUZZ_CHECK(c.key.size() == ws_key_len);
        FUZZ_CHECK(c.key.data() >= in.data() && c.key.data() + c.key.size() <= in.data() + in.size());
        char out[ws_max_response];
        FUZZ_CHECK(ws_write_response(out, c.key) <= ws_max_response);
    } else {
        FUZZ_CHECK(*c.why != '\0');
    }
    char accept[ws_accept_len] = {};
    (void)ws_check_response(in, accept);  // the client's side of the same bytes
}

void frames(const uint8_t* data, size_t size, size_t chunk, size_t payload_max) {
    ws_parser p(ws_parser::role::server, max_message);
    size_t off = 0, end = std::min(size, chunk);
    uint64_t steps = 0;
    for (;;) {
        FUZZ_CHECK(++steps < 4 * size + 64);  // every step consumes a byte or reports an event
        ws_event ev;
        const size_t avail = end - off;
        const size_t used = p.next(data + off, avail, payload_max, ev);
        FUZZ_CHECK(used <= avail);
        switch (ev.what) {
        case ws_event::kind::payload:
            FUZZ_CHECK(ev.data >= data + off && ev.data + ev.n <= data + off + used);
            FUZZ_CHECK(ev.n > 0 && ev.n <= payload_max);
            break;
        case ws_event::kind::frame_start: FUZZ_CHECK(ev.len <= max_message); break;
        case ws_event::kind::control: FUZZ_CHECK(ev.n <= ws_max_control_payload); break;
        case ws_event::kind::error:
            FUZZ_CHECK(ev.code == ws_close::protocol_error || ev.code == ws_close::too_big);
            FUZZ_CHECK(p.failed());
            return;
        default: break;
        }
        off += used;
        if (used == 0 && ev.what == ws_event::kind::need_more) {
            if (end == size) return;
            end = std::min(size, end + chunk);
        }
    }
}

}  // namespace

}  // namespace iobench::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace iobench;
    const char* p = reinterpret_cast<const char*>(data);
    // A handshake first when the input starts with a header block, as a connection does.
    const size_t head = ws_header_end(p, std::min<size_t>(size, ws_max_handshake));
    FUZZ_CHECK(head <= std::min<size_t>(size, ws_max_handshake));
    fuzz::handshake(std::string_view(p, head ? head : std::min<size_t>(size, ws_max_handshake)));
    const size_t chunk = size ? 1 + data[size - 1] % 17 : 1;
    const size_t payload_max = size > 1 ? 1 + data[size - 2] % 64 : 1;
    fuzz::frames(data + head, size - head, chunk, payload_max);
    fuzz::frames(data + head, size - head, size, 65536);
    return 0;
}
