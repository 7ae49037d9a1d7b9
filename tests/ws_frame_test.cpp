// The WebSocket pieces on their own: the RFC 6455 accept-key vector, the
// handshake checks and the frame parser (masking, 16/64-bit lengths,
// fragmentation with a control frame inside, 1009, 1002).
#include "tests/ws_test_util.hpp"
#include "workloads/ws_handshake.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace iobench {
namespace {

using namespace ws_test;

TEST(ws_handshake, accept_key_is_the_rfc_6455_example) {
    char out[ws_accept_len];
    ws_accept_for("dGhlIHNhbXBsZSBub25jZQ==", out);
    EXPECT_EQ(std::string(out, ws_accept_len), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(ws_handshake, request_checks) {
    const std::string good =
        "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    EXPECT_EQ(ws_header_end(good.data(), good.size()), good.size());
    EXPECT_EQ(ws_header_end(good.data(), good.size() - 1), 0u);
    const auto r = ws_check_request(good);
    ASSERT_TRUE(r.ok) << r.why;
    EXPECT_EQ(r.key, "dGhlIHNhbXBsZSBub25jZQ==");
    char resp[ws_max_response];
    const std::string reply(resp, ws_write_response(resp, r.key));
    EXPECT_NE(reply.find("HTTP/1.1 101 "), std::string::npos);
    EXPECT_NE(reply.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos);
    char accept[ws_accept_len];
    ws_accept_for(r.key, accept);
    EXPECT_STREQ(ws_check_response(reply, accept), "");
    for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
             {"GET /chat", "POST /chat"}, {"HTTP/1.1\r\nHost", "HTTP/1.0\r\nHost"}, {"Upgrade: WebSocket", "Upgrade: h2c"},
             {"keep-alive, Upgrade", "keep-alive"}, {"Version: 13", "Version: 8"}, {"25jZQ==", "25j"}}) {
        std::string bad = good;
        ASSERT_NE(bad.find(from), std::string::npos) << from;
        bad.replace(bad.find(from), from.size(), to);
        EXPECT_FALSE(ws_check_request(bad).ok) << bad;
    }
    std::string wrong = reply;
    wrong[wrong.find("s3pP")] = 'x';
    EXPECT_STRNE(ws_check_response(wrong, accept), "");
}

// --ws-protocol: asked for in the Upgrade; the 101 must name it, and only it
// (and must name none when none was asked for: RFC 6455 §4.1).
TEST(ws_handshake, subprotocol_asked_for_and_checked_in_the_101) {
    char req[ws_max_request];
    const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
    const std::string with(req, ws_write_request(req, "iobench", key, "lws-mirror-protocol"));
    EXPECT_NE(with.find("\r\nSec-WebSocket-Protocol: lws-mirror-protocol\r\n"), std::string::npos) << with;
    EXPECT_TRUE(ws_check_request(with).ok);
    const std::string without(req, ws_write_request(req, "iobench", key));
    EXPECT_EQ(without.find("Sec-WebSocket-Protocol"), std::string::npos);
    const std::string longest(req, ws_write_request(req, std::string(64, 'h'), key, std::string(ws_max_protocol, 'p')));
    EXPECT_LE(longest.size(), ws_max_request);
    char resp[ws_max_response], accept[ws_accept_len];
    ws_accept_for(key, accept);
    std::string plain(resp, ws_write_response(resp, key));
    const std::string agreed = plain.substr(0, plain.size() - 2) + "Sec-WebSocket-Protocol: lws-mirror-protocol\r\n\r\n";
    const std::string other = plain.substr(0, plain.size() - 2) + "Sec-WebSocket-Protocol: chat\r\n\r\n";
    EXPECT_STREQ(ws_check_response(agreed, accept, "lws-mirror-protocol"), "");
    EXPECT_STREQ(ws_check_response(plain, accept), "");
    EXPECT_NE(std::string(ws_check_response(plain, accept, "lws-mirror-protocol")).find("no Sec-WebSocket-Protocol"),
              std::string::npos);
    EXPECT_STRNE(ws_check_response(other, accept, "lws-mirror-protocol"), "");
    EXPECT_STRNE(ws_check_response(agreed, accept), "");  // one no one asked for
}

TEST(ws_frame, masked_text_and_binary_in_any_split) {
    ws_parser p(ws_parser::role::server, 1 << 20);
    bytes in = frame(ws_opcode::text, true, {'h', 'i', '!'}, mask_a);
    const bytes bin = pattern(200);  // a 16-bit length
    const bytes f2 = frame(ws_opcode::binary, true, bin, mask_a);
    in.insert(in.end(), f2.begin(), f2.end());
    for (const size_t step : {SIZE_MAX, size_t{1}, size_t{3}, size_t{7}}) {
        p.reset();
        const parsed r = parse(p, in, step);
        ASSERT_EQ(r.error, 0) << r.why;
        ASSERT_EQ(r.messages.size(), 2u);
        EXPECT_EQ(r.messages[0], (bytes{'h', 'i', '!'}));
        EXPECT_EQ(r.message_ops[0], ws_opcode::text);
        EXPECT_EQ(r.messages[1], bin);
        EXPECT_EQ(r.message_ops[1], ws_opcode::binary);
    }
}

TEST(ws_frame, lengths_7_16_and_64_bit) {
    for (const size_t n : {size_t{0}, size_t{125}, size_t{126}, size_t{65535}, size_t{65536}, size_t{300000}}) {
        const bytes payload = pattern(n);
        const bytes f = frame(ws_opcode::binary, true, payload, mask_a);
        EXPECT_EQ(f.size() - n, (n < 126 ? 2u : n <= 65535 ? 4u : 10u) + 4u) << n;
        ws_parser p(ws_parser::role::server, 1 << 20);
        const parsed r = parse(p, f, 4096);
        ASSERT_EQ(r.error, 0) << r.why;
        ASSERT_EQ(r.frame_lens.size(), 1u);
        EXPECT_EQ(r.frame_lens[0], n);
        ASSERT_EQ(r.messages.size(), 1u);
        EXPECT_EQ(r.messages[0], payload);
    }
}

TEST(ws_frame, fragments_with_a_ping_in_the_middle) {
    const bytes all = pattern(3000);
    bytes in = frame(ws_opcode::binary, false, bytes(all.begin(), all.begin() + 1000), mask_a);
    const bytes ping = frame(ws_opcode::ping, true, {'p', 'q'}, mask_a);
    const bytes c1 = frame(ws_opcode::continuation, false, bytes(all.begin() + 1000, all.begin() + 1500), mask_a);
    const bytes c2 = frame(ws_opcode::continuation, true, bytes(all.begin() + 1500, all.end()), mask_a);
    for (const bytes* b : {&ping, &c1, &ping, &c2}) in.insert(in.end(), b->begin(), b->end());
    ws_parser p(ws_parser::role::server, 1 << 20);
    const parsed r = parse(p, in, 5);
    ASSERT_EQ(r.error, 0) << r.why;
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0], all);
    EXPECT_EQ(r.message_ops[0], ws_opcode::binary);
    ASSERT_EQ(r.controls.size(), 2u);
    EXPECT_EQ(r.controls[0].first, ws_opcode::ping);
    EXPECT_EQ(r.controls[0].second, (bytes{'p', 'q'}));
}

TEST(ws_frame, violations_get_their_close_codes) {
    struct bad_case {
        const char* name;
        bytes in;
        uint16_t code;
    };
    bytes huge = {0x82, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4};  // 64-bit length 2^40, masked
    bytes top_bit = {0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4};
    const std::vector<bad_case> cases = {
        {"oversize frame", frame(ws_opcode::binary, true, pattern(2000), mask_a), ws_close::too_big},
        {"64-bit oversize frame", huge, ws_close::too_big},
        {"oversize message in fragments",
         [] {
             bytes a = frame(ws_opcode::binary, false, pattern(600), mask_a);
             const bytes b = frame(ws_opcode::continuation, true, pattern(600), mask_a);
             a.insert(a.end(), b.begin(), b.end());
             return a;
         }(),
         ws_close::too_big},
        {"bad opcode 3", {0x83, 0x80, 1, 2, 3, 4}, ws_close::protocol_error},
        {"bad opcode 0xb", {0x8b, 0x80, 1, 2, 3, 4}, ws_close::protocol_error},
        {"unmasked client frame", frame(ws_opcode::binary, true, {1, 2, 3}, nullptr), ws_close::protocol_error},
        {"reserved bit", {0xc2, 0x80, 1, 2, 3, 4}, ws_close::protocol_error},
        {"continuation first", frame(ws_opcode::continuation, true, {1}, mask_a), ws_close::protocol_error},
        {"fragmented ping", frame(ws_opcode::ping, false, {1}, mask_a), ws_close::protocol_error},
        {"126-byte ping", {0x89, 0xfe, 0, 126, 1, 2, 3, 4}, ws_close::protocol_error},
        {"64-bit length top bit", top_bit, ws_close::protocol_error},
        {"close code 1005", frame(ws_opcode::close, true, {0x03, 0xed}, mask_a), ws_close::protocol_error},
    };
    for (const auto& c : cases) {
        ws_parser p(ws_parser::role::server, 1024);
        const parsed r = parse(p, c.in, 3);
        EXPECT_EQ(r.error, c.code) << c.name << ": " << r.why;
        EXPECT_TRUE(p.failed()) << c.name;
    }
    ws_parser client(ws_parser::role::client, 1024);
    EXPECT_EQ(parse(client, frame(ws_opcode::binary, true, {1}, mask_a)).error, ws_close::protocol_error)
        << "a server's frame must not be masked";
    ws_parser client2(ws_parser::role::client, 1024);
    EXPECT_EQ(parse(client2, frame(ws_opcode::binary, true, {1}, nullptr)).error, 0);
}

// Garbage in any split: the parser always either consumes bytes or reports,
// never reads past what it was given (run under ASan in CI), and once it
// has failed it stays failed.
TEST(ws_frame, random_bytes_end_in_an_error_or_are_consumed) {
    uint64_t rng = 99;
    const auto rnd = [&](uint64_t m) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        return (rng >> 33) % m;
    };
    unsigned errors = 0;
    for (int round = 0; round < 2000; ++round) {
        bytes in(2 + rnd(300));
        for (auto& b : in) b = static_cast<uint8_t>(rnd(256));
        if (round % 2) in[0] = static_cast<uint8_t>(0x80 | rnd(3)), in[1] |= 0x80;  // half start plausibly
        ws_parser p(ws_parser::role::server, 1 + rnd(1000));
        const parsed r = parse(p, in, 1 + rnd(16));
        if (r.error) {
            ++errors;
            EXPECT_TRUE(r.error == ws_close::protocol_error || r.error == ws_close::too_big) << r.error;
            EXPECT_TRUE(p.failed());
            ws_event ev;
            EXPECT_EQ(p.next(in.data(), in.size(), 100, ev), 0u);
            EXPECT_EQ(ev.what, ws_event::kind::error);
        }
    }
    EXPECT_GT(errors, 1000u);  // garbage is mostly refused
}

}  // namespace
}  // namespace iobench
