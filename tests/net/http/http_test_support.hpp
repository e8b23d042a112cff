#pragma once
// Test support for the HTTP layer: a synchronous Beast client, an in-memory api_handler that answers
// from its own thread (as actors do), a recording viewer_observer, and a fixture running the real
// server on 127.0.0.1:0.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "net/hls/hls_index.hpp"
#include "net/hls/viewer_observer.hpp"
#include "net/http/api_handler.hpp"
#include "net/http/http_server.hpp"
#include "net/io_runtime.hpp"

namespace onair::net::http::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

using client_response = bhttp::response<bhttp::string_body>;

inline std::string header(const client_response& r, bhttp::field f) { return std::string(r[f]); }
inline std::string header(const client_response& r, const char* name) { return std::string(r[name]); }

/// One client connection (keep-alive capable).
class client {
 public:
  explicit client(std::uint16_t port) : socket_(ioc_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
  }

  client_response send(bhttp::request<bhttp::string_body> req) {
    if (!req.count(bhttp::field::host)) req.set(bhttp::field::host, "127.0.0.1");
    if (!req.count(bhttp::field::user_agent)) req.set(bhttp::field::user_agent, "test-agent");
    req.prepare_payload();
    bhttp::write(socket_, req);
    return read(req.method() == bhttp::verb::head);
  }

  client_response read(bool head = false) {
    bhttp::response_parser<bhttp::string_body> p;
    p.body_limit(64 * 1024 * 1024);
    p.skip(head);
    bhttp::read(socket_, buffer_, p);
    return p.release();
  }

  client_response request(bhttp::verb method, const std::string& target, const std::string& body = {},
                          const std::string& content_type = "application/json",
                          const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    bhttp::request<bhttp::string_body> req{method, target, 11};
    if (!body.empty() || method == bhttp::verb::post || method == bhttp::verb::patch) {
      if (!content_type.empty()) req.set(bhttp::field::content_type, content_type);
      req.body() = body;
    }
    for (const auto& [k, v] : headers) req.set(k, v);
    return send(std::move(req));
  }

  /// Raw bytes, for malformed requests.
  void write_raw(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }

  /// True once the server closed the connection (reads EOF or a reset).
  bool closed_by_peer() {
    beast::error_code ec;
    char c;
    socket_.read_some(asio::buffer(&c, 1), ec);
    return static_cast<bool>(ec);
  }

  asio::ip::tcp::socket& socket() { return socket_; }

 private:
  asio::io_context ioc_;
  asio::ip::tcp::socket socket_;
  beast::flat_buffer buffer_;
};

/// One request on a fresh connection.
inline client_response fetch(std::uint16_t port, bhttp::verb method, const std::string& target,
                             const std::string& body = {}, const std::string& content_type = "application/json",
                             const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  client c(port);
  return c.request(method, target, body, content_type, headers);
}

/// In-memory api_handler. Tokens: "admin" and "other" are valid, anything else is 401; only the owner
/// may change a room (else 403). Answers from a worker thread, like the actors do.
class fake_api final : public api::api_handler {
 public:
  fake_api() : worker_([this] { run(); }) {}
  ~fake_api() override {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }

  void create_room(api::caller who, api::create_room_request req, reply<api::room_view> done) override {
    later([this, who, req = std::move(req), done = std::move(done)] {
      if (auto e = auth(who)) return done(*e);
      api::room_view r;
      r.id = "r" + std::to_string(++next_id_);
      r.title = req.title;
      r.description = req.description;
      r.kind = req.kind;
      r.tags = req.tags;
      r.owner = who.bearer_token;
      r.created_at_ms = r.updated_at_ms = 1700000000000 + next_id_;
      r.rtmp_url = "rtmp://" + who.host + ":1935/live/";
      r.hls_url = "http://" + who.host + ":8080/hls/" + r.id + "/master.m3u8";
      rooms_[r.id] = r;
      order_.push_back(r.id);
      auto shown = r;
      shown.stream_key = "sk_" + r.id;
      done(shown);
    });
  }
  void list_rooms(api::caller, api::list_rooms_request req, reply<api::room_page> done) override {
    last_list = req;
    later([this, req, done = std::move(done)] {
      api::room_page page;
      std::size_t start = req.cursor.empty() ? 0 : std::stoul(req.cursor);
      std::size_t i = start;
      for (; i < order_.size() && page.rooms.size() < req.limit; ++i) {
        auto it = rooms_.find(order_[i]);
        if (it == rooms_.end()) continue;
        if (req.status && it->second.status != *req.status) continue;
        if (!req.q.empty() && it->second.title.find(req.q) == std::string::npos) continue;
        page.rooms.push_back(it->second);
      }
      if (i < order_.size()) page.next_cursor = std::to_string(i);
      done(page);
    });
  }
  void get_room(api::caller, std::string id, reply<api::room_view> done) override {
    later([this, id, done = std::move(done)] {
      auto it = rooms_.find(id);
      if (it == rooms_.end()) return done(api::error{404, "not_found", "no room " + id});
      done(it->second);
    });
  }
  void patch_room(api::caller who, std::string id, api::patch_room_request req, reply<api::room_view> done) override {
    later([this, who, id, req, done = std::move(done)] {
      if (auto e = owner_of(who, id)) return done(*e);
      auto& r = rooms_[id];
      if (req.title) r.title = *req.title;
      if (req.description) r.description = *req.description;
      if (req.tags) r.tags = *req.tags;
      done(r);
    });
  }
  void end_room(api::caller who, std::string id, reply<api::room_view> done) override {
    later([this, who, id, done = std::move(done)] {
      if (auto e = owner_of(who, id)) return done(*e);
      auto& r = rooms_[id];
      if (r.status == api::room_status::ended) return done(api::error{409, "conflict", "room already ended"});
      r.status = api::room_status::ended;
      done(r);
    });
  }
  void rotate_key(api::caller who, std::string id, reply<api::room_view> done) override {
    later([this, who, id, done = std::move(done)] {
      if (auto e = owner_of(who, id)) return done(*e);
      auto r = rooms_[id];
      r.stream_key = "sk_new_" + id;
      done(r);
    });
  }
  void delete_room(api::caller who, std::string id, reply<std::monostate> done) override {
    later([this, who, id, done = std::move(done)] {
      if (auto e = owner_of(who, id)) return done(*e);
      rooms_.erase(id);
      done(std::monostate{});
    });
  }
  void get_node(api::caller, reply<api::node_info> done) override {
    later([this, done = std::move(done)] { done(api::node_info{"node-1", "0.1.0", rooms_.size(), 0, 7}); });
  }
  void metrics(reply<std::string> done) override {
    later([done = std::move(done)] { done(std::string("# TYPE onair_rooms gauge\nonair_rooms 1\n")); });
  }

  std::optional<api::list_rooms_request> last_list;  // written on the I/O thread, read after the reply

 private:
  static std::optional<api::error> auth(const api::caller& who) {
    if (who.bearer_token == "admin" || who.bearer_token == "other") return std::nullopt;
    return api::error{401, "unauthorized", "missing or invalid token"};
  }
  std::optional<api::error> owner_of(const api::caller& who, const std::string& id) {
    if (auto e = auth(who)) return e;
    auto it = rooms_.find(id);
    if (it == rooms_.end()) return api::error{404, "not_found", "no room " + id};
    if (it->second.owner != who.bearer_token) return api::error{403, "forbidden", "not your room"};
    return std::nullopt;
  }
  void later(std::function<void()> fn) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(fn));
    }
    cv_.notify_one();
  }
  void run() {
    std::unique_lock lock(mutex_);
    while (true) {
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;
      auto fn = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      fn();  // state below is only touched on this thread
      lock.lock();
    }
  }

  std::map<std::string, api::room_view> rooms_;
  std::vector<std::string> order_;
  std::uint64_t next_id_ = 0;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stop_ = false;
  std::thread worker_;
};

/// Records every on_viewer_activity call.
class recording_observer final : public hls::viewer_observer {
 public:
  void on_viewer_activity(const std::string& room_id, const std::string& session) override {
    std::lock_guard lock(mutex_);
    calls_.emplace_back(room_id, session);
  }
  std::vector<std::pair<std::string, std::string>> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, std::string>> calls_;
};

/// Runs the real server on 127.0.0.1:0 with two I/O threads.
class server_fixture : public ::testing::Test {
 protected:
  virtual server_options options() { return {}; }

  void SetUp() override {
    srv_ = std::make_unique<server>(io_, options(), api_, index_, viewers_);
    ASSERT_FALSE(srv_->listen("127.0.0.1", 0));
    port_ = srv_->port();
    ASSERT_NE(port_, 0);
    io_.start();
  }
  void TearDown() override {
    srv_->stop();
    io_.stop();
    srv_.reset();
  }

  client_response get(const std::string& target,
                      const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return fetch(port_, bhttp::verb::get, target, {}, {}, headers);
  }
  client_response call(bhttp::verb method, const std::string& target, const std::string& body = {},
                       const std::string& token = "admin", const std::string& content_type = "application/json") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return fetch(port_, method, target, body, content_type, headers);
  }

  io_runtime io_{2};
  fake_api api_;
  hls::index index_;
  recording_observer viewers_;
  std::unique_ptr<server> srv_;
  std::uint16_t port_ = 0;
};

}  // namespace onair::net::http::testing
