// Owner failover, fencing and the chat's second copy, deterministically (issue #13): nodes in one test
// actor system (replication_fixture.hpp) that are killed, partitioned and restarted by hand, with the
// gossip view each node would have. The same paths with real processes: tests/integration/test_failover.py.
#include "cluster/succession.hpp"
#include "replication_fixture.hpp"

namespace onair::actors::testing {
namespace {

using cluster::member_state;
constexpr auto dead = member_state::dead;

class Ownership : public Replication {
 protected:
  /// Three linked nodes that all see each other alive.
  void three() {
    for (auto id : {"a", "b", "c"}) add_node(id);
    link(node("a"), node("b"));
    link(node("a"), node("c"));
    link(node("b"), node("c"));
    for (auto& n : nodes_) view(*n);
  }

  /// The node that must take `id` over from `owner` when `owner` dies, by the rule every node runs.
  std::string heir(const std::string& id, const std::string& owner) {
    std::vector<cluster::member> ms;
    for (auto& n : nodes_) {
      cluster::member m;
      m.node_id = n->id;
      m.region = "eu";
      m.state = n->id == owner ? dead : member_state::alive;
      ms.push_back(m);
    }
    return cluster::successor(id, "eu", owner, ms).value_or("");
  }

  /// Creates a room whose owner is `owner` (placement picks it among the alive members).
  room_view create_owned_by(const std::string& owner) {
    for (int i = 0; i < 50; ++i) {
      auto v = create(node("a"), "Show " + std::to_string(i));
      if (stored(node("a"), v.id).owner_node == owner) return v;
    }
    ADD_FAILURE() << "placement never chose " << owner;
    return {};
  }

  void everyone_sees_dead(const std::string& id) {
    for (auto& n : nodes_)
      if (n->directory && n->id != id) view(*n, {{id, dead}});
  }
};

TEST_F(Ownership, TheNextNodeInOrderTakesADeadOwnersRoomWithEpochPlusOne) {
  three();
  auto v = create_owned_by("a");
  const auto next = heir(v.id, "a");
  ASSERT_FALSE(next.empty());
  kill(node("a"));
  // Before gossip says so, the room cannot change (its owner is unreachable): 503, nothing changes.
  net::api::patch_room_request patch;
  patch.title = "After the crash";
  EXPECT_EQ(code_of(ask_error(node("b").directory, patch_atom::value, dj("alice"), v.id, patch)), api_errc::unavailable);
  everyone_sees_dead("a");
  for (auto id : {"b", "c"}) {
    auto rec = stored(node(id), v.id);
    EXPECT_EQ(rec.owner_node, next) << id;  // every survivor agrees on the same new owner
    EXPECT_EQ(rec.owner_epoch, 2u) << id;
  }
  // Changes work again through either survivor and reach both.
  for (auto id : {"b", "c"}) {
    patch.title = std::string("Changed via ") + id;
    auto changed = ask<room_view>(node(id).directory, nullptr, patch_atom::value, dj("alice"), v.id, patch);
    ASSERT_TRUE(changed) << id;
    EXPECT_EQ(stored(node("b"), v.id).title, *patch.title);
    EXPECT_EQ(stored(node("c"), v.id).title, *patch.title);
  }
  EXPECT_TRUE(ask<room_view>(node("c").directory, nullptr, rotate_atom::value, dj("alice"), v.id));
  EXPECT_TRUE(ask<room_view>(node("b").directory, nullptr, end_atom::value, dj("alice"), v.id));
  EXPECT_EQ(stored(node("c"), v.id).status, 2);
}

TEST_F(Ownership, ASuspectOwnerKeepsItsRooms) {
  three();
  auto v = create_owned_by("a");
  for (auto id : {"b", "c"}) view(node(id), {{"a", member_state::suspect}});
  EXPECT_EQ(stored(node("b"), v.id).owner_node, "a");
  EXPECT_EQ(stored(node("c"), v.id).owner_epoch, 1u);
}

TEST_F(Ownership, AMinorityNeverTakesOverAndRefusesChangesToItsOwnRooms) {
  three();
  auto of_a = create_owned_by("a");
  auto of_c = create_owned_by("c");
  // c is cut off from a and b: it sees them dead, they see it dead.
  for (auto id : {"a", "b"}) caf::anon_send(node("c").directory, peer_down_atom::value, std::string(id));
  caf::anon_send(node("a").directory, peer_down_atom::value, std::string("c"));
  caf::anon_send(node("b").directory, peer_down_atom::value, std::string("c"));
  sched_->run();
  view(node("c"), {{"a", dead}, {"b", dead}});
  view(node("a"), {{"c", dead}});
  view(node("b"), {{"c", dead}});
  // The minority (c) takes nothing and may not change even the room it owned ...
  EXPECT_EQ(stored(node("c"), of_a.id).owner_node, "a");
  net::api::patch_room_request patch;
  patch.title = "minority write";
  EXPECT_EQ(code_of(ask_error(node("c").directory, patch_atom::value, dj("alice"), of_c.id, patch)),
            api_errc::unavailable);
  EXPECT_TRUE(get(node("c"), of_c.id));  // ... but keeps serving reads
  // Nor does it create rooms: one made here could not be changed anywhere until the heal.
  net::api::create_room_request req;
  req.title = "minority room";
  EXPECT_EQ(code_of(ask_error(node("c").directory, create_atom::value, dj("alice"), req)), api_errc::unavailable);
  // The majority (a, b) took c's room over with epoch 2.
  const auto next = heir(of_c.id, "c");
  EXPECT_EQ(stored(node("a"), of_c.id).owner_node, next);
  EXPECT_EQ(stored(node("a"), of_c.id).owner_epoch, 2u);
  patch.title = "majority write";
  ASSERT_TRUE(ask<room_view>(node("b").directory, nullptr, patch_atom::value, dj("alice"), of_c.id, patch));
  // Heal: links come up again, digests run. c learns the newer epoch and yields; no flapping back.
  link(node("a"), node("c"));
  link(node("b"), node("c"));
  for (auto& n : nodes_) view(*n);
  for (auto id : {"a", "b", "c"}) {
    auto rec = stored(node(id), of_c.id);
    EXPECT_EQ(rec.owner_node, next) << id;
    EXPECT_EQ(rec.owner_epoch, 2u) << id;
    EXPECT_EQ(rec.title, "majority write") << id;
  }
  // And c, now a replica, forwards changes to the new owner.
  patch.title = "after heal";
  ASSERT_TRUE(ask<room_view>(node("c").directory, nullptr, patch_atom::value, dj("alice"), of_c.id, patch));
  EXPECT_EQ(stored(node(next), of_c.id).title, "after heal");
}

TEST_F(Ownership, AReturningOldOwnerLearnsTheNewerEpochAndYields) {
  three();
  auto v = create_owned_by("a");
  const auto next = heir(v.id, "a");
  kill(node("a"));
  everyone_sees_dead("a");
  net::api::patch_room_request patch;
  patch.title = "while a was away";
  ASSERT_TRUE(ask<room_view>(node("b").directory, nullptr, patch_atom::value, dj("alice"), v.id, patch));
  // a comes back from its disk, still saying "mine, epoch 1", and offers that record to a peer.
  restart(node("a"));
  auto stale = stored(node("a"), v.id);
  EXPECT_EQ(stale.owner_node, "a");
  caf::anon_send(node("b").directory, replicate_atom::value, std::vector<storage::room_record>{stale});
  sched_->run();
  EXPECT_EQ(stored(node("b"), v.id).owner_node, next);  // fenced: epoch 1 loses to epoch 2
  link(node("a"), node("b"));
  link(node("a"), node("c"));
  for (auto& n : nodes_) view(*n);
  for (auto id : {"a", "b", "c"}) {
    auto rec = stored(node(id), v.id);
    EXPECT_EQ(rec.owner_node, next) << id;
    EXPECT_EQ(rec.owner_epoch, 2u) << id;
    EXPECT_EQ(rec.title, "while a was away") << id;
  }
}

TEST_F(Ownership, TwoDeathsAtOnceInFiveNodes) {
  for (auto id : {"a", "b", "c", "d", "e"}) add_node(id);
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    for (std::size_t j = i + 1; j < nodes_.size(); ++j) link(*nodes_[i], *nodes_[j]);
  for (auto& n : nodes_) view(*n);
  std::vector<room_view> rooms;
  for (int i = 0; i < 12; ++i) rooms.push_back(create(node("c"), "Room " + std::to_string(i)));
  kill(node("a"));
  kill(node("b"));
  for (auto id : {"c", "d", "e"}) view(node(id), {{"a", dead}, {"b", dead}});
  for (auto& v : rooms) {
    const auto owner = stored(node("c"), v.id).owner_node;
    EXPECT_TRUE(owner == "c" || owner == "d" || owner == "e") << v.id << " owned by " << owner;
    EXPECT_EQ(stored(node("d"), v.id).owner_node, owner);
    EXPECT_EQ(stored(node("e"), v.id).owner_node, owner);
    net::api::patch_room_request patch;
    patch.title = "ok";
    EXPECT_TRUE(ask<room_view>(node("e").directory, nullptr, patch_atom::value, dj("alice"), v.id, patch)) << v.id;
  }
}

TEST_F(Ownership, AcknowledgedChatIsOnTheBackupAndContinuesAtTheNewOwner) {
  three();
  auto v = create_owned_by("a");
  const auto next = heir(v.id, "a");
  const auto other = next == "b" ? std::string("c") : std::string("b");
  auto channel = chat_of(node("a"), v.id);
  auto alice = join(channel, 1, "anon:alice");
  for (int i = 1; i <= 5; ++i) say(channel, 1, "m" + std::to_string(i));
  ASSERT_EQ(alice->of_type("ack").size(), 5u);
  // Acknowledged means stored on the owner and on the backup, the node that takes over.
  std::vector<storage::chat_record> copy;
  ASSERT_FALSE(node(next).db->chat_after(v.id, 0, 100, copy));
  ASSERT_EQ(copy.size(), 5u);
  EXPECT_EQ(copy.back().text, "m5");
  auto relay = chat_of(node(other), v.id);
  auto bob = join(relay, 7, "anon:bob");
  kill(node("a"));
  // The relay lost the owner's channel: bob is told to reconnect (1012), not left hanging.
  EXPECT_TRUE(bob->closed);
  EXPECT_EQ(bob->close_code, net::chat::close_code::service_restart);
  // A join while no owner is known is answered (error frame, close 1013), never silence.
  auto early = join(chat_of(node(other), v.id), 8, "anon:early");
  sched_->advance_time(std::chrono::seconds(1));  // the relay's next lookup (one per second)
  sched_->run();
  EXPECT_TRUE(early->closed);
  EXPECT_EQ(early->close_code, net::chat::close_code::try_again_later);
  EXPECT_EQ(early->of_type("error").size(), 1u);
  everyone_sees_dead("a");
  sched_->advance_time(std::chrono::seconds(2));  // the relay's next lookup finds the new owner
  sched_->run();
  // bob reconnects through the relay with since = 2 and gets exactly what he missed, then new messages
  // continue the sequence.
  auto back = join(chat_of(node(other), v.id), 9, "anon:bob", std::uint64_t{2});
  EXPECT_EQ(back->seqs(), (std::vector<std::int64_t>{3, 4, 5}));
  auto ch2 = chat_of(node(next), v.id);
  auto carol = join(ch2, 1, "anon:carol");
  EXPECT_EQ(carol->of_type("welcome").at(0)["last_seq"], 5);
  say(ch2, 1, "after failover");
  ASSERT_EQ(carol->of_type("ack").size(), 1u);
  EXPECT_EQ(carol->of_type("ack").at(0)["seq"], 6);
  EXPECT_EQ(back->texts().back(), "after failover");
}

TEST_F(Ownership, ModerationMovesWithTheRoom) {
  three();
  auto v = create_owned_by("a");
  const auto next = heir(v.id, "a");
  auto channel = chat_of(node("a"), v.id);
  auto mod = std::make_shared<recording_sink>();
  caf::anon_send(channel, join_atom::value, std::uint64_t{1}, net::chat::user_info{"dj:alice", "alice", "dj"},
                 std::static_pointer_cast<net::chat::session_sink>(mod), std::optional<std::uint64_t>{});
  sched_->run();
  caf::anon_send(channel, cframe_atom::value, std::uint64_t{1},
                 net::chat::client_frame{net::chat::ban_frame{"anon:troll"}});
  caf::anon_send(channel, cframe_atom::value, std::uint64_t{1},
                 net::chat::client_frame{net::chat::slow_mode_frame{30}});
  sched_->run();
  kill(node("a"));
  everyone_sees_dead("a");
  auto troll = join(chat_of(node(next), v.id), 2, "anon:troll");
  EXPECT_TRUE(troll->closed);
  EXPECT_EQ(troll->close_code, net::chat::close_code::policy);
  auto viewer = join(chat_of(node(next), v.id), 3, "anon:viewer");
  EXPECT_EQ(viewer->of_type("welcome").at(0)["slow_mode"], 30);
}

}  // namespace
}  // namespace onair::actors::testing
