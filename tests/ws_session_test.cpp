// The ws_echo sessions fed bytes directly, as the net loops would: the
// server (handshake, echo, ping, close, bad input, provided buffers, any split
// and partial sends) and the load generator's client (verify, handshake check).
#include "tests/ws_test_util.hpp"
#include "workloads/net_workload.hpp"
#include "workloads/ws_echo_session.hpp"
#include "workloads/ws_handshake.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace iobench {
namespace {

using namespace ws_test;

// The server session, fed bytes as the loop would (own buffer), output collected as the loop sends it.
struct server_drive {
    std::unique_ptr<server_session> s = find_net_workload("ws_echo")->make_server({});
    std::string out;
    server_step last;
    server_drive() { s->reset(); }
    void feed(const std::string& in) {
        last = s->on_recv(in.data(), static_cast<uint32_t>(in.size()), -1);
        while (last.send.what == send_item::kind::buffer) {
            out.append(last.send.buf, last.send.len);
            const bool finish = last.finish, error = last.error;
            last = s->on_sent(last.send.len);
            last.finish |= finish;
            last.error |= error;
        }
    }
    // What a client makes of the output after the 101.
    parsed frames() const {
        const size_t end = ws_header_end(out.data(), out.size());
        ws_parser client(ws_parser::role::client, 1 << 20);
        return parse(client, bytes(out.begin() + static_cast<long>(end), out.end()));
    }
};

const std::string upgrade =
    "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";


TEST(ws_echo_server, handshake_echo_ping_and_close) {
    server_drive d;
    const bytes big = pattern(70000);  // more than the output buffer: streamed through it
    d.feed(upgrade + str(frame(ws_opcode::text, true, {'a', 'b'}, mask_a)) + str(frame(ws_opcode::ping, true, {'z'}, mask_a)) +
           str(frame(ws_opcode::binary, true, big, mask_a)));
    ASSERT_EQ(d.out.rfind("HTTP/1.1 101 ", 0), 0u) << d.out;
    const size_t end = ws_header_end(d.out.data(), d.out.size());
    ASSERT_GT(end, 0u);
    EXPECT_NE(d.out.find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos);
    const parsed r = d.frames();
    ASSERT_EQ(r.error, 0) << r.why;
    ASSERT_EQ(r.messages.size(), 2u);
    EXPECT_EQ(r.messages[0], (bytes{'a', 'b'}));
    EXPECT_EQ(r.message_ops[0], ws_opcode::text);
    EXPECT_EQ(r.messages[1], big);
    ASSERT_EQ(r.controls.size(), 1u);
    EXPECT_EQ(r.controls[0].first, ws_opcode::pong);
    EXPECT_EQ(r.controls[0].second, bytes{'z'});
    EXPECT_FALSE(d.last.finish);
    d.out.clear();
    d.feed(str(frame(ws_opcode::close, true, {0x03, 0xe8}, mask_a)));  // 1000
    EXPECT_EQ(d.out, std::string("\x88\x02\x03\xe8", 4));
    EXPECT_TRUE(d.last.finish);
    EXPECT_FALSE(d.last.error);
}

TEST(ws_echo_server, bad_input_is_answered_then_closed) {
    {
        server_drive d;
        d.feed("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(d.out.rfind("HTTP/1.1 400 ", 0), 0u) << d.out;
        EXPECT_TRUE(d.last.finish && d.last.error);
    }
    for (const auto& [in, code] : std::vector<std::pair<bytes, uint16_t>>{
             {frame(ws_opcode::binary, true, {1, 2}, nullptr), 1002},
             {{0x83, 0x80, 1, 2, 3, 4}, 1002},
             {{0x82, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4}, 1009}}) {
        server_drive d;
        d.feed(upgrade + str(in));
        const size_t end = ws_header_end(d.out.data(), d.out.size());
        ASSERT_GT(end, 0u);
        EXPECT_EQ(d.out.substr(end), std::string("\x88\x02", 2) + char(code >> 8) + char(code & 0xff));
        EXPECT_TRUE(d.last.finish && d.last.error);
    }
}

// RFC 6455 §8.1: text is checked as UTF-8 across fragments, binary is not.
TEST(ws_echo_server, text_split_mid_code_point_is_echoed_and_binary_is_not_checked) {
    server_drive d;
    d.feed(upgrade + str(frame(ws_opcode::text, false, {'a', 0xe2, 0x82}, mask_a)) +  // U+20AC cut after 2 bytes
           str(frame(ws_opcode::continuation, true, {0xac, 'b'}, mask_a)) +
           str(frame(ws_opcode::binary, true, {0xff, 0xed, 0xa0, 0x80}, mask_a)));
    const parsed r = d.frames();
    ASSERT_EQ(r.error, 0) << r.why;
    ASSERT_EQ(r.messages.size(), 2u);
    EXPECT_EQ(r.messages[0], (bytes{'a', 0xe2, 0x82, 0xac, 'b'}));
    EXPECT_EQ(r.messages[1], (bytes{0xff, 0xed, 0xa0, 0x80}));
    EXPECT_TRUE(r.controls.empty());
    EXPECT_FALSE(d.last.finish || d.last.error);
}

TEST(ws_echo_server, text_that_is_not_utf8_gets_close_1007) {
    const std::string close_1007("\x88\x02\x03\xef", 4);
    for (const bytes& bad : std::vector<bytes>{{'o', 0xc0, 0x80}, {0xed, 0xa0, 0x80}, {0xf4, 0x90, 0x80, 0x80}, {'x', 0xe2, 0x82}}) {
        server_drive d;
        d.feed(upgrade + str(frame(ws_opcode::text, true, bad, mask_a)));
        const size_t end = ws_header_end(d.out.data(), d.out.size());
        ASSERT_GT(end, 0u);
        EXPECT_EQ(d.out.substr(end), close_1007) << testing::PrintToString(bad);  // the frame's echo dropped for the close
        EXPECT_TRUE(d.last.finish && d.last.error);
    }
    // Ill-formed in the second fragment: the first (well-formed) was echoed, then the close.
    server_drive d;
    d.feed(upgrade + str(frame(ws_opcode::text, false, {'o', 'k', 0xe2}, mask_a)));
    d.feed(str(frame(ws_opcode::continuation, true, {0x41}, mask_a)));
    const size_t end = ws_header_end(d.out.data(), d.out.size());
    EXPECT_EQ(d.out.substr(end), std::string("\x01\x03ok\xe2", 5) + close_1007);
    EXPECT_TRUE(d.last.finish && d.last.error);
    // Found after part of the frame's echo went out (70000 B streams through 32 KiB):
    // a close frame would land inside that payload, so the connection just closes.
    server_drive big;
    bytes text = text_pattern(70000);
    text.back() = 0xff;
    big.feed(upgrade + str(frame(ws_opcode::text, true, text, mask_a)));
    EXPECT_EQ(big.out.find(close_1007), std::string::npos);
    EXPECT_LT(big.out.size(), ws_header_end(big.out.data(), big.out.size()) + 70000 + 4);
    EXPECT_TRUE(big.last.finish && big.last.error);
}

// With a provided buffer ring: the session holds each buffer until parsed
// and gives back every one it is done with (several in one step, too).
TEST(ws_echo_server, provided_buffers_all_come_back) {
    held_buffers held(8);
    server_session_config cfg;
    cfg.held = &held;
    auto s = find_net_workload("ws_echo")->make_server(cfg);
    s->reset();
    const std::string in = upgrade + str(frame(ws_opcode::binary, true, pattern(40000), mask_a)) +
                           str(frame(ws_opcode::binary, true, pattern(30000), mask_a));
    // Split over 6 buffers; nothing sent until all have arrived, so the output fills and input waits.
    std::vector<int32_t> back;
    std::string out;
    server_step st;
    const size_t part = in.size() / 6 + 1;
    const auto collect = [&](const server_step& x) {
        if (x.release >= 0) back.push_back(x.release);
        if (x.more_released)
            for (int32_t b; (b = s->take_released()) >= 0;) back.push_back(b);
    };
    for (size_t i = 0; i < 6; ++i) {
        const std::string_view piece = std::string_view(in).substr(i * part, part);
        st = s->on_recv(piece.data(), static_cast<uint32_t>(piece.size()), static_cast<int32_t>(i));
        EXPECT_TRUE(st.keep);
        collect(st);
    }
    while (st.send.what == send_item::kind::buffer) {
        out.append(st.send.buf, st.send.len);
        st = s->on_sent(st.send.len);
        collect(st);
    }
    std::sort(back.begin(), back.end());
    EXPECT_EQ(back, (std::vector<int32_t>{0, 1, 2, 3, 4, 5}));
    EXPECT_EQ(s->release_held(), -1);
    const size_t end = ws_header_end(out.data(), out.size());
    ASSERT_GT(end, 0u);
    ws_parser client(ws_parser::role::client, 1 << 20);
    const parsed r = parse(client, bytes(out.begin() + static_cast<long>(end), out.end()));
    ASSERT_EQ(r.messages.size(), 2u);
    EXPECT_EQ(r.messages[0], pattern(40000));
    EXPECT_EQ(r.messages[1], pattern(30000));
}

// The load generator's client: the Upgrade alone first (RFC 6455 §4.1: no
// frame before the 101, which answers it), then a masked message; a correct
// echo answers that, a wrong byte fails naming connection and offset.
TEST(ws_echo_client, handshake_echo_and_a_mismatch_named) {
    const net_workload* w = find_net_workload("ws_echo");
    for (const bool corrupt : {false, true}) {
        auto c = w->make_client({3, 100, 1, true, {}});
        const request_batch hs = c->fill(1);
        const std::string up(reinterpret_cast<const char*>(hs.data), hs.len);
        const size_t end = ws_header_end(up.data(), up.size());
        ASSERT_EQ(end, up.size()) << "nothing may follow the Upgrade before the 101";
        const auto chk = ws_check_request(std::string_view(up).substr(0, end));
        ASSERT_TRUE(chk.ok) << chk.why;
        char resp[ws_max_response];
        const std::string accepted(resp, ws_write_response(resp, chk.key));
        const reply_step r0 = c->on_reply(reinterpret_cast<const uint8_t*>(accepted.data()),
                                          static_cast<uint32_t>(accepted.size()), 1);
        ASSERT_EQ(r0.error, nullptr) << r0.error;
        EXPECT_EQ(r0.answered, 1u);
        const request_batch req = c->fill(1);
        const std::string tx(reinterpret_cast<const char*>(req.data), req.len);
        // Its frame: masked, binary, 100 bytes.
        ws_parser sp(ws_parser::role::server, 1 << 20);
        const parsed m = parse(sp, bytes(tx.begin(), tx.end()));
        ASSERT_EQ(m.error, 0) << m.why;
        ASSERT_EQ(m.messages.size(), 1u);
        ASSERT_EQ(m.messages[0].size(), 100u);
        EXPECT_EQ(m.message_ops[0], ws_opcode::binary);
        bytes echo = m.messages[0];
        if (corrupt) echo[50] ^= 1;
        std::string reply = str(frame(ws_opcode::binary, true, echo, nullptr));
        // Delivered in two pieces, split inside the frame.
        const auto* p = reinterpret_cast<const uint8_t*>(reply.data());
        reply_step r1 = c->on_reply(p, static_cast<uint32_t>(reply.size() - 60), 1);
        ASSERT_EQ(r1.error, nullptr) << r1.error;
        EXPECT_EQ(r1.answered, 0u);
        const reply_step r2 = c->on_reply(p + reply.size() - 60, 60, 1);
        if (!corrupt) {
            EXPECT_EQ(r2.error, nullptr) << r2.error;
            EXPECT_EQ(r2.answered, 1u);
        } else {
            ASSERT_NE(r2.error, nullptr);
            EXPECT_NE(std::string(r2.error).find("connection 3 message 1 byte offset 50"), std::string::npos) << r2.error;
        }
    }
    auto c = w->make_client({0, 16, 1, true, {}});
    c->fill(1);
    const std::string bad = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";  // not this client's key
    const reply_step r = c->on_reply(reinterpret_cast<const uint8_t*>(bad.data()), static_cast<uint32_t>(bad.size()), 1);
    ASSERT_NE(r.error, nullptr);
    EXPECT_NE(std::string(r.error).find("wrong Sec-WebSocket-Accept"), std::string::npos) << r.error;
}

// Any split of the input and any partial sends give the same output bytes,
// with and without provided buffers (a fixed-seed random walk, so repeatable).
TEST(ws_echo_server, output_is_the_same_for_any_split_and_partial_sends) {
    std::string in = upgrade;
    for (int i = 0; i < 40; ++i) {
        const size_t n = (i * 7919u) % 3 == 0 ? 70000 + i : (i * 131u) % 400;
        const bool fragmented = i % 5 == 0;
        if (fragmented) {
            in += str(frame(ws_opcode::binary, false, pattern(n / 2), mask_a));
            in += str(frame(ws_opcode::ping, true, {uint8_t(i)}, mask_a));
            in += str(frame(ws_opcode::continuation, true, pattern(n - n / 2), mask_a));
        } else {
            in += str(i % 2 ? frame(ws_opcode::text, true, text_pattern(n), mask_a) : frame(ws_opcode::binary, true, pattern(n), mask_a));
        }
    }
    server_drive once;
    once.feed(in);
    ASSERT_FALSE(once.last.finish);
    uint64_t rng = 12345;
    const auto rnd = [&](uint64_t m) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        return (rng >> 33) % m;
    };
    for (const bool ring : {false, true}) {
        held_buffers held(4096);
        server_session_config cfg;
        if (ring) cfg.held = &held;
        auto s = find_net_workload("ws_echo")->make_server(cfg);
        s->reset();
        std::string out;
        std::vector<std::string> bufs;  // provided buffers stay put while held
        bufs.reserve(4096);
        unsigned live = 0;
        server_step st;
        const auto take = [&](const server_step& x) {
            if (x.release >= 0) --live;
            if (x.more_released)
                while (s->take_released() >= 0) --live;
        };
        size_t at = 0;
        while (at < in.size() || st.send.what == send_item::kind::buffer) {
            if (st.send.what == send_item::kind::buffer && (at == in.size() || !st.recv || rnd(2))) {
                const uint32_t n = 1 + static_cast<uint32_t>(rnd(st.send.len));  // a partial send
                out.append(st.send.buf, n);
                st = s->on_sent(n);
                take(st);
                continue;
            }
            if (!ring && !st.recv) {  // own buffer busy with nothing owed: the session would stall
                ADD_FAILURE() << "own buffer busy and nothing to send at input byte " << at;
                break;
            }
            const size_t n = std::min<size_t>(in.size() - at, 1 + rnd(20000));
            bufs.emplace_back(in.substr(at, n));
            at += n;
            ++live;
            st = s->on_recv(bufs.back().data(), static_cast<uint32_t>(n), ring ? static_cast<int32_t>(bufs.size() - 1) : -1);
            if (!ring) --live;
            take(st);
        }
        EXPECT_EQ(live, 0u) << "provided buffers never given back";
        ASSERT_EQ(out.size(), once.out.size()) << (ring ? "ring" : "own buffer");
        EXPECT_TRUE(out == once.out) << (ring ? "ring" : "own buffer");
    }
}

}  // namespace
}  // namespace iobench
