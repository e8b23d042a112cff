#include "actors/chat_channel_actor.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "actor_fixture.hpp"
#include "recording_sink.hpp"
#include "actors/cluster_types.hpp"

namespace onair::actors::testing {
namespace {

using nlohmann::json;

class ChatChannel : public actor_fixture {
 protected:
  void SetUp() override {
    opts_ = std::make_shared<chat_options>();
    opts_->history_on_join = 3;
    channel_ = spawn_chat_channel(*sys_, "room1", opts_, storage_, metrics_);
    sched_->run();
  }
  void TearDown() override {
    caf::anon_send_exit(channel_, caf::exit_reason::user_shutdown);
    sched_->run();
  }
  std::shared_ptr<recording_sink> join(std::uint64_t conn, net::chat::user_info u,
                                       std::optional<std::uint64_t> since = std::nullopt) {
    auto sink = std::make_shared<recording_sink>();
    caf::anon_send(channel_, join_atom::value, conn, u, std::static_pointer_cast<net::chat::session_sink>(sink), since);
    sched_->run();
    return sink;
  }
  void frame(std::uint64_t conn, net::chat::client_frame f) {
    caf::anon_send(channel_, cframe_atom::value, conn, f);
    sched_->run();
  }
  void say(std::uint64_t conn, std::string text, std::string client_id = "") {
    frame(conn, net::chat::msg_frame{std::move(text), std::move(client_id)});
  }
  static net::chat::user_info viewer(std::string id) { return {id, id, "viewer"}; }

  std::shared_ptr<chat_options> opts_;
  caf::actor channel_;
};

TEST_F(ChatChannel, MessagesAreDurableSequencedBroadcastAndAcked) {
  auto a = join(1, viewer("anon:a"));
  auto b = join(2, viewer("anon:b"));
  say(1, "hello", "c1");
  say(2, "hi back");
  for (auto* s : {a.get(), b.get()}) {
    auto msgs = s->of_type("msg");
    ASSERT_EQ(msgs.size(), 2u);
    EXPECT_EQ(msgs[0]["seq"], 1);
    EXPECT_EQ(msgs[1]["seq"], 2);
    EXPECT_EQ(msgs[0]["text"], "hello");
  }
  auto acks = a->of_type("ack");
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0]["seq"], 1);
  std::vector<storage::chat_record> stored;
  ASSERT_FALSE(db_->chat_last("room1", 10, stored));
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[1].text, "hi back");
}

TEST_F(ChatChannel, JoinGetsWelcomeAndRecentHistoryAndSinceGetsExactlyTheMissed) {
  auto a = join(1, viewer("anon:a"));
  for (int i = 1; i <= 5; ++i) say(1, "m" + std::to_string(i));
  auto late = join(2, viewer("anon:late"));
  ASSERT_EQ(late->of_type("welcome").size(), 1u);
  auto hist = late->of_type("history");
  ASSERT_EQ(hist.size(), 1u);
  ASSERT_EQ(hist[0]["messages"].size(), 3u);  // history_on_join = 3
  EXPECT_EQ(hist[0]["messages"][0]["text"], "m3");
  auto back = join(3, viewer("anon:back"), 2);
  auto replay = back->of_type("history");
  ASSERT_EQ(replay.size(), 1u);
  EXPECT_TRUE(replay[0]["replay"].get<bool>());
  ASSERT_EQ(replay[0]["messages"].size(), 3u);
  EXPECT_EQ(replay[0]["messages"][0]["seq"], 3);
  EXPECT_EQ(replay[0]["messages"][2]["seq"], 5);
}

// A message that becomes durable while a reconnecting client's replay is read from storage must reach it
// once and in order: in the replay, never live before it (found by onair-bench fault: receivers saw a
// live message, then the replay of the older ones, i.e. a hole followed by stale messages).
TEST_F(ChatChannel, SinceReplayComesBeforeLiveMessagesAndMissesNothing) {
  join(1, viewer("anon:a"));
  for (int i = 1; i <= 5; ++i) say(1, "m" + std::to_string(i));
  // m6 is accepted (its storage write is queued) before the join's replay read: no run in between.
  auto sink = std::make_shared<recording_sink>();
  caf::anon_send(channel_, cframe_atom::value, std::uint64_t{1}, net::chat::client_frame{net::chat::msg_frame{"m6", ""}});
  caf::anon_send(channel_, join_atom::value, std::uint64_t{3}, viewer("anon:back"),
                 std::static_pointer_cast<net::chat::session_sink>(sink), std::optional<std::uint64_t>{2});
  sched_->run();
  say(1, "m7");
  EXPECT_EQ(sink->seqs(), (std::vector<std::int64_t>{3, 4, 5, 6, 7}));
  EXPECT_EQ(sink->frames.at(0)["type"], "welcome");
  EXPECT_EQ(sink->of_type("history").size(), 1u);
}

// The same when the message is broadcast after the replay was read but before it was sent: the tail
// comes from the channel's recent messages.
TEST_F(ChatChannel, SinceReplayIncludesMessagesDurableWhileStorageWasRead) {
  join(1, viewer("anon:a"));
  for (int i = 1; i <= 3; ++i) say(1, "m" + std::to_string(i));
  auto sink = std::make_shared<recording_sink>();
  caf::anon_send(channel_, join_atom::value, std::uint64_t{3}, viewer("anon:back"),
                 std::static_pointer_cast<net::chat::session_sink>(sink), std::optional<std::uint64_t>{1});
  caf::anon_send(channel_, cframe_atom::value, std::uint64_t{1}, net::chat::client_frame{net::chat::msg_frame{"m4", ""}});
  sched_->run();
  EXPECT_EQ(sink->seqs(), (std::vector<std::int64_t>{2, 3, 4}));
}

TEST_F(ChatChannel, HistoryAndSequenceSurviveANewChannel) {
  join(1, viewer("anon:a"));
  say(1, "before restart");
  caf::anon_send_exit(channel_, caf::exit_reason::user_shutdown);
  sched_->run();
  channel_ = spawn_chat_channel(*sys_, "room1", opts_, storage_, metrics_);
  sched_->run();
  auto b = join(2, viewer("anon:b"));
  ASSERT_EQ(b->of_type("history").at(0)["messages"].size(), 1u);
  say(2, "after");
  EXPECT_EQ(b->of_type("msg").at(0)["seq"], 2);
}

TEST_F(ChatChannel, ModerationDeleteMuteBanSlowModeAndClear) {
  auto dj = join(1, {"tok:dj", "dj", "dj"});
  auto v = join(2, viewer("anon:v"));
  auto other = join(3, viewer("anon:o"));
  say(2, "spam");
  frame(3, net::chat::delete_frame{1});  // a viewer cannot delete someone else's message
  EXPECT_EQ(other->of_type("error").at(0)["code"], "forbidden");
  frame(1, net::chat::delete_frame{1});
  EXPECT_EQ(v->of_type("deleted").size(), 1u);
  frame(1, net::chat::mute_frame{"anon:v", 60});
  say(2, "still here?");
  EXPECT_EQ(v->of_type("error").back()["code"], "muted");
  frame(2, net::chat::ban_frame{"tok:dj"});  // viewers cannot moderate
  EXPECT_FALSE(dj->closed);
  frame(1, net::chat::ban_frame{"anon:v"});
  EXPECT_TRUE(v->closed);
  EXPECT_EQ(v->close_code, net::chat::close_code::policy);
  caf::anon_send(channel_, leave_atom::value, std::uint64_t{2});
  auto again = join(4, viewer("anon:v"));
  EXPECT_TRUE(again->closed) << "a banned user cannot rejoin";
  frame(1, net::chat::slow_mode_frame{30});
  say(3, "one");
  say(3, "two");
  EXPECT_EQ(other->of_type("error").back()["code"], "slow_mode");
  frame(1, net::chat::clear_frame{});
  EXPECT_EQ(other->of_type("cleared").size(), 1u);
  auto fresh = join(5, viewer("anon:f"));
  EXPECT_TRUE(fresh->of_type("history").at(0)["messages"].empty());
}

TEST_F(ChatChannel, ReactionsAreAggregatedNotOneFramePerReaction) {
  auto a = join(1, viewer("anon:a"));
  auto b = join(2, viewer("anon:b"));
  for (int i = 0; i < 10; ++i) frame(1, net::chat::reaction_frame{"🔥"});
  frame(2, net::chat::reaction_frame{"👍"});
  frame(2, net::chat::reaction_frame{"not-an-emoji"});
  EXPECT_TRUE(b->of_type("reactions").empty()) << "nothing before the flush interval";
  EXPECT_EQ(b->of_type("error").back()["code"], "unknown_reaction");
  sched_->advance_time(std::chrono::milliseconds(opts_->reaction_flush_ms));
  sched_->run();
  auto r = b->of_type("reactions");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["counts"]["🔥"], 10);
  EXPECT_EQ(r[0]["counts"]["👍"], 1);
}

TEST_F(ChatChannel, PresenceIsSentAtMostOncePerIntervalWhenItChanged) {
  auto a = join(1, viewer("anon:a"));
  join(2, viewer("anon:b"));
  join(3, viewer("anon:c"));
  EXPECT_TRUE(a->of_type("presence").empty());
  sched_->advance_time(std::chrono::milliseconds(opts_->presence_interval_ms));
  sched_->run();
  auto p = a->of_type("presence");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0]["viewers"], 3);
}

TEST_F(ChatChannel, OverlongMessageIsRefusedAndNothingIsStored) {
  auto a = join(1, viewer("anon:a"));
  say(1, std::string(opts_->max_message_chars + 1, 'x'));
  EXPECT_EQ(a->of_type("error").back()["code"], "message_too_long");
  std::uint64_t first = 0, last = 0;
  ASSERT_FALSE(db_->chat_bounds("room1", first, last));
  EXPECT_EQ(last, 0u);
}

}  // namespace
}  // namespace onair::actors::testing
