// Drain, deterministically (issue #13 item 5): the draining node hands every room it owns to the node
// that would take it over (epoch + 1) with the room's whole chat history and moderation, refuses new
// rooms and publishers, and reports itself done once it holds nothing. Real processes:
// tests/integration/test_drain.py.
#include "cluster/succession.hpp"
#include "replication_fixture.hpp"

namespace onair::actors::testing {
namespace {

std::uint8_t code_of(const caf::error& err) { return err.code(); }
constexpr auto code = [](api_errc e) { return static_cast<std::uint8_t>(e); };

class Drain : public Replication {
 protected:
  void join_all() {
    link(node("a"), node("b"));
    link(node("a"), node("c"));
    link(node("b"), node("c"));
    for (auto& n : nodes_) view(*n);
  }

  std::string heir(const std::string& id) {
    std::vector<cluster::member> ms;
    for (auto& n : nodes_) {
      cluster::member m;
      m.node_id = n->id;
      m.region = "eu";
      m.draining = n->id == "a";
      ms.push_back(m);
    }
    return cluster::succession(id, "eu", ms).at(0);
  }
};

TEST_F(Drain, EveryRoomGoesToItsHeirWithItsWholeChatAndTheNodeReportsDone) {
  // The room and its first messages exist while node a is alone: no backup copy of those anywhere.
  add_node("a");
  auto v = create(node("a"), "Late show");
  auto channel = chat_of(node("a"), v.id);
  auto alice = join(channel, 1, "anon:alice");
  say(channel, 1, "before the cluster 1");
  say(channel, 1, "before the cluster 2");
  ASSERT_EQ(alice->of_type("ack").size(), 2u);
  add_node("b");
  add_node("c");
  join_all();
  ASSERT_EQ(stored(node("a"), v.id).owner_node, "a");
  say(channel, 1, "in the cluster");
  const auto next = heir(v.id);

  // Asked through another node, forwarded to a; only an admin may drain.
  EXPECT_EQ(code_of(ask_error(node("b").directory, drain_atom::value, dj("alice"), std::string("a"))),
            code(api_errc::forbidden));
  EXPECT_EQ(code_of(ask_error(node("b").directory, drain_atom::value, admin(), std::string("zz"))),
            code(api_errc::not_found));
  auto d = ask<net::api::drain_view>(node("b").directory, nullptr, drain_atom::value, admin(), std::string("a"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->node_id, "a");

  // Every node agrees on the new owner, one epoch up.
  for (auto id : {"a", "b", "c"}) {
    auto rec = stored(node(id), v.id);
    EXPECT_EQ(rec.owner_node, next) << "on " << id;
    EXPECT_EQ(rec.owner_epoch, 2u) << "on " << id;
  }
  EXPECT_EQ(metrics_->rooms_handed_off.load(), 1u);
  // The old channel's members are told to reconnect.
  EXPECT_TRUE(alice->closed);
  EXPECT_EQ(alice->close_code, net::chat::close_code::service_restart);
  // The new owner holds every message, also those from before it was anyone's backup; seqs go on.
  auto ch = chat_of(node(next), v.id);
  auto back = join(ch, 2, "anon:alice", std::uint64_t{0});
  EXPECT_EQ(back->seqs(), (std::vector<std::int64_t>{1, 2, 3}));
  say(ch, 2, "after the drain");
  ASSERT_EQ(back->of_type("ack").size(), 1u);
  EXPECT_EQ(back->of_type("ack").at(0)["seq"], 4);

  // The draining node takes no new rooms and no publishers (503, so the encoder tries another node).
  net::api::create_room_request req;
  req.title = "nope";
  EXPECT_EQ(code_of(ask_error(node("a").directory, create_atom::value, dj("alice"), req)), code(api_errc::unavailable));
  publish_attempt attempt{1, "127.0.0.1:5000", {}, {}};
  EXPECT_EQ(code_of(ask_error(node("a").directory, publish_atom::value, media::sha256_hex(*v.stream_key), attempt)),
            code(api_errc::unavailable));
  // It holds nothing now: at its next tick it reports done (the process would exit).
  EXPECT_TRUE(drained_.empty());
  sched_->advance_time(std::chrono::seconds(1));
  sched_->run();
  EXPECT_EQ(drained_, (std::vector<std::string>{"a"}));
}

TEST_F(Drain, ANodeAloneCannotDrain) {
  add_node("a");
  create(node("a"), "Only show");
  EXPECT_EQ(code_of(ask_error(node("a").directory, drain_atom::value, admin(), std::string("a"))),
            code(api_errc::conflict));
  EXPECT_TRUE(drained_.empty());
}

}  // namespace
}  // namespace onair::actors::testing
