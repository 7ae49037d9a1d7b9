// The ws_echo server session (the client is ws_echo_client.cpp). It
// streams: each data frame's header goes out as soon as it is parsed and its
// payload as it arrives (unmasked into a fixed
// output buffer), so a message of any size needs no buffer of its size. Input
// it cannot take yet (output buffer full) stays where it is: in the provided
// ring buffers it holds, or in the connection's own buffer (no recv meanwhile).
// Text messages are checked as UTF-8 as they stream (utf8_check), across
// fragments; an ill-formed one fails the connection with close 1007.
#include "workloads/ws_echo_session.hpp"

#include "workloads/utf8_check.hpp"
#include "workloads/ws_frame.hpp"
#include "workloads/ws_handshake.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <vector>

namespace iobench {

namespace {

// Output room the frame loop keeps: a header and a whole pong or close.
constexpr uint32_t out_reserve = ws_max_header + ws_max_control_payload + 2;

class ws_echo_server final : public server_session {
public:
    explicit ws_echo_server(const server_session_config& c)
        : held_(c.held), parser_(ws_parser::role::server, ws_max_message),
          out_(new uint8_t[ws_out_buffer]), hs_(new char[ws_max_handshake]) {  // not zeroed: backed once touched
        if (held_) released_.reserve(held_->count());
    }

    void reset() override {
        q_ = {};
        parser_.reset();
        used_ = sent_ = hs_have_ = own_left_ = 0;
        own_ = nullptr;
        open_ = closing_ = broke_ = reported_ = false;
        released_.clear();
        utf8_.reset();
        text_ = frame_on_wire_ = false;
        frame_at_ = 0;
    }

    server_step on_recv(const char* data, uint32_t n, int32_t bid) override {
        server_step s;
        if (bid >= 0) {
            held_->push(q_, static_cast<uint16_t>(bid), data, n);
            s.keep = true;  // given back through release once parsed
        } else {
            own_ = data;
            own_left_ = n;
        }
        return pump(s);
    }

    server_step on_sent(uint32_t n) override {
        sent_ += n;
        if (sent_ > frame_at_) frame_on_wire_ = true;  // the current frame's echo has begun to go out
        if (sent_ == used_) sent_ = used_ = 0;  // nothing in flight: start the buffer over
        return pump({});
    }

    int32_t take_released() override {
        if (released_.empty()) return -1;
        const int32_t b = released_.back();
        released_.pop_back();
        return b;
    }

    int32_t release_held() override {
        if (const int32_t b = take_released(); b >= 0) return b;
        return held_ ? held_->pop(q_) : -1;
    }

private:
    // Parses what input there is while the output has room.
    server_step pump(server_step s) {
        while (!closing_) {
            const char* p;
            uint32_t n;
            if (held_) {
                if (held_->empty(q_)) break;
                const send_item h = held_->head(q_);
                p = h.buf;
                n = h.len;
            } else {
                if (own_left_ == 0) break;
                p = own_;
                n = own_left_;
            }
            const uint32_t used = open_ ? frames(reinterpret_cast<const uint8_t*>(p), n, s) : handshake(p, n);
            if (held_) {
                if (const int32_t b = held_->consume(q_, used); b >= 0) released_.push_back(b);  // capacity: count()
            } else {
                own_ += used;
                own_left_ -= used;
            }
            if (used == 0) break;  // output full: the rest waits for on_sent
        }
        if (closing_) {  // nothing more is read: drop what is left
            if (held_)
                for (int32_t b; (b = held_->pop(q_)) >= 0;) released_.push_back(b);
            own_left_ = 0;
            s.finish = true;
            s.error = broke_ && !reported_;  // one error per connection, however many steps the close takes
            reported_ = broke_;
        }
        if (!released_.empty()) {
            s.release = released_.back();
            released_.pop_back();
            s.more_released = !released_.empty();
        }
        if (sent_ < used_) s.send = send_item::bytes(reinterpret_cast<const char*>(out_.get()) + sent_, used_ - sent_);
        s.recv = own_left_ == 0;  // the own buffer is received into again only once parsed
        return s;
    }

    // Gathers the request's header block; answers 101 (or 400 and close). Returns the bytes it took.
    uint32_t handshake(const char* p, uint32_t n) {
        const uint32_t before = hs_have_;
        const uint32_t take = std::min(n, ws_max_handshake - hs_have_);
        std::memcpy(hs_.get() + hs_have_, p, take);
        hs_have_ += take;
        const size_t end = ws_header_end(hs_.get(), hs_have_);
        if (end == 0) {
            if (hs_have_ == ws_max_handshake) refuse();
            return take;
        }
        const ws_request_check r = ws_check_request({hs_.get(), end});
        if (!r.ok) {
            refuse();
            return take;
        }
        used_ += ws_write_response(reinterpret_cast<char*>(out_.get()) + used_, r.key);
        open_ = true;
        return static_cast<uint32_t>(end - before);  // what follows the header block is frames
    }

    void refuse() {
        std::memcpy(out_.get() + used_, ws_bad_request.data(), ws_bad_request.size());
        used_ += static_cast<uint32_t>(ws_bad_request.size());
        closing_ = broke_ = true;
    }

    // Echoes the frames in [p, p + n) while there is output room; returns the bytes parsed.
    uint32_t frames(const uint8_t* p, uint32_t n, server_step& s) {
        uint32_t used = 0;
        while (ws_out_buffer - used_ >= out_reserve) {
            ws_event ev;
            used += static_cast<uint32_t>(parser_.next(p + used, n - used, ws_out_buffer - used_, ev));
            uint8_t* out = out_.get() + used_;
            switch (ev.what) {
            case ws_event::kind::need_more: return used;
            case ws_event::kind::frame_start:
                if (ev.op != ws_opcode::continuation) {  // a message begins
                    text_ = ev.op == ws_opcode::text;
                    utf8_.reset();
                }
                frame_at_ = used_;
                frame_on_wire_ = false;
                used_ += ws_encode_header(out, ev.op, ev.fin, ev.len);
                break;
            case ws_event::kind::payload:
                ws_unmask(out, ev.data, ev.n, ev.mask, ev.phase);
                used_ += ev.n;
                if (text_ && !utf8_.feed(out, ev.n)) return not_utf8(used);
                break;
            case ws_event::kind::frame_end:
                if (ev.fin && text_ && !utf8_.complete()) return not_utf8(used);  // a sequence cut off at the end
                if (ev.fin) ++s.requests;  // a whole message echoed
                break;
            case ws_event::kind::control:
                if (ev.op == ws_opcode::ping) {
                    used_ += ws_encode_header(out, ws_opcode::pong, true, ev.n);
                    std::memcpy(out_.get() + used_, ev.data, ev.n);
                    used_ += ev.n;
                } else if (ev.op == ws_opcode::close) {  // the closing handshake: echo the status, then close
                    used_ += ev.code ? ws_encode_close(out, ev.code) : ws_encode_header(out, ws_opcode::close, true, 0);
                    closing_ = true;
                    return used;
                }
                break;  // pong: nothing to do
            case ws_event::kind::error:
                used_ += ws_encode_close(out, ev.code);
                closing_ = broke_ = true;
                return used;
            }
        }
        return used;
    }

    // RFC 6455 §8.1: fail the connection with 1007. The current frame's echo
    // is dropped and the close takes its place if none of it has gone out;
    // otherwise a close frame would land inside that frame's payload on the
    // peer's side, so the connection just closes (§7.1.7: the close frame is
    // a MAY).
    uint32_t not_utf8(uint32_t used) {
        closing_ = broke_ = true;
        if (!frame_on_wire_) {
            used_ = frame_at_;
            used_ += ws_encode_close(out_.get() + used_, ws_close::invalid_data);
        } else {
            used_ = sent_;
        }
        return used;
    }

    held_buffers* held_;
    held_buffers::chain q_;
    ws_parser parser_;
    std::unique_ptr<uint8_t[]> out_;
    std::unique_ptr<char[]> hs_;
    uint32_t used_ = 0, sent_ = 0;  // out_: bytes written, bytes sent
    uint32_t hs_have_ = 0;
    const char* own_ = nullptr;     // own-buffer input not parsed yet
    uint32_t own_left_ = 0;
    bool open_ = false;             // the handshake is done: frames follow
    bool closing_ = false;          // a close frame (or a 400) is the last output
    bool broke_ = false;            // ...because the peer broke the protocol
    bool reported_ = false;         // ...and a step has said so
    std::vector<int32_t> released_; // parsed ring buffers to give back
    utf8_check utf8_;               // the current text message so far
    bool text_ = false;             // the current message is text
    uint32_t frame_at_ = 0;         // out_ offset of the current data frame's echo header
    bool frame_on_wire_ = false;    // ...of which some bytes have been sent
};

}  // namespace

std::unique_ptr<server_session> make_ws_echo_server(const server_session_config& c) {
    return std::make_unique<ws_echo_server>(c);
}

}  // namespace iobench
