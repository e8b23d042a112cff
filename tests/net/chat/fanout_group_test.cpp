// fanout_group over real WebSocket sessions (one post per io thread per broadcast) and plain sinks.
#include <gtest/gtest.h>

#include "net/chat/fanout_group.hpp"
#include "tests/net/chat/chat_test_support.hpp"

namespace onair::net::chat::testing {
namespace {

/// A sink that is not a WebSocket session: fanout_group must fall back to send().
struct recording_sink final : session_sink {
  bool send(media::shared_bytes frame, priority) override {
    frames.emplace_back(frame->begin(), frame->end());
    return true;
  }
  void close(std::uint16_t, std::string) override {}
  std::vector<std::string> frames;
};

class fanout : public chat_fixture {
 protected:
  /// Joins `n` clients and returns them with their sinks (in join order).
  void join(int n) {
    for (int i = 0; i < n; ++i) {
      clients_.push_back(joined("c" + std::to_string(i)));
      ASSERT_TRUE(chat_.wait([&](const auto& rs) { return rs.size() == clients_.size(); }));
    }
    for (auto& [id, r] : chat_.records()) sinks_.push_back(r.sink);  // std::map: connection id order
  }
  void TearDown() override {
    clients_.clear();  // the clients hang up first, so the sessions end before the server stops
    chat_fixture::TearDown();
    sinks_.clear();
  }
  std::vector<std::unique_ptr<ws_client>> clients_;
  std::vector<std::shared_ptr<session_sink>> sinks_;
};

TEST_F(fanout, every_member_gets_the_frame_once_and_removed_members_none) {
  join(4);  // io_runtime{2}: the four sessions sit on both io contexts
  auto plain = std::make_shared<recording_sink>();
  fanout_group g;
  for (auto& s : sinks_) g.add(s);
  g.add(sinks_[0]);  // a second add is ignored
  g.add(plain);
  EXPECT_EQ(g.size(), 5u);
  g.send_all(shared(render_system("live")), session_sink::priority::normal);
  for (auto& c : clients_) EXPECT_EQ(c->read_json()["event"], "live");
  ASSERT_EQ(plain->frames.size(), 1u);
  EXPECT_EQ(plain->frames[0], render_system("live"));  // plain sinks get the JSON, not a WebSocket frame

  g.remove(sinks_[1].get());
  g.remove(plain.get());
  g.remove(plain.get());  // absent: ignored
  EXPECT_EQ(g.size(), 3u);
  g.send_all(shared(render_system("ended")), session_sink::priority::normal);
  // The removed session's next frame is the one sent to it directly afterwards, not the broadcast.
  sinks_[1]->send(shared(render_pong()), session_sink::priority::normal);
  EXPECT_EQ(clients_[1]->read_json()["type"], "pong");
  for (int i : {0, 2, 3}) EXPECT_EQ(clients_[i]->read_json()["event"], "ended");
  EXPECT_EQ(plain->frames.size(), 1u);
}

TEST_F(fanout, edits_while_broadcasts_are_in_flight_keep_every_member_in_order) {
  join(3);
  fanout_group g;
  for (auto& s : sinks_) g.add(s);
  // Each broadcast job may still hold the snapshot when the group is edited: the edit must copy it.
  constexpr int n = 200;
  for (int i = 0; i < n; ++i) {
    g.send_all(shared(render_system(std::to_string(i))), session_sink::priority::normal);
    g.remove(sinks_[i % 3].get());
    g.add(sinks_[i % 3]);
  }
  for (auto& c : clients_)
    for (int i = 0; i < n; ++i) ASSERT_EQ(c->read_json()["event"], std::to_string(i));
}

}  // namespace
}  // namespace onair::net::chat::testing
