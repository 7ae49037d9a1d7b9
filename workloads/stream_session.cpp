// Stream sessions: the server counts what arrives and sends nothing; the
// client sends the same echo-style payload every time.
#include "workloads/stream_session.hpp"

#include "workloads/echo_session.hpp"

#include <vector>

namespace iobench {

namespace {

class stream_server final : public server_session {
public:
    void reset() override {}
    server_step on_recv(const char*, uint32_t, int32_t) override {
        server_step s;
        s.requests = 1;  // a receive completion is a request
        return s;
    }
    server_step on_sent(uint32_t) override { return {}; }
};

class stream_client final : public client_session {
public:
    explicit stream_client(const client_session_config& c) : client_session(1), tx_(c.msg_size) {
        fill_message(tx_.data(), c.msg_size, c.id, 0);
    }
    void reset() override {}
    request_batch fill(unsigned) override { return {tx_.data(), static_cast<uint32_t>(tx_.size()), {}}; }
    reply_step on_reply(const uint8_t*, uint32_t, unsigned) override {
        reply_step r;
        r.error = "stream: the server sent data";  // never asked for: no reply window is given
        return r;
    }

private:
    std::vector<uint8_t> tx_;
};

}  // namespace

std::unique_ptr<server_session> make_stream_server(const server_session_config&) {
    return std::make_unique<stream_server>();
}

std::unique_ptr<client_session> make_stream_client(const client_session_config& c) {
    return std::make_unique<stream_client>(c);
}

}  // namespace iobench
