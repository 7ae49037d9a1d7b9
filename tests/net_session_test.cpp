// Unit tests of the network sessions through the workload registry: bytes
// in, what each asks to send, split and partial input, errors.
#include "workloads/http_session.hpp"
#include "workloads/net_workload.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace iobench {
namespace {

std::unique_ptr<server_session> server(const char* name, held_buffers* held = nullptr) {
    server_session_config c;
    c.held = held;
    return find_net_workload(name)->make_server(c);
}

std::unique_ptr<client_session> client(const char* name, unsigned pipeline = 1, bool verify = true) {
    return find_net_workload(name)->make_client({7, 64, pipeline, verify, {}});
}

std::string sent(const server_step& s) {
    EXPECT_EQ(s.send.what, send_item::kind::buffer);
    return std::string(s.send.buf, s.send.len);
}

// Copies `text` into the session's reply window and hands it over.
reply_step reply(client_session& c, byte_window& w, const std::string& text, unsigned outstanding) {
    EXPECT_LE(text.size(), w.len);
    std::memcpy(w.buf, text.data(), text.size());
    const reply_step r = c.on_reply(w.buf, static_cast<uint32_t>(text.size()), outstanding);
    if (r.next.len) w = r.next;
    return r;
}

TEST(net_registry, names_and_lookup) {
    EXPECT_EQ(net_workload_names(", ", " or "), "echo, stream, http or ws_echo");
    for (const char* n : {"echo", "stream", "http", "ws_echo"}) {
        const net_workload* w = find_net_workload(n);
        ASSERT_NE(w, nullptr) << n;
        EXPECT_EQ(w->name, n);
        EXPECT_FALSE(w->summary.empty());
    }
    EXPECT_EQ(find_net_workload("ftp"), nullptr);
    EXPECT_EQ(find_net_workload("stream")->default_msg_size, 64u * 1024);
    EXPECT_FALSE(find_net_workload("http")->sized);
}

TEST(echo_session, server_own_buffer_is_busy_until_echoed) {
    auto s = server("echo");
    const char buf[] = "hello";
    server_step st = s->on_recv(buf, 5, -1);
    EXPECT_EQ(st.requests, 1u);
    EXPECT_EQ(sent(st), "hello");
    EXPECT_FALSE(st.recv);
    st = s->on_sent(2);  // partial send: the rest is owed
    EXPECT_EQ(sent(st), "llo");
    EXPECT_FALSE(st.recv);
    st = s->on_sent(3);
    EXPECT_EQ(st.send.what, send_item::kind::none);
    EXPECT_TRUE(st.recv);
    EXPECT_FALSE(st.finish || st.error);
}

TEST(echo_session, server_holds_provided_buffers_in_order) {
    held_buffers held(4);
    auto s = server("echo", &held);
    const char a[] = "first", b[] = "xyz";
    server_step st = s->on_recv(a, 5, 2);
    EXPECT_TRUE(st.keep);
    EXPECT_EQ(sent(st), "first");
    st = s->on_recv(b, 3, 0);
    EXPECT_TRUE(st.keep && st.recv);
    EXPECT_EQ(sent(st), "first");  // still the head
    st = s->on_sent(5);
    EXPECT_EQ(st.release, 2);  // all of buffer 2 is out
    EXPECT_EQ(sent(st), "xyz");
    st = s->on_sent(1);
    EXPECT_EQ(st.release, -1);
    EXPECT_EQ(sent(st), "yz");
    EXPECT_EQ(s->release_held(), 0);  // closing: what is still held goes back
    EXPECT_EQ(s->release_held(), -1);
    s->reset();
    EXPECT_EQ(s->release_held(), -1);
}

TEST(echo_session, client_accumulates_and_verifies) {
    auto c = client("echo");
    EXPECT_EQ(c->batch(), 1u);
    request_batch rq = c->fill(1);
    ASSERT_EQ(rq.len, 64u);
    ASSERT_EQ(rq.reply.len, 64u);
    const std::string msg(reinterpret_cast<const char*>(rq.data), rq.len);
    byte_window w = rq.reply;
    reply_step r = reply(*c, w, msg.substr(0, 10), 1);  // partial: need more, after those 10 bytes
    EXPECT_EQ(r.answered, 0u);
    EXPECT_EQ(r.error, nullptr);
    EXPECT_EQ(r.next.len, 54u);
    EXPECT_EQ(r.next.buf, rq.reply.buf + 10);
    r = reply(*c, w, msg.substr(10), 1);
    EXPECT_EQ(r.answered, 1u);
    EXPECT_EQ(r.error, nullptr);
    // The next message differs (sequence number), and a wrong byte is named.
    rq = c->fill(1);
    std::string bad(reinterpret_cast<const char*>(rq.data), rq.len);
    EXPECT_NE(bad, msg);
    bad[37] ^= 1;
    w = rq.reply;
    r = reply(*c, w, bad, 1);
    ASSERT_NE(r.error, nullptr);
    EXPECT_NE(std::string(r.error).find("connection 7 message 2 byte offset 37"), std::string::npos) << r.error;
    // Without verify the same bytes complete the request.
    auto lax = client("echo", 1, false);
    rq = lax->fill(1);
    w = rq.reply;
    EXPECT_EQ(reply(*lax, w, std::string(64, 'z'), 1).answered, 1u);
}

TEST(stream_session, sinks_and_sends_one_way) {
    auto s = server("stream");
    const char buf[] = "abc";
    const server_step st = s->on_recv(buf, 3, -1);
    EXPECT_EQ(st.requests, 1u);
    EXPECT_EQ(st.send.what, send_item::kind::none);
    EXPECT_TRUE(st.recv);
    auto c = client("stream");
    const request_batch rq = c->fill(1);
    EXPECT_EQ(rq.len, 64u);
    EXPECT_EQ(rq.reply.len, 0u);  // nothing comes back: done once sent
    EXPECT_NE(c->on_reply(nullptr, 0, 1).error, nullptr);
}

TEST(http_session, server_answers_split_and_pipelined_requests) {
    auto s = server("http");
    const std::string req(http_request);
    server_step st = s->on_recv(req.data(), 7, -1);  // not a whole request yet
    EXPECT_EQ(st.send.what, send_item::kind::none);
    st = s->on_recv(req.data() + 7, static_cast<uint32_t>(req.size() - 7), -1);
    EXPECT_EQ(sent(st), http_response);
    st = s->on_sent(10);  // partial: no response complete yet, the rest resumes at byte 10
    EXPECT_EQ(st.requests, 0u);
    EXPECT_EQ(sent(st), http_response.substr(10));
    st = s->on_sent(static_cast<uint32_t>(http_response.size() - 10));
    EXPECT_EQ(st.requests, 1u);
    EXPECT_EQ(st.send.what, send_item::kind::none);
    const std::string three = req + req + req;
    st = s->on_recv(three.data(), static_cast<uint32_t>(three.size()), -1);
    EXPECT_EQ(sent(st), std::string(http_response) + std::string(http_response) + std::string(http_response));
    EXPECT_EQ(s->on_sent(st.send.len).requests, 3u);
}

TEST(http_session, server_answers_good_requests_then_finishes_on_garbage) {
    auto s = server("http");
    const std::string in = std::string(http_request) + "\x16\x03\x01 tls";
    const server_step st = s->on_recv(in.data(), static_cast<uint32_t>(in.size()), -1);
    EXPECT_TRUE(st.error);
    EXPECT_TRUE(st.finish);
    EXPECT_EQ(sent(st), http_response);  // the good one is still answered
    s->reset();
    const std::string req(http_request);
    EXPECT_FALSE(s->on_recv(req.data(), static_cast<uint32_t>(req.size()), -1).error);
}

TEST(http_session, client_pipelines_and_counts_replies_in_pieces) {
    auto c = client("http", 3);
    EXPECT_EQ(c->batch(), 3u);
    const request_batch rq = c->fill(2);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(rq.data), rq.len),
              std::string(http_request) + std::string(http_request));
    byte_window w = rq.reply;
    const std::string two = std::string(http_response) + std::string(http_response);
    reply_step r = reply(*c, w, two.substr(0, 50), 2);
    EXPECT_EQ(r.answered, 0u);
    r = reply(*c, w, two.substr(50, http_response.size()), 2);
    EXPECT_EQ(r.answered, 1u);
    r = reply(*c, w, two.substr(50 + http_response.size()), 1);
    EXPECT_EQ(r.answered, 1u);
    EXPECT_EQ(r.error, nullptr);
    EXPECT_FALSE(r.close);
    c->fill(1);
    r = reply(*c, w, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", 1);
    EXPECT_EQ(r.answered, 1u);
    EXPECT_TRUE(r.close);  // reconnect before the next request
}

TEST(http_session, client_errors_say_why) {
    auto c = client("http");
    byte_window w = c->fill(1).reply;
    const std::string not_found = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
    reply_step r = reply(*c, w, not_found, 1);
    ASSERT_NE(r.error, nullptr);
    EXPECT_STREQ(r.error, "http: connection 7: status 404");
    auto lax = client("http", 1, false);  // without verify: counted, not fatal
    w = lax->fill(1).reply;
    r = reply(*lax, w, not_found, 1);
    EXPECT_EQ(r.error, nullptr);
    EXPECT_EQ(r.answered, 1u);
    EXPECT_EQ(r.rejected, 1u);
    r = reply(*lax, w, not_found, 0);  // nothing outstanding
    ASSERT_NE(r.error, nullptr);
    EXPECT_NE(std::string(r.error).find("a response without a request"), std::string::npos);
    auto d = client("http");
    w = d->fill(1).reply;
    r = reply(*d, w, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 1);
    ASSERT_NE(r.error, nullptr);
    EXPECT_NE(std::string(r.error).find("chunked"), std::string::npos);
    auto e = client("http");
    w = e->fill(1).reply;
    r = reply(*e, w, "SSH-2.0-OpenSSH\r\n", 1);
    ASSERT_NE(r.error, nullptr);
    EXPECT_NE(std::string(r.error).find("malformed response"), std::string::npos);
}

}  // namespace
}  // namespace iobench
