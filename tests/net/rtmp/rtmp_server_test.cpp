// The real server on loopback, driven by the real ffmpeg CLI (bounded with -t and timeout).
#include "net/rtmp/rtmp_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <chrono>
#include <cstdio>
#include <future>
#include <map>
#include <thread>

#include "rtmp_test_util.hpp"

namespace {

using namespace onair::net;
using namespace onair::net::rtmp;
using namespace std::chrono_literals;
using onair::media::track_kind;
using test::recording_sink;

/// Accepts "goodkey" (a newer publisher kicks the older one, DESIGN.md section 5) and refuses others.
/// Answers from another thread, as actors do.
class test_handler final : public publish_handler {
 public:
  ~test_handler() override {
    for (auto& t : threads_) t.join();
  }
  void on_publish(publish_request req, std::function<void(publish_decision)> reply) override {
    std::lock_guard l(mu_);
    if (req.stream_key != "goodkey") {
      threads_.emplace_back([reply] { reply(publish_decision{nullptr, "NetStream.Publish.BadName", "unknown stream key"}); });
      return;
    }
    auto sink = std::make_shared<recording_sink>();
    sinks.push_back(sink);
    auto old = active_.find(req.stream_key);
    std::function<void()> kick_old = old != active_.end() ? old->second : nullptr;
    active_[req.stream_key] = req.kick;
    threads_.emplace_back([reply, sink, kick_old] {
      if (kick_old) kick_old();
      reply(publish_decision{sink, {}, {}});
    });
  }
  std::shared_ptr<recording_sink> sink(std::size_t i) {
    std::lock_guard l(mu_);
    return i < sinks.size() ? sinks[i] : nullptr;
  }

 private:
  std::mutex mu_;
  std::vector<std::shared_ptr<recording_sink>> sinks;
  std::map<std::string, std::function<void()>> active_;
  std::vector<std::thread> threads_;
};

struct proc_result {
  int status = -1;
  std::string output;
};

/// Runs a shell command (stderr folded into the output) under `timeout`.
proc_result run(const std::string& cmd) {
  proc_result r;
  FILE* p = ::popen(("timeout 20 " + cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  while (const std::size_t n = std::fread(buf, 1, sizeof buf, p)) r.output.append(buf, n);
  r.status = ::pclose(p);
  return r;
}

std::string publish_cmd(std::uint16_t port, const std::string& key, double seconds, bool realtime) {
  return std::string("ffmpeg -hide_banner -loglevel error -nostdin ") + (realtime ? "-re " : "") +
         "-f lavfi -i testsrc2=size=160x120:rate=30 -f lavfi -i sine -t " + std::to_string(seconds) +
         " -c:v libx264 -preset ultrafast -g 30 -c:a aac -f flv rtmp://127.0.0.1:" + std::to_string(port) +
         "/live/" + key;
}

template <class F>
bool wait_for(F&& cond, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return cond();
}

struct rtmp_server : ::testing::Test {
  io_runtime io{2};
  test_handler handler;
  std::unique_ptr<server> srv;
  void SetUp() override { start(server_options{}); }
  void start(server_options opts) {
    srv = std::make_unique<server>(io, opts, handler);
    ASSERT_FALSE(srv->listen("127.0.0.1", 0));
    ASSERT_NE(srv->port(), 0);
    io.start();
  }
  void TearDown() override {
    srv->stop();
    std::this_thread::sleep_for(50ms);
    io.stop();
  }
};

TEST_F(rtmp_server, ffmpeg_publish_arrives) {
  const auto r = run(publish_cmd(srv->port(), "goodkey", 1, false));
  EXPECT_EQ(r.status, 0) << r.output;
  auto sink = handler.sink(0);
  ASSERT_TRUE(sink);
  ASSERT_TRUE(wait_for([&] { return sink->end_count() == 1; }, 3s));
  EXPECT_EQ(sink->video_configs.size(), 1u);
  EXPECT_EQ(sink->video_configs[0].width, 160);
  EXPECT_EQ(sink->video_configs[0].height, 120);
  EXPECT_EQ(sink->audio_configs.size(), 1u);
  EXPECT_EQ(sink->frame_count(track_kind::video), 30u);
  EXPECT_GE(sink->frame_count(track_kind::audio), 40u);
  EXPECT_EQ(sink->keyframe_count(), 1u);
  EXPECT_EQ(sink->after_end, 0);
}

TEST_F(rtmp_server, wrong_key_makes_ffmpeg_fail_with_our_message) {
  const auto r = run(publish_cmd(srv->port(), "badkey", 1, false));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("unknown stream key"), std::string::npos) << r.output;  // "Server error: ..."
  EXPECT_FALSE(handler.sink(0));
}

TEST_F(rtmp_server, second_publisher_kicks_the_first) {
  auto first = std::async(std::launch::async, [&] { return run(publish_cmd(srv->port(), "goodkey", 8, true)); });
  ASSERT_TRUE(wait_for([&] { auto s = handler.sink(0); return s && s->frame_count(track_kind::video) > 5; }, 10s));
  const auto second = run(publish_cmd(srv->port(), "goodkey", 1, false));
  EXPECT_EQ(second.status, 0) << second.output;
  ASSERT_EQ(first.wait_for(5s), std::future_status::ready);  // the kicked ffmpeg stops well before 8 s
  auto a = handler.sink(0);
  auto b = handler.sink(1);
  ASSERT_TRUE(b);
  EXPECT_TRUE(wait_for([&] { return a->end_count() == 1 && b->end_count() == 1; }, 3s));
  EXPECT_LT(a->frame_count(track_kind::video), 200u);
  EXPECT_EQ(b->frame_count(track_kind::video), 30u);
  EXPECT_EQ(a->after_end, 0);
}

TEST_F(rtmp_server, digest_handshake_accepted_by_ffmpeg_player) {
  // ffmpeg as a player validates S1/S2 digests ("Server response validating failed" otherwise);
  // the server then refuses play, which proves the handshake and connect got through.
  const auto r = run("ffmpeg -hide_banner -loglevel error -nostdin -i rtmp://127.0.0.1:" +
                     std::to_string(srv->port()) + "/live/goodkey -t 1 -f null -");
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(r.output.find("validating failed"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("Signature mismatch"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("served over HLS"), std::string::npos) << r.output;
}

TEST_F(rtmp_server, stop_ends_live_sessions) {
  auto pub = std::async(std::launch::async, [&] { return run(publish_cmd(srv->port(), "goodkey", 8, true)); });
  ASSERT_TRUE(wait_for([&] { auto s = handler.sink(0); return s && s->frame_count(track_kind::video) > 3; }, 10s));
  srv->stop();
  auto s = handler.sink(0);
  EXPECT_TRUE(wait_for([&] { return s->end_count() == 1; }, 3s));
  EXPECT_EQ(pub.wait_for(5s), std::future_status::ready);
}

struct rtmp_server_timeouts : rtmp_server {
  void SetUp() override {
    server_options o;
    o.handshake_timeout_s = 1;
    start(o);
  }
};

TEST_F(rtmp_server_timeouts, silent_client_is_dropped_after_the_handshake_timeout) {
  namespace asio = boost::asio;
  asio::io_context ctx;
  asio::ip::tcp::socket sock(ctx);
  sock.connect({asio::ip::make_address("127.0.0.1"), srv->port()});
  const auto t0 = std::chrono::steady_clock::now();
  char b[1];
  boost::system::error_code ec;
  asio::read(sock, asio::buffer(b), ec);  // blocks until the server closes
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(ec, asio::error::eof);
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 3s);
}

}  // namespace
