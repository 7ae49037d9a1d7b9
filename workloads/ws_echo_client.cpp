// The ws_echo load generator's session: the opening handshake (with
// --ws-protocol's subprotocol when asked), then one masked binary message per
// request, the echo checked byte by byte as it arrives.
#include "workloads/ws_echo_session.hpp"

#include "workloads/echo_session.hpp"
#include "workloads/ws_frame.hpp"
#include "workloads/ws_handshake.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <vector>

namespace iobench {

namespace {

// The client: the opening handshake is a connection's first request (RFC
// 6455 §4.1: a client sends no frame before the server's 101), then one
// masked binary message per request; the echo is checked byte by byte as it
// arrives.
class ws_echo_client final : public client_session {
public:
    explicit ws_echo_client(const client_session_config& c)
        : client_session(1), id_(c.id), size_(c.msg_size), verify_(c.verify), protocol_(c.ws_protocol),
          rng_(0x9e3779b97f4a7c15ull * (c.id + 1) | 1), parser_(ws_parser::role::client, c.msg_size),
          tx_(ws_max_request + 2 * ws_max_header + ws_max_control_payload + c.msg_size), plain_(c.msg_size),
          rx_(std::max<uint32_t>(16 * 1024, std::min<uint32_t>(c.msg_size + ws_max_header, 256 * 1024))) {
        reset();
    }

    void reset() override {
        parser_.reset();
        open_ = handshake_sent_ = pong_owed_ = false;
        hs_have_ = 0;
        got_ = 0;
        uint8_t raw[16];
        for (int i = 0; i < 16; i += 8) {
            const uint64_t r = next_rand();
            std::memcpy(raw + i, &r, 8);
        }
        unsigned char b64[ws_key_len + 1];
        EVP_EncodeBlock(b64, raw, sizeof raw);
        std::memcpy(key_, b64, ws_key_len);
        ws_accept_for({key_, ws_key_len}, accept_);
    }

    request_batch fill(unsigned) override {
        uint8_t* t = tx_.data();
        uint32_t at = 0;
        if (!handshake_sent_) {  // the Upgrade alone: its 101 answers it
            at = ws_write_request(reinterpret_cast<char*>(t), "iobench", {key_, ws_key_len}, protocol_);
            handshake_sent_ = true;
            return {t, at, window()};
        }
        if (pong_owed_) {
            at += put_masked(t + at, ws_opcode::pong, pong_, pong_len_);
            pong_owed_ = false;
        }
        fill_message(plain_.data(), size_, id_, ++seq_);
        at += put_masked(t + at, ws_opcode::binary, plain_.data(), size_);
        got_ = 0;
        return {t, at, window()};
    }

    reply_step on_reply(const uint8_t* data, uint32_t n, unsigned outstanding) override {
        reply_step r;
        r.next = window();
        if (!open_) {
            const uint32_t before = hs_have_;
            const uint32_t take = std::min(n, ws_max_handshake - hs_have_);
            std::memcpy(hs_ + hs_have_, data, take);
            hs_have_ += take;
            const size_t end = ws_header_end(hs_, hs_have_);
            if (end == 0) {
                if (hs_have_ == ws_max_handshake) r.error = fail("handshake reply longer than 4 KiB");
                return r;
            }
            if (const char* why = ws_check_response({hs_, end}, accept_, protocol_); *why) {
                if (protocol_.empty()) return r.error = fail(why), r;
                std::snprintf(why_, sizeof why_, "ws_echo: connection %u: %s (asked for '%.*s')", id_, why,
                              static_cast<int>(protocol_.size()), protocol_.data());
                return r.error = why_, r;
            }
            open_ = true;
            ++r.answered;  // the handshake was this connection's first request
            data += end - before;
            n -= static_cast<uint32_t>(end - before);
        }
        for (uint32_t used = 0;;) {
            ws_event ev;
            used += static_cast<uint32_t>(parser_.next(data + used, n - used, n - used, ev));
            switch (ev.what) {
            case ws_event::kind::need_more: return r;
            case ws_event::kind::frame_start:
                // A subprotocol frames its own replies (lws-mirror-protocol writes
                // every message as text): the bytes are still checked.
                if (ev.op == ws_opcode::text && protocol_.empty())
                    return r.error = fail("text frame in reply to a binary message"), r;
                if (got_ + ev.len > size_) return r.error = fail("echo longer than the message sent"), r;
                break;
            case ws_event::kind::payload:
                if (verify_ && std::memcmp(ev.data, plain_.data() + got_, ev.n) != 0) {
                    uint32_t off = 0;
                    while (ev.data[off] == plain_[got_ + off]) ++off;
                    std::snprintf(why_, sizeof why_,
                                  "ws_echo verify failed: connection %u message %llu byte offset %llu: got 0x%02x, "
                                  "expected 0x%02x",
                                  id_, static_cast<unsigned long long>(seq_),
                                  static_cast<unsigned long long>(got_ + off), ev.data[off], plain_[got_ + off]);
                    r.error = why_;
                    return r;
                }
                got_ += ev.n;
                break;
            case ws_event::kind::frame_end:
                if (!ev.fin) break;
                if (got_ != size_) return r.error = fail("echo shorter than the message sent"), r;
                if (r.answered == outstanding) return r.error = fail("an echo without a message"), r;
                ++r.answered;
                got_ = 0;
                break;
            case ws_event::kind::control:
                if (ev.op == ws_opcode::ping) {  // answered with the next message
                    std::memcpy(pong_, ev.data, ev.n);
                    pong_len_ = ev.n;
                    pong_owed_ = true;
                } else if (ev.op == ws_opcode::close) {
                    std::snprintf(why_, sizeof why_, "ws_echo: connection %u: the server closed with status %u", id_,
                                  ev.code);
                    r.error = why_;
                    return r;
                }
                break;
            case ws_event::kind::error:
                std::snprintf(why_, sizeof why_, "ws_echo: connection %u: %s (close code %u)", id_, ev.why, ev.code);
                r.error = why_;
                return r;
            }
        }
    }

private:
    byte_window window() { return {rx_.data(), static_cast<uint32_t>(rx_.size())}; }

    uint64_t next_rand() {  // xorshift64: masks and keys need no cryptographic strength in a benchmark
        rng_ ^= rng_ << 13;
        rng_ ^= rng_ >> 7;
        rng_ ^= rng_ << 17;
        return rng_;
    }

    uint32_t put_masked(uint8_t* out, ws_opcode op, const uint8_t* payload, uint32_t len) {
        const auto r = static_cast<uint32_t>(next_rand());
        uint8_t mask[4];
        std::memcpy(mask, &r, 4);
        const uint32_t h = ws_encode_header(out, op, true, len, mask);
        ws_unmask(out + h, payload, len, mask, 0);
        return h + len;
    }

    const char* fail(const char* what) {
        std::snprintf(why_, sizeof why_, "ws_echo: connection %u: %s", id_, what);
        return why_;
    }

    uint32_t id_, size_;
    bool verify_;
    std::string_view protocol_;  // --ws-protocol, or empty
    uint64_t rng_;
    ws_parser parser_;
    std::vector<uint8_t> tx_, plain_, rx_;
    bool open_ = false, handshake_sent_ = false, pong_owed_ = false;
    char hs_[ws_max_handshake];
    uint32_t hs_have_ = 0;
    uint64_t got_ = 0;  // bytes of the current echo checked
    uint64_t seq_ = 0;
    char key_[ws_key_len], accept_[ws_accept_len];
    uint8_t pong_[ws_max_control_payload];
    uint32_t pong_len_ = 0;
    char why_[256] = {};
};

}  // namespace

std::unique_ptr<client_session> make_ws_echo_client(const client_session_config& c) {
    return std::make_unique<ws_echo_client>(c);
}

}  // namespace iobench
