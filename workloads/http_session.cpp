// http sessions. The server counts requests with the request scanner and owes
// one fixed reply per request; the client counts replies with the response
// scanner and answers its outstanding requests oldest first.
#include "workloads/http_session.hpp"

#include "workloads/http_parser.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace iobench {

namespace {

// Many copies of http_response back to back, so any run of owed responses,
// resumed at any byte, is one slice of it.
std::string_view response_block() {
    static const std::string block = [] {
        std::string b;
        for (size_t i = 0; i < 16384 / http_response.size(); ++i) b += http_response;
        return b;
    }();
    return block;
}

constexpr uint64_t resp_len = http_response.size();

// What a request the scanner refused is answered with, before the close.
std::string_view refusal_for(uint16_t status) {
    switch (status) {
    case 413: return "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    case 414: return "HTTP/1.1 414 URI Too Long\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    case 431: return "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    case 501: return "HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    default: return "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    }
}

class http_server final : public server_session {
public:
    http_server() : block_(response_block()) {}

    void reset() override {
        scan_.reset();
        owed_ = out_total_ = 0;
        refusal_ = {};
    }

    server_step on_recv(const char* data, uint32_t n, int32_t) override {
        server_step s;
        if (scan_.failed()) return owed(s);  // refused already: what comes after is not read
        const auto r = scan_.feed(data, n);
        owed_ += r.requests * resp_len;
        if (!r.ok) {  // malformed: answer what came before it, then its status, then close
            s.error = true;
            s.finish = true;
            refusal_ = refusal_for(scan_.error_status());
        }
        return owed(s);
    }

    server_step on_sent(uint32_t n) override {
        server_step s;
        if (owed_ == 0) {  // the refusal went out (owed() sends it only after every response)
            refusal_.remove_prefix(std::min<size_t>(n, refusal_.size()));
            return owed(s);
        }
        s.requests = static_cast<uint32_t>((out_total_ + n) / resp_len - out_total_ / resp_len);  // responses sent
        out_total_ += n;
        owed_ -= n;
        return owed(s);
    }

private:
    server_step owed(server_step s) const {
        if (owed_ == 0) {
            if (!refusal_.empty()) s.send = send_item::bytes(refusal_.data(), static_cast<uint32_t>(refusal_.size()));
            return s;
        }
        const uint64_t off = out_total_ % resp_len;
        s.send = send_item::bytes(block_.data() + off, static_cast<uint32_t>(std::min<uint64_t>(owed_, block_.size() - off)));
        return s;
    }

    std::string_view block_;
    http_request_scanner scan_;
    uint64_t owed_ = 0;       // response bytes not sent yet
    uint64_t out_total_ = 0;  // response bytes sent so far
    std::string_view refusal_;  // the status line and headers still to send for a refused request
};

class http_client final : public client_session {
public:
    explicit http_client(const client_session_config& c)
        : client_session(std::max(1u, c.pipeline)), id_(c.id), verify_(c.verify),
          tx_(batch() * http_request.size()), rx_(http_reply_window) {
        for (unsigned k = 0; k < batch(); ++k)
            std::memcpy(tx_.data() + k * http_request.size(), http_request.data(), http_request.size());
    }

    void reset() override { scan_ = http_response_scanner{}; }

    request_batch fill(unsigned count) override {
        return {tx_.data(), count * static_cast<uint32_t>(http_request.size()), window()};
    }

    // Every complete response answers the oldest outstanding request.
    reply_step on_reply(const uint8_t* data, uint32_t n, unsigned outstanding) override {
        reply_step r;
        r.next = window();
        int bad_code = 0;
        unsigned extra = 0, bad = 0;
        const auto st = scan_.feed(data, n, [&](int code, bool close) {
            if (close) r.close = true;
            if (r.answered == outstanding) {
                ++extra;
                return;
            }
            if (code != 200 && bad++ == 0) bad_code = code;
            ++r.answered;
        });
        if (bad && !verify_) {  // without verify, each one is counted and the run goes on
            r.rejected = bad;
            bad_code = 0;
        }
        if (st != http_response_scanner::status::ok || extra || bad_code) {
            using hs = http_response_scanner::status;
            const char* why = st == hs::chunked  ? "transfer-encoded (chunked) responses are not supported"
                              : st != hs::ok     ? "malformed response"
                              : extra            ? "a response without a request"
                                                 : "status ";
            std::snprintf(why_, sizeof why_, "http: connection %u: %s", id_, why);
            if (bad_code) std::snprintf(why_ + std::strlen(why_), sizeof why_ - std::strlen(why_), "%d", bad_code);
            r.error = why_;
        }
        return r;
    }

private:
    byte_window window() { return {rx_.data(), static_cast<uint32_t>(rx_.size())}; }

    uint32_t id_;
    bool verify_;
    std::vector<uint8_t> tx_, rx_;
    http_response_scanner scan_;
    char why_[128] = {};
};

}  // namespace

std::unique_ptr<server_session> make_http_server(const server_session_config&) {
    return std::make_unique<http_server>();
}

std::unique_ptr<client_session> make_http_client(const client_session_config& c) {
    return std::make_unique<http_client>(c);
}

}  // namespace iobench
