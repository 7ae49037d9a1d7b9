// net_server tests, continued: ws_echo on the backend under test, spoken to
// by a plain-socket WebSocket client written here (independent of the
// workload's own client): handshake, text, binary, a 1 MiB message in
// fragments with pings between them, the closing handshake, and bad clients
// among good ones.
#include "tests/net_server_client.hpp"
#include "workloads/ws_frame.hpp"
#include "workloads/ws_handshake.hpp"

namespace iobench::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* test_key = "dGhlIHNhbXBsZSBub25jZQ==";

std::string upgrade_request() {
    return std::string("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: ") +
           test_key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

// A connection upgraded to WebSocket, its 101 checked.
int ws_dial(const net_server& s) {
    const int fd = dial(s);
    const std::string req = upgrade_request();
    EXPECT_TRUE(write_all(fd, req.data(), req.size()));
    const std::string head = read_head(fd);
    EXPECT_EQ(head.rfind("HTTP/1.1 101 ", 0), 0u) << head;
    EXPECT_NE(head.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos) << head;
    return fd;
}

void send_frame(int fd, ws_opcode op, bool fin, const char* p, size_t n) {
    const uint8_t mask[4] = {0xa1, 0x07, 0x5c, 0xe3};
    std::vector<uint8_t> f(ws_max_header + n);
    const uint32_t h = ws_encode_header(f.data(), op, fin, n, mask);
    ws_unmask(f.data() + h, reinterpret_cast<const uint8_t*>(p), n, mask, 0);
    ASSERT_TRUE(write_all(fd, f.data(), h + n));
}

struct frame_in {
    bool ok = false;
    ws_opcode op{};
    bool fin = false;
    std::string payload;
};

// One server frame (unmasked, as the RFC requires of a server).
frame_in read_frame(int fd) {
    frame_in f;
    uint8_t h[10];
    if (!read_exact(fd, h, 2)) return f;
    EXPECT_FALSE(h[1] & 0x80) << "a server frame is masked";
    uint64_t len = h[1] & 0x7f;
    if (len >= 126) {
        const size_t k = len == 126 ? 2 : 8;
        if (!read_exact(fd, h + 2, k)) return f;
        len = 0;
        for (size_t i = 0; i < k; ++i) len = len << 8 | h[2 + i];
    }
    f.op = static_cast<ws_opcode>(h[0] & 0x0f);
    f.fin = h[0] & 0x80;
    f.payload.resize(len);
    f.ok = read_exact(fd, f.payload.data(), len);
    return f;
}

// A whole message (data frames reassembled; pongs collected apart).
std::string read_message(int fd, ws_opcode* op = nullptr, unsigned* pongs = nullptr) {
    std::string m;
    for (;;) {
        const frame_in f = read_frame(fd);
        if (!f.ok) {
            ADD_FAILURE() << "connection ended inside a message";
            return m;
        }
        if (f.op == ws_opcode::pong) {
            if (pongs) ++*pongs;
            continue;
        }
        if (op && f.op != ws_opcode::continuation) *op = f.op;
        m += f.payload;
        if (f.fin) return m;
    }
}

TEST(net_server, ws_text_binary_and_a_fragmented_mib_byte_exact) {
    net_server s(options("ws_echo"));
    s.start();
    const int fd = ws_dial(s);
    ws_opcode op{};
    send_frame(fd, ws_opcode::text, true, "hello", 5);
    EXPECT_EQ(read_message(fd, &op), "hello");
    EXPECT_EQ(op, ws_opcode::text);
    const auto bin = pattern(300, 1);  // a 16-bit length
    send_frame(fd, ws_opcode::binary, true, bin.data(), bin.size());
    EXPECT_EQ(read_message(fd, &op), std::string(bin.begin(), bin.end()));
    EXPECT_EQ(op, ws_opcode::binary);
    // 1 MiB in 16 fragments, a ping after each: written by a thread while this one reads.
    const auto big = pattern(1 << 20, 2);
    std::thread w([&] {
        for (size_t i = 0; i < 16; ++i) {
            send_frame(fd, i ? ws_opcode::continuation : ws_opcode::binary, i == 15, big.data() + i * 65536, 65536);
            send_frame(fd, ws_opcode::ping, true, "p", 1);
        }
    });
    unsigned pongs = 0;
    const std::string got = read_message(fd, &op, &pongs);
    w.join();
    EXPECT_EQ(op, ws_opcode::binary);
    ASSERT_EQ(got.size(), big.size());
    size_t bad = 0;
    while (bad < got.size() && got[bad] == big[bad]) ++bad;
    EXPECT_EQ(bad, got.size()) << "first mismatch at byte " << bad;
    while (pongs < 16) {  // the last pong follows the message's end
        const frame_in f = read_frame(fd);
        ASSERT_TRUE(f.ok && f.op == ws_opcode::pong);
        ++pongs;
    }
    // The closing handshake: our status echoed, then the server hangs up.
    send_frame(fd, ws_opcode::close, true, "\x03\xe8", 2);
    const frame_in c = read_frame(fd);
    EXPECT_TRUE(c.ok && c.op == ws_opcode::close);
    EXPECT_EQ(c.payload, std::string("\x03\xe8", 2));
    EXPECT_EQ(recv1(fd), 0);
    ::close(fd);
    const auto st = settle(s, [](const server_stats& x) { return x.live_connections == 0 && x.requests >= 3; });
    EXPECT_EQ(st.requests, 3u);
    EXPECT_EQ(st.errors, 0u);
    s.stop();
}

// Expects a close frame with `code`, then EOF.
void expect_closed_with(int fd, uint16_t code) {
    const frame_in c = read_frame(fd);
    ASSERT_TRUE(c.ok) << "no close frame";
    EXPECT_EQ(c.op, ws_opcode::close);
    ASSERT_EQ(c.payload.size(), 2u);
    EXPECT_EQ(static_cast<uint8_t>(c.payload[0]) << 8 | static_cast<uint8_t>(c.payload[1]), code);
    EXPECT_EQ(recv1(fd), 0);
}

TEST(net_server, ws_bad_clients_get_their_codes_and_the_good_ones_go_on) {
    net_server s(options("ws_echo"));
    s.start();
    std::vector<int> good;
    for (int i = 0; i < 4; ++i) good.push_back(ws_dial(s));
    const auto round = [&](int k) {
        for (size_t i = 0; i < good.size(); ++i) {
            const std::string m = "message " + std::to_string(k) + " on " + std::to_string(i);
            send_frame(good[i], ws_opcode::binary, true, m.data(), m.size());
        }
        for (const int fd : good) EXPECT_NE(read_message(fd).find("message " + std::to_string(k)), std::string::npos);
    };
    round(0);
    {  // malformed handshake: 400, then EOF
        const int fd = dial(s);
        const std::string req = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n";
        ASSERT_TRUE(write_all(fd, req.data(), req.size()));
        EXPECT_EQ(read_head(fd).rfind("HTTP/1.1 400 ", 0), 0u);
        EXPECT_EQ(recv1(fd), 0);
        ::close(fd);
    }
    round(1);
    {  // an unmasked client frame: 1002
        const int fd = ws_dial(s);
        const char f[] = {'\x82', '\x03', 'a', 'b', 'c'};
        ASSERT_TRUE(write_all(fd, f, sizeof f));
        expect_closed_with(fd, ws_close::protocol_error);
        ::close(fd);
    }
    {  // a bad opcode: 1002
        const int fd = ws_dial(s);
        send_frame(fd, static_cast<ws_opcode>(3), true, "x", 1);
        expect_closed_with(fd, ws_close::protocol_error);
        ::close(fd);
    }
    {  // a frame over the 16 MiB limit (its header is enough): 1009
        const int fd = ws_dial(s);
        const uint8_t h[] = {0x82, 0xff, 0, 0, 0, 0, 0x10, 0, 0, 0, 1, 2, 3, 4};  // 256 MiB
        ASSERT_TRUE(write_all(fd, h, sizeof h));
        expect_closed_with(fd, ws_close::too_big);
        ::close(fd);
    }
    round(2);
    const auto st = settle(s, [](const server_stats& x) { return x.errors >= 4 && x.live_connections == 4; });
    EXPECT_EQ(st.errors, 4u);
    EXPECT_EQ(st.live_connections, 4u);
    for (const int fd : good) ::close(fd);
    s.stop();
}

}  // namespace
}  // namespace iobench::test
