#pragma once
// Test support for WebSocket chat: an in-test chat_handler (a small broadcaster that records every
// call), a synchronous Beast WebSocket client, and a fixture running the real net::http::server.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <vector>

#include "net/chat/chat_handler.hpp"
#include "net/chat/ws_options.hpp"
#include "net/chat/ws_session.hpp"
#include "tests/net/http/http_test_support.hpp"

namespace onair::net::chat::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace bhttp = boost::beast::http;
using namespace std::chrono_literals;

inline media::shared_bytes shared(const std::string& s) { return media::make_shared_bytes({s.begin(), s.end()}); }

/// Broadcasts msg frames to every joined session (one shared rendered frame for all), acks the
/// sender, answers ping with pong, and records opens, frames and closes per connection.
class test_chat final : public chat_handler {
 public:
  struct record {
    open_request req;
    std::shared_ptr<session_sink> sink;
    std::vector<client_frame> frames;
    int closes = 0;
    bool joined = false;
  };
  /// Called (on the session's strand) after a join, before the welcome; tests use it to push frames.
  std::function<void(const std::shared_ptr<session_sink>&)> on_join;

  std::shared_ptr<session_handler> on_open(open_request req, std::shared_ptr<session_sink> sink) override {
    std::lock_guard lock(mutex_);
    const auto id = req.connection_id;
    auto& r = records_[id];
    r.req = std::move(req);
    r.sink = sink;
    cv_.notify_all();
    return std::make_shared<handler>(*this, id);
  }

  /// Waits until `pred(records)` holds (or 5 s); returns whether it did.
  bool wait(const std::function<bool(const std::map<std::uint64_t, record>&)>& pred,
            std::chrono::milliseconds timeout = 5000ms) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return pred(records_); });
  }
  bool wait_closes(std::size_t sessions, std::chrono::milliseconds timeout = 5000ms) {
    return wait([&](const auto& rs) {
      std::size_t n = 0;
      for (const auto& [id, r] : rs) n += r.closes;
      return n >= sessions;
    }, timeout);
  }
  void drop_sinks() {
    std::lock_guard lock(mutex_);
    for (auto& [id, r] : records_) r.sink.reset();
  }
  std::map<std::uint64_t, record> records() {
    std::lock_guard lock(mutex_);
    return records_;
  }
  std::size_t joined() {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& [id, r] : records_) n += r.joined;
    return n;
  }

 private:
  struct handler final : session_handler {
    handler(test_chat& o, std::uint64_t i) : owner(o), id(i) {}
    void on_frame(client_frame f) override { owner.frame(id, std::move(f)); }
    void on_close() override { owner.closed(id); }
    test_chat& owner;
    std::uint64_t id;
  };

  void frame(std::uint64_t id, client_frame f) {
    std::function<void(const std::shared_ptr<session_sink>&)> hook;
    std::shared_ptr<session_sink> self;
    std::vector<std::shared_ptr<session_sink>> to;
    media::shared_bytes out;
    {
      std::lock_guard lock(mutex_);
      auto& r = records_[id];
      self = r.sink;
      if (auto* j = std::get_if<join_frame>(&f)) {
        r.joined = true;
        hook = on_join;
        out = shared(render_welcome(r.req.room_id, {"anon:" + std::to_string(id), j->nick, "viewer"}, seq_, records_.size(), 0));
        to.push_back(self);
      } else if (auto* m = std::get_if<msg_frame>(&f)) {
        ++seq_;
        self->send(shared(render_ack(m->client_id, seq_)), session_sink::priority::normal);
        out = shared(render_message({seq_, 1714564800000, {"anon:" + std::to_string(id), "n", "viewer"}, m->text}));
        for (auto& [oid, o] : records_)
          if (o.joined && o.closes == 0) to.push_back(o.sink);
      } else if (std::holds_alternative<ping_frame>(f)) {
        out = shared(render_pong());
        to.push_back(self);
      }
      r.frames.push_back(std::move(f));
      cv_.notify_all();
    }
    if (hook) hook(self);
    for (auto& s : to) s->send(out, session_sink::priority::normal);
  }
  void closed(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    ++records_[id].closes;
    cv_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::uint64_t, record> records_;
  std::uint64_t seq_ = 0;
};

/// A synchronous Beast WebSocket client with a receive timeout (a failing test never hangs).
class ws_client {
 public:
  /// `source`: the local address to connect from (another 127.0.0.0/8 address is another client).
  explicit ws_client(std::uint16_t port, const std::string& source = "") : ws_(ioc_) {
    if (!source.empty()) {
      ws_.next_layer().open(asio::ip::tcp::v4());
      ws_.next_layer().bind({asio::ip::make_address(source), 0});
    }
    ws_.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
    timeval tv{5, 0};
    ::setsockopt(ws_.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  /// The opening handshake; returns the HTTP response (101 on success).
  websocket::response_type handshake(const std::string& target = "/ws/rooms/r1/chat", const std::string& origin = "") {
    ws_.set_option(websocket::stream_base::decorator([origin](websocket::request_type& req) {
      if (!origin.empty()) req.set(bhttp::field::origin, origin);
    }));
    websocket::response_type res;
    ws_.handshake(res, "127.0.0.1", target, ec_);
    return res;
  }
  beast::error_code handshake_error() const { return ec_; }

  void send(const std::string& text) { ws_.write(asio::buffer(text)); }
  void send_binary(const std::string& bytes) {
    ws_.binary(true);
    ws_.write(asio::buffer(bytes));
    ws_.text(true);
  }
  /// Next message, or "" with `ec` set (closed: ws().reason() has the close code).
  std::string read(beast::error_code& ec) {
    beast::flat_buffer b;
    ws_.read(b, ec);
    return beast::buffers_to_string(b.data());
  }
  /// Next message as JSON (a failed read is a test failure).
  nlohmann::json read_json() {
    beast::error_code ec;
    auto s = read(ec);
    EXPECT_FALSE(ec) << ec.message();
    return nlohmann::json::parse(s, nullptr, false);
  }
  /// Reads until the connection closes; returns the close code the server sent (0 if none).
  std::uint16_t read_until_close(std::vector<std::string>* frames = nullptr) {
    for (;;) {
      beast::error_code ec;
      auto s = read(ec);
      if (ec == websocket::error::closed) return static_cast<std::uint16_t>(ws_.reason().code);
      if (ec) return 0;
      if (frames) frames->push_back(std::move(s));
    }
  }
  void close(std::uint16_t code = 1000) {
    beast::error_code ec;
    ws_.close(websocket::close_reason(code), ec);
  }
  websocket::stream<asio::ip::tcp::socket>& ws() { return ws_; }

 private:
  asio::io_context ioc_;
  websocket::stream<asio::ip::tcp::socket> ws_;
  beast::error_code ec_;
};

/// An upgrade request sent with the plain HTTP client, so refusals (403, 503, 404) can be read whole.
inline http::testing::client_response upgrade_raw(std::uint16_t port, const std::string& target = "/ws/rooms/r1/chat",
                                                  const std::string& origin = "") {
  std::vector<std::pair<std::string, std::string>> h{{"Upgrade", "websocket"},
                                                     {"Connection", "Upgrade"},
                                                     {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                                                     {"Sec-WebSocket-Version", "13"}};
  if (!origin.empty()) h.emplace_back("Origin", origin);
  http::testing::client c(port);
  bhttp::request<bhttp::string_body> req{bhttp::verb::get, target, 11};
  for (const auto& [k, v] : h) req.set(k, v);
  return c.send(std::move(req));
}

/// The real HTTP server on 127.0.0.1:0 serving chat with test_chat; override chat_options().
class chat_fixture : public ::testing::Test {
 protected:
  virtual ws_options chat_options() { return {}; }

  void SetUp() override {
    srv_ = std::make_unique<http::server>(io_, http::server_options{}, api_, index_, viewers_);
    srv_->set_chat(chat_, chat_options());
    ASSERT_FALSE(srv_->listen("127.0.0.1", 0));
    port_ = srv_->port();
    io_.start();
  }
  void TearDown() override {
    srv_->stop();
    // Let the going-away closes finish (clients that never answer are dropped by the close deadline
    // or by io_.stop(); either way on_close is reported).
    chat_.wait_closes(chat_.records().size(), 2000ms);
    io_.stop();
    srv_.reset();
    // Sinks are sessions: release them while the io_context still exists (as actors/ must).
    chat_.drop_sinks();
  }

  /// A client that completed the handshake and the join (its welcome is consumed).
  std::unique_ptr<ws_client> joined(const std::string& nick = "ana", const std::string& room = "r1") {
    auto c = std::make_unique<ws_client>(port_);
    const auto res = c->handshake("/ws/rooms/" + room + "/chat");
    EXPECT_EQ(res.result_int(), 101u);
    c->send(R"({"type":"join","nick":")" + nick + "\"}");
    EXPECT_EQ(c->read_json()["type"], "welcome");
    return c;
  }

  // The chat handler outlives the io_runtime: sessions still queued at io teardown report on_close to
  // it then; the sinks it holds are dropped in TearDown, before the io_context goes.
  test_chat chat_;
  io_runtime io_{2};
  http::testing::fake_api api_;
  hls::index index_;
  http::testing::recording_observer viewers_;
  std::unique_ptr<http::server> srv_;
  std::uint16_t port_ = 0;
};

}  // namespace onair::net::chat::testing
