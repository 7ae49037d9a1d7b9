// Echo sessions. The server sends back what it received, in order: from its
// own buffer (received into again only once all of it is out), or from the
// provided ring buffers it holds until they are sent.
#include "workloads/echo_session.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

namespace iobench {

void fill_message(uint8_t* p, uint32_t len, uint32_t conn, uint64_t seq) {
    for (uint32_t off = 0; off < len; off += 8) {
        uint64_t w = (conn + 1ull) * 0x9e3779b97f4a7c15ull ^ (seq + 1) * 0xc2b2ae3d27d4eb4full ^
                     (off + 8ull) * 0x165667b19e3779f9ull;
        w ^= w >> 29;
        std::memcpy(p + off, &w, std::min<uint32_t>(8, len - off));
    }
}

namespace {

class echo_server final : public server_session {
public:
    explicit echo_server(const server_session_config& c) : held_(c.held) {}

    void reset() override {
        q_ = {};
        data_ = nullptr;
        have_ = sent_ = 0;
    }

    server_step on_recv(const char* data, uint32_t n, int32_t bid) override {
        server_step s;
        s.requests = 1;  // a message echoed is a request
        if (bid >= 0) {
            held_->push(q_, static_cast<uint16_t>(bid), data, n);
            s.keep = true;
        } else {
            data_ = data;
            have_ = n;
            sent_ = 0;
        }
        return owed(s);
    }

    server_step on_sent(uint32_t n) override {
        server_step s;
        if (held_) {
            s.release = held_->consume(q_, n);
        } else {
            sent_ += n;
            if (sent_ == have_) have_ = sent_ = 0;
        }
        return owed(s);
    }

    int32_t release_held() override { return held_ ? held_->pop(q_) : -1; }

private:
    server_step owed(server_step s) const {
        if (held_) {
            if (!held_->empty(q_)) s.send = held_->head(q_);
        } else {
            if (sent_ < have_) s.send = send_item::bytes(data_ + sent_, have_ - sent_);
            s.recv = have_ == 0;  // the one buffer is busy until echoed
        }
        return s;
    }

    held_buffers* held_;
    held_buffers::chain q_;
    const char* data_ = nullptr;
    uint32_t have_ = 0, sent_ = 0;
};

class echo_client final : public client_session {
public:
    explicit echo_client(const client_session_config& c)
        : client_session(1), id_(c.id), size_(c.msg_size), verify_(c.verify), tx_(c.msg_size), rx_(c.msg_size) {}

    void reset() override { got_ = 0; }

    request_batch fill(unsigned) override {
        fill_message(tx_.data(), size_, id_, ++seq_);
        got_ = 0;
        return {tx_.data(), size_, {rx_.data(), size_}};
    }

    reply_step on_reply(const uint8_t*, uint32_t n, unsigned) override {
        reply_step r;
        got_ += n;
        if (got_ < size_) {  // partial: keep accumulating
            r.next = {rx_.data() + got_, size_ - got_};
            return r;
        }
        if (verify_ && std::memcmp(rx_.data(), tx_.data(), size_) != 0) {
            uint32_t off = 0;
            while (rx_[off] == tx_[off]) ++off;
            std::snprintf(why_, sizeof why_,
                          "echo verify failed: connection %u message %llu byte offset %u: got 0x%02x, expected 0x%02x",
                          id_, static_cast<unsigned long long>(seq_), off, rx_[off], tx_[off]);
            r.error = why_;
            return r;
        }
        r.answered = 1;
        return r;
    }

private:
    uint32_t id_, size_;
    bool verify_;
    uint32_t got_ = 0;
    uint64_t seq_ = 0;
    std::vector<uint8_t> tx_, rx_;
    char why_[160] = {};
};

}  // namespace

std::unique_ptr<server_session> make_echo_server(const server_session_config& c) {
    return std::make_unique<echo_server>(c);
}

std::unique_ptr<client_session> make_echo_client(const client_session_config& c) {
    return std::make_unique<echo_client>(c);
}

}  // namespace iobench
