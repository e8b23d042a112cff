// WebSocket chat over the real HTTP listener on loopback, driven by a Beast WebSocket client.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "tests/net/chat/chat_test_support.hpp"

namespace onair::net::chat::testing {
namespace {

using json = nlohmann::json;

class chat_ws : public chat_fixture {};

TEST_F(chat_ws, upgrade_join_and_message_round_trip) {
  auto a = joined("ana");
  auto b = joined("bo");
  a->send(R"({"type":"msg","text":"hello 🔥","client_id":"c-1"})");
  auto ack = a->read_json();
  EXPECT_EQ(ack["type"], "ack");
  EXPECT_EQ(ack["client_id"], "c-1");
  EXPECT_EQ(ack["seq"], 1);
  for (auto* c : {a.get(), b.get()}) {
    auto m = c->read_json();
    EXPECT_EQ(m["type"], "msg");
    EXPECT_EQ(m["seq"], 1);
    EXPECT_EQ(m["text"], "hello 🔥");
    EXPECT_EQ(m["ts"], "2024-05-01T12:00:00.000Z");
  }
  // What net told the handler about the connection.
  const auto recs = chat_.records();
  ASSERT_EQ(recs.size(), 2u);
  for (const auto& [id, r] : recs) {
    EXPECT_EQ(r.req.room_id, "r1");
    EXPECT_EQ(r.req.connection_id, id);
    EXPECT_EQ(r.req.peer.rfind("127.0.0.1:", 0), 0u) << r.req.peer;
    ASSERT_FALSE(r.frames.empty());
    EXPECT_TRUE(std::holds_alternative<join_frame>(r.frames.front()));
  }
  a->close();
  b->close();
  ASSERT_TRUE(chat_.wait_closes(2));
}

TEST_F(chat_ws, room_id_is_percent_decoded_and_origin_passed_through) {
  ws_client c(port_);
  EXPECT_EQ(c.handshake("/ws/rooms/night%20set/chat", "https://app.example").result_int(), 101u);
  ASSERT_TRUE(chat_.wait([](const auto& rs) { return rs.size() == 1; }));
  const auto r = chat_.records().begin()->second;
  EXPECT_EQ(r.req.room_id, "night set");
  EXPECT_EQ(r.req.origin, "https://app.example");
}

TEST_F(chat_ws, oversize_frame_closes_with_1009) {
  auto c = joined();
  c->send(R"({"type":"msg","text":")" + std::string(5000, 'x') + "\"}");
  EXPECT_EQ(c->read_until_close(), close_code::too_big);
  ASSERT_TRUE(chat_.wait_closes(1));
}

TEST_F(chat_ws, a_frame_at_the_limit_is_accepted) {
  auto c = joined();
  std::string f = R"({"type":"msg","text":")";
  f += std::string(4096 - f.size() - 2, 'y') + "\"}";
  ASSERT_EQ(f.size(), 4096u);
  c->send(f);
  EXPECT_EQ(c->read_json()["type"], "ack");
}

TEST_F(chat_ws, invalid_utf8_closes_with_1007) {
  auto c = joined();
  c->send("{\"type\":\"msg\",\"text\":\"\xff\xfe\"}");
  EXPECT_EQ(c->read_until_close(), close_code::invalid_utf8);
  ASSERT_TRUE(chat_.wait_closes(1));
}

TEST_F(chat_ws, invalid_json_gets_an_error_frame_and_the_connection_stays_open) {
  auto c = joined();
  c->send("this is not json");
  auto e = c->read_json();
  EXPECT_EQ(e["type"], "error");
  EXPECT_EQ(e["code"], "invalid_json");
  EXPECT_TRUE(e["message"].is_string());
  c->send(R"({"type":"shout"})");
  EXPECT_EQ(c->read_json()["code"], "unknown_type");
  c->send(R"({"type":"msg","text":7})");
  EXPECT_EQ(c->read_json()["code"], "invalid_frame");
  c->send_binary(R"({"type":"ping"})");
  EXPECT_EQ(c->read_json()["code"], "invalid_frame");
  c->send(R"({"type":"join","nick":"again"})");
  EXPECT_EQ(c->read_json()["code"], "already_joined");
  c->send(R"({"type":"ping"})");
  EXPECT_EQ(c->read_json()["type"], "pong");
  // The handler saw only the join and the ping.
  const auto r = chat_.records().begin()->second;
  EXPECT_EQ(r.frames.size(), 2u);
}

TEST_F(chat_ws, frames_before_join_are_refused_with_join_required) {
  ws_client c(port_);
  ASSERT_EQ(c.handshake().result_int(), 101u);
  c.send(R"({"type":"msg","text":"early"})");
  EXPECT_EQ(c.read_json()["code"], "join_required");
  c.send(R"({"type":"ping"})");
  EXPECT_EQ(c.read_json()["code"], "join_required");
  c.send(R"({"type":"join","nick":"late"})");
  EXPECT_EQ(c.read_json()["type"], "welcome");
  const auto r = chat_.records().begin()->second;
  ASSERT_EQ(r.frames.size(), 1u);  // the refused frames never reached the handler
  EXPECT_TRUE(std::holds_alternative<join_frame>(r.frames[0]));
}

TEST_F(chat_ws, plain_get_is_426_with_upgrade_header) {
  const auto r = http::testing::fetch(port_, bhttp::verb::get, "/ws/rooms/r1/chat");
  EXPECT_EQ(r.result_int(), 426u);
  EXPECT_EQ(http::testing::header(r, bhttp::field::upgrade), "websocket");
  EXPECT_EQ(http::testing::header(r, bhttp::field::access_control_allow_origin), "*");
  const auto j = json::parse(r.body(), nullptr, false);
  EXPECT_EQ(j["error"]["code"], "upgrade_required");
  EXPECT_TRUE(j["error"]["message"].is_string());
  // Other methods are 405; other paths under /ws are 404.
  EXPECT_EQ(http::testing::fetch(port_, bhttp::verb::post, "/ws/rooms/r1/chat", "{}").result_int(), 405u);
  EXPECT_EQ(http::testing::fetch(port_, bhttp::verb::get, "/ws/rooms/r1").result_int(), 404u);
  EXPECT_TRUE(chat_.records().empty());
}

TEST_F(chat_ws, pipelined_frames_behind_the_upgrade_request_are_not_lost) {
  // A raw client that sends the request and two masked frames in one write (RFC 6455 5.3).
  http::testing::client raw(port_);
  const auto masked = [](const std::string& payload) {
    std::string f;
    f += '\x81';  // FIN + text
    f += static_cast<char>(0x80 | payload.size());
    const char key[4] = {0x12, 0x34, 0x56, 0x78};
    f.append(key, 4);
    for (std::size_t i = 0; i < payload.size(); ++i) f += static_cast<char>(payload[i] ^ key[i % 4]);
    return f;
  };
  raw.write_raw(
      "GET /ws/rooms/r1/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n" +
      masked(R"({"type":"join","nick":"fast"})") + masked(R"({"type":"ping"})"));
  std::string got;
  char buf[1024];
  while (got.find("pong") == std::string::npos) {
    beast::error_code ec;
    const auto n = raw.socket().read_some(asio::buffer(buf), ec);
    ASSERT_FALSE(ec) << ec.message() << " after: " << got;
    got.append(buf, n);
  }
  EXPECT_EQ(got.rfind("HTTP/1.1 101", 0), 0u) << got;
  EXPECT_NE(got.find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos);  // RFC 6455 1.3 example accept key
  EXPECT_NE(got.find("\"welcome\""), std::string::npos);
}

TEST_F(chat_ws, client_close_and_abrupt_disconnect_call_on_close_exactly_once) {
  auto a = joined();
  auto b = joined("bo");
  a->close();
  b->ws().next_layer().close();  // TCP gone without a close frame
  ASSERT_TRUE(chat_.wait_closes(2));
  std::this_thread::sleep_for(200ms);
  for (const auto& [id, r] : chat_.records()) EXPECT_EQ(r.closes, 1) << id;
  // The sink refuses frames once closed.
  for (const auto& [id, r] : chat_.records()) EXPECT_FALSE(r.sink->send(shared("{}"), session_sink::priority::normal));
}

TEST_F(chat_ws, server_side_close_sends_the_code_after_queued_frames) {
  auto c = joined();
  auto sink = chat_.records().begin()->second.sink;
  sink->send(shared(render_system("ended")), session_sink::priority::normal);
  sink->close(close_code::unauthorized, "token expired");
  sink->close(close_code::flood, "ignored: close is idempotent");
  EXPECT_FALSE(sink->send(shared("{}"), session_sink::priority::normal));
  EXPECT_EQ(c->read_json()["event"], "ended");
  EXPECT_EQ(c->read_until_close(), close_code::unauthorized);
  EXPECT_EQ(c->ws().reason().reason, "token expired");
  ASSERT_TRUE(chat_.wait_closes(1));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(chat_.records().begin()->second.closes, 1);
}

TEST_F(chat_ws, server_stop_sends_going_away) {
  auto c = joined();
  srv_->stop();
  EXPECT_EQ(c->read_until_close(), close_code::going_away);
  ASSERT_TRUE(chat_.wait_closes(1));
}

TEST_F(chat_ws, websocket_ping_gets_a_pong_with_its_payload) {
  auto c = joined();
  std::string pong;
  c->ws().control_callback([&](websocket::frame_type kind, beast::string_view payload) {
    if (kind == websocket::frame_type::pong) pong = std::string(payload);
  });
  c->ws().ping("are you there");  // RFC 6455 5.5.2/5.5.3: the pong echoes the ping's payload
  c->send(R"({"type":"ping"})");
  EXPECT_EQ(c->read_json()["type"], "pong");  // the JSON pong comes after the control pong
  EXPECT_EQ(pong, "are you there");
}

TEST_F(chat_ws, wrong_websocket_version_is_426_naming_13) {
  http::testing::client raw(port_);
  bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/ws/rooms/r1/chat", 11};
  req.set("Host", "127.0.0.1");
  req.set("Upgrade", "websocket");
  req.set("Connection", "Upgrade");
  req.set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
  req.set("Sec-WebSocket-Version", "8");
  const auto res = raw.send(std::move(req));
  EXPECT_EQ(res.result_int(), 426u);
  EXPECT_EQ(http::testing::header(res, bhttp::field::sec_websocket_version), "13");  // RFC 6455 4.4
  ASSERT_TRUE(chat_.wait([](const auto&) { return true; }));
  EXPECT_TRUE(chat_.records().empty());  // never reached the handler
}

TEST_F(chat_ws, frames_queued_together_arrive_whole_and_in_order) {
  auto c = joined();
  auto sink = chat_.records().begin()->second.sink;
  // Many frames at once: the writer gathers them into few writes; each must still be a whole frame.
  for (int i = 0; i < 200; ++i) sink->send(shared(R"({"type":"system","event":")" + std::to_string(i) + "\"}"), session_sink::priority::normal);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(c->read_json()["event"], std::to_string(i));
}

class chat_ws_write_delay : public chat_fixture {
  ws_options chat_options() override {
    ws_options o;
    o.write_delay_s = 0.5;
    return o;
  }
};

TEST_F(chat_ws_write_delay, frames_wait_for_the_delay_and_leave_in_one_write) {
  auto c = joined();
  auto sink = chat_.records().begin()->second.sink;
  const std::string a = R"({"type":"system","event":"a"})", b = R"({"type":"system","event":"b"})";
  const auto t0 = std::chrono::steady_clock::now();
  sink->send(shared(a), session_sink::priority::normal);
  std::this_thread::sleep_for(20ms);
  sink->send(shared(b), session_sink::priority::normal);
  // Read the socket itself, under Beast (nothing is buffered there: the welcome was the last frame).
  // Without the delay the first read returns `a` alone as soon as it is sent; with it, both frames
  // left in one write, 0.5 s after `a` was queued.
  std::array<char, 4096> buf{};
  boost::system::error_code ec;
  const auto n = c->ws().next_layer().read_some(asio::buffer(buf), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 400ms);
  const std::string got(buf.data(), n);
  EXPECT_NE(got.find(a), std::string::npos) << got;
  EXPECT_NE(got.find(b), std::string::npos) << got;
  EXPECT_LT(got.find(a), got.find(b));
}

TEST(chat_ws_config, without_set_chat_the_path_is_404) {
  io_runtime io{1};
  http::testing::fake_api api;
  hls::index index;
  http::testing::recording_observer viewers;
  http::server srv(io, {}, api, index, viewers);
  ASSERT_FALSE(srv.listen("127.0.0.1", 0));
  io.start();
  EXPECT_EQ(http::testing::fetch(srv.port(), bhttp::verb::get, "/ws/rooms/r1/chat").result_int(), 404u);
  EXPECT_EQ(upgrade_raw(srv.port()).result_int(), 404u);
  srv.stop();
  io.stop();
}

class chat_ws_origin : public chat_fixture {
  ws_options chat_options() override {
    ws_options o;
    o.origin_allow_list = {"https://onair.example", "http://localhost:3000"};
    return o;
  }
};

TEST_F(chat_ws_origin, origin_outside_the_allow_list_is_403) {
  for (const std::string origin : {"https://evil.example", "https://onair.example.evil", "HTTPS://ONAIR.EXAMPLE", ""}) {
    const auto res = upgrade_raw(port_, "/ws/rooms/r1/chat", origin);
    EXPECT_EQ(res.result_int(), 403u) << origin;
    EXPECT_EQ(http::testing::header(res, bhttp::field::access_control_allow_origin), "*");
    const auto j = json::parse(res.body(), nullptr, false);
    EXPECT_EQ(j["error"]["code"], "forbidden") << res.body();
  }
  for (const std::string origin : {"https://onair.example", "http://localhost:3000"}) {
    ws_client c(port_);
    EXPECT_EQ(c.handshake("/ws/rooms/r1/chat", origin).result_int(), 101u) << origin;
  }
  ASSERT_TRUE(chat_.wait([](const auto& rs) { return rs.size() == 2; }));
}

class chat_ws_per_ip : public chat_fixture {
  ws_options chat_options() override {
    ws_options o;
    o.max_connections_per_ip = 2;
    return o;
  }
};

TEST_F(chat_ws_per_ip, connections_beyond_the_per_address_cap_get_429_and_other_addresses_are_unaffected) {
  auto a = joined("a");
  auto b = joined("b");
  const auto res = upgrade_raw(port_);
  EXPECT_EQ(res.result_int(), 429u);
  EXPECT_EQ(json::parse(res.body(), nullptr, false)["error"]["code"], "too_many_connections") << res.body();
  // Another address is another client: its own two slots.
  ws_client other(port_, "127.0.0.2");
  EXPECT_EQ(other.handshake().result_int(), 101u);
  // The refused upgrade cost the open sessions nothing.
  b->send(R"({"type":"msg","text":"still here","client_id":"c1"})");
  EXPECT_EQ(b->read_json()["type"], "ack");
  EXPECT_EQ(a->read_json()["text"], "still here");
  // A closed connection gives its address's slot back.
  a->close();
  ASSERT_TRUE(chat_.wait_closes(1));
  ws_client again(port_);
  EXPECT_EQ(again.handshake().result_int(), 101u);
  EXPECT_EQ(upgrade_raw(port_).result_int(), 429u);
  // Both refusals are counted for /metrics; the node was never full.
  const auto stats = srv_->chat_stats_source()();
  EXPECT_EQ(stats.refused_address_full, 2u);
  EXPECT_EQ(stats.refused_node_full, 0u);
  EXPECT_EQ(stats.open, 3u);  // b, other and again
}

class chat_ws_limits : public chat_fixture {
  ws_options chat_options() override {
    ws_options o;
    o.join_timeout_s = 0.3;
    o.max_connections = 2;
    return o;
  }
};

TEST_F(chat_ws_limits, no_join_within_the_timeout_closes_with_4009) {
  ws_client c(port_);
  ASSERT_EQ(c.handshake().result_int(), 101u);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(c.read_until_close(), close_code::join_timeout);
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, 250ms);
  EXPECT_LT(waited, 3s);
  ASSERT_TRUE(chat_.wait_closes(1));
}

TEST_F(chat_ws_limits, joined_session_outlives_the_join_timeout) {
  auto c = joined();
  std::this_thread::sleep_for(600ms);
  c->send(R"({"type":"ping"})");
  EXPECT_EQ(c->read_json()["type"], "pong");
}

TEST_F(chat_ws_limits, connections_beyond_the_limit_get_503_and_slots_come_back) {
  auto a = joined();
  auto b = joined("bo");
  {
    const auto res = upgrade_raw(port_);
    EXPECT_EQ(res.result_int(), 503u);
    EXPECT_EQ(json::parse(res.body(), nullptr, false)["error"]["code"], "unavailable");
    EXPECT_EQ(srv_->chat_stats_source()().refused_node_full, 1u);  // counted for /metrics
  }
  a->close();
  ASSERT_TRUE(chat_.wait_closes(1));
  // The slot is released when the session object goes away, just after on_close.
  bool ok = false;
  for (int i = 0; i < 50 && !ok; ++i) {
    ws_client c(port_);
    ok = c.handshake().result_int() == 101u;
    if (!ok) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(ok);
}

class chat_ws_slow : public chat_fixture {
  ws_options chat_options() override {
    ws_options o;
    o.send_queue_frames = 8;
    return o;
  }
};

TEST_F(chat_ws_slow, a_client_that_does_not_read_is_closed_with_4008_after_droppable_frames_are_dropped) {
  const auto big = shared("\"" + std::string(64 * 1024, 'n') + "\"");  // one buffer, shared by every send
  const auto small = shared(R"({"type":"presence","viewers":1})");
  std::atomic<bool> pushed{false};
  std::shared_ptr<ws_sink> sink;
  std::thread pusher;
  chat_.on_join = [&](const std::shared_ptr<session_sink>& s) {
    sink = std::dynamic_pointer_cast<ws_sink>(s);
    pusher = std::thread([&, s = sink] {
      // Fill the kernel buffers with normal frames until the session's queue stops draining...
      for (int i = 0; i < 2000 && s->queued() < 3; ++i) {
        s->send(big, session_sink::priority::normal);
        std::this_thread::sleep_for(1ms);
      }
      std::this_thread::sleep_for(50ms);
      // ...then droppable frames, then more normal frames until the queue overflows.
      for (int i = 0; i < 3; ++i) s->send(small, session_sink::priority::droppable);
      for (int i = 0; i < 100 && s->send(big, session_sink::priority::normal); ++i) std::this_thread::sleep_for(1ms);
      pushed = true;
    });
  };
  ws_client c(port_);
  ASSERT_EQ(c.handshake().result_int(), 101u);
  c.send(R"({"type":"join","nick":"sleepy"})");
  // Do not read while the server pushes.
  for (int i = 0; i < 500 && !pushed; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(pushed);
  pusher.join();
  ASSERT_TRUE(sink);
  EXPECT_EQ(sink->dropped(), 3u);  // the droppable frames went first
  std::vector<std::string> frames;
  EXPECT_EQ(c.read_until_close(&frames), close_code::slow_consumer);
  EXPECT_EQ(c.ws().reason().reason, "slow consumer");
  const auto stats = srv_->chat_stats_source()();  // what /metrics exports
  EXPECT_EQ(stats.dropped_frames, 3u);
  EXPECT_EQ(stats.slow_consumer_closes, 1u);
  EXPECT_GT(frames.size(), 3u);
  for (const auto& f : frames) EXPECT_EQ(f.find("presence"), std::string::npos);
  ASSERT_TRUE(chat_.wait_closes(1));
  EXPECT_EQ(chat_.records().begin()->second.closes, 1);
}

std::size_t joined_count(const std::map<std::uint64_t, test_chat::record>& rs) {
  std::size_t n = 0;
  for (const auto& [id, r] : rs) n += r.joined;
  return n;
}

/// Resident set size of this process in bytes.
std::size_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

TEST_F(chat_ws, idle_session_memory_stays_small) {
  // Raw clients (an upgrade request and a masked join in one write) keep the client side light; the
  // figure still includes the client sockets, so it over-states the server's cost.
  constexpr int n = 2000;
  const std::string join = [] {
    const std::string payload = R"({"type":"join","nick":"idle"})";
    std::string f = "\x81";
    f += static_cast<char>(0x80 | payload.size());
    f += std::string(4, '\0');  // a zero mask key: the payload goes as is
    return f + payload;
  }();
  const std::string upgrade =
      "GET /ws/rooms/r1/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n" + join;
  asio::io_context ioc;
  std::vector<asio::ip::tcp::socket> clients;
  clients.reserve(n);
  const auto connect_one = [&] {
    clients.emplace_back(ioc);
    clients.back().connect({asio::ip::make_address("127.0.0.1"), port_});
    asio::write(clients.back(), asio::buffer(upgrade));
  };
  for (int i = 0; i < 20; ++i) connect_one();  // warm-up: allocator arenas, thread caches
  ASSERT_TRUE(chat_.wait([&](const auto& rs) { return joined_count(rs) == 20; }, 10s));
  const auto before = rss_bytes();
  for (int i = 20; i < n; ++i) connect_one();
  ASSERT_TRUE(chat_.wait([&](const auto& rs) { return joined_count(rs) == static_cast<std::size_t>(n); }, 15s));
  std::this_thread::sleep_for(200ms);
  const auto per = (rss_bytes() - before) / (n - 20);
  std::printf("[ chat ] RSS per idle joined connection (server + raw client + test handler): %zu bytes\n", per);
  EXPECT_LT(per, 20u * 1024);
  RecordProperty("rss_per_connection_bytes", static_cast<int>(per));
}

}  // namespace
}  // namespace onair::net::chat::testing

namespace onair::net::chat::testing {
namespace {

class chat_ws_idle : public chat_fixture {
  ws_options chat_options() override {
    ws_options o;
    o.idle_timeout_s = 0.6;  // a keep-alive tick every 0.3 s
    return o;
  }
};

TEST_F(chat_ws_idle, a_silent_client_gets_a_ping_then_is_dropped) {
  http::testing::client raw(port_);
  const std::string join = R"({"type":"join","nick":"mute"})";
  std::string frame = "\x81";
  frame += static_cast<char>(0x80 | join.size());
  frame += std::string(4, '\0');  // zero mask key
  raw.write_raw("GET /ws/rooms/r1/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n" + frame + join);
  const auto t0 = std::chrono::steady_clock::now();
  std::string got;
  char buf[4096];
  for (;;) {
    beast::error_code ec;
    const auto n = raw.socket().read_some(asio::buffer(buf), ec);
    if (ec) break;  // dropped
    got.append(buf, n);
  }
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_NE(got.find(std::string("\x89\x00", 2)), std::string::npos) << "no ping";  // FIN + ping, no payload
  EXPECT_GE(waited, 500ms);
  EXPECT_LT(waited, 3s);
  ASSERT_TRUE(chat_.wait_closes(1));
}

TEST_F(chat_ws_idle, a_client_that_answers_pings_stays) {
  auto c = joined();
  auto sink = chat_.records().begin()->second.sink;
  std::thread later([sink] {
    std::this_thread::sleep_for(1500ms);  // five ticks: two idle timeouts
    sink->send(shared(render_system("live")), session_sink::priority::normal);
  });
  EXPECT_EQ(c->read_json()["event"], "live");  // Beast's read answers the pings meanwhile
  later.join();
}

}  // namespace
}  // namespace onair::net::chat::testing
