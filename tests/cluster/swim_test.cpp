// Unit tests of the SWIM core's rules, fed hand-made packets: incarnation precedence (SWIM 4.2),
// refutation, Lifeguard suspicion shrinking, the piggyback queue, ping addressing.
#include "cluster/swim.hpp"

#include <gtest/gtest.h>

#include "cluster/broadcast_queue.hpp"
#include "cluster/suspicion.hpp"
#include "cluster/wire.hpp"

namespace onair::cluster {
namespace {

using kind = member_event::kind;

member node(const std::string& id, member_state st = member_state::alive, std::uint64_t inc = 0) {
  member m;
  m.node_id = id;
  m.region = "eu";
  m.ep.host = "10.0.0." + std::to_string(id.size());
  m.ep.gossip = 7946;
  m.state = st;
  m.incarnation = inc;
  return m;
}

struct harness {
  swim s{swim_config{}, node("self"), 1};
  std::int64_t now = 1000;

  std::vector<outgoing> gossip(const member& m, const std::string& from = "peer") {
    wire::packet p;
    p.type = wire::packet_type::gossip;
    p.from = "peer";
    p.gossip = {{m, from}};
    const auto bytes = wire::encode(p);
    return s.on_packet("10.0.0.99:7946", bytes.data(), bytes.size(), now);
  }
  std::vector<kind> kinds() {
    std::vector<kind> out;
    for (auto& e : s.drain_events()) out.push_back(e.what);
    return out;
  }
  const member* find(const std::string& id) {
    static std::vector<member> ms;
    ms = s.members();
    for (auto& m : ms)
      if (m.node_id == id) return &m;
    return nullptr;
  }
};

TEST(Swim, SuspicionOfSelfIsRefutedWithAHigherIncarnation) {
  harness h;
  h.gossip(node("self", member_state::suspect, 0), "x");
  EXPECT_EQ(h.s.self().incarnation, 1u);
  EXPECT_EQ(h.s.local_health(), 1u) << "Lifeguard: being suspected raises the local health score";
  EXPECT_EQ(h.s.pending_broadcasts(), 1u);
  h.gossip(node("self", member_state::dead, 5), "x");
  EXPECT_EQ(h.s.self().incarnation, 6u);
  EXPECT_EQ(h.s.self().state, member_state::alive);
  h.gossip(node("self", member_state::suspect, 2), "x");  // older than our incarnation: ignored
  EXPECT_EQ(h.s.self().incarnation, 6u);
}

TEST(Swim, IncarnationPrecedence) {
  harness h;
  h.gossip(node("x", member_state::alive, 1));
  EXPECT_EQ(h.kinds(), std::vector<kind>{kind::joined});
  h.gossip(node("x", member_state::suspect, 0));  // stale suspicion
  EXPECT_TRUE(h.kinds().empty());
  h.gossip(node("x", member_state::suspect, 1));  // suspect overrides alive at the same incarnation
  EXPECT_EQ(h.kinds(), std::vector<kind>{kind::suspect});
  h.gossip(node("x", member_state::alive, 1));  // alive needs a strictly higher one
  EXPECT_TRUE(h.kinds().empty());
  EXPECT_EQ(h.find("x")->state, member_state::suspect);
  h.gossip(node("x", member_state::alive, 2));
  EXPECT_EQ(h.kinds(), std::vector<kind>{kind::alive_again});
  h.gossip(node("x", member_state::dead, 1));  // stale death
  EXPECT_TRUE(h.kinds().empty());
  h.gossip(node("x", member_state::dead, 2));
  EXPECT_EQ(h.kinds(), std::vector<kind>{kind::dead});
  h.gossip(node("x", member_state::suspect, 2));  // the dead stay dead until they out-bid
  EXPECT_TRUE(h.kinds().empty());
  h.gossip(node("x", member_state::alive, 3));  // restart
  EXPECT_EQ(h.kinds(), std::vector<kind>{kind::alive_again});
  h.gossip(node("x", member_state::left, 4));
  EXPECT_EQ(h.kinds(), std::vector<kind>{kind::left});
  h.gossip(node("x", member_state::alive, 5));  // a new session after a graceful leave
  EXPECT_EQ(h.kinds(), std::vector<kind>{kind::joined});
}

TEST(Swim, UnknownMembersAreNeverSuspectedOrKilled) {
  harness h;
  h.gossip(node("ghost", member_state::suspect, 3));
  h.gossip(node("ghost", member_state::dead, 3));
  EXPECT_TRUE(h.kinds().empty());
  EXPECT_EQ(h.find("ghost"), nullptr);
}

TEST(Swim, MetadataChangesAreUpdates) {
  harness h;
  h.gossip(node("x", member_state::alive, 1));
  h.kinds();
  member m = node("x", member_state::alive, 2);
  m.ld.viewers = 1200;
  m.draining = true;
  h.gossip(m);
  EXPECT_EQ(h.kinds(), std::vector<kind>{kind::updated});
  EXPECT_EQ(h.find("x")->ld.viewers, 1200u);
  h.gossip(node("x", member_state::alive, 3));  // same content as before the change: updated again
  EXPECT_EQ(h.kinds(), std::vector<kind>{kind::updated});
}

TEST(Swim, UpdateSelfRaisesIncarnationAndQueuesIt) {
  harness h;
  h.s.update_self(load{1, 1, 10, 5}, false);
  EXPECT_EQ(h.s.self().incarnation, 1u);
  EXPECT_EQ(h.s.pending_broadcasts(), 1u);
  h.s.update_self(load{1, 1, 10, 5}, false);  // unchanged: nothing to say
  EXPECT_EQ(h.s.self().incarnation, 1u);
}

TEST(Swim, PingsForAnotherNodeIdAreNotAcked) {
  harness h;
  wire::packet p;
  p.type = wire::packet_type::ping;
  p.from = "peer";
  p.seq = 9;
  p.target = "someone-else";  // an address reused after a restart
  auto bytes = wire::encode(p);
  EXPECT_TRUE(h.s.on_packet("10.0.0.9:7946", bytes.data(), bytes.size(), h.now).empty());
  p.target = "self";
  bytes = wire::encode(p);
  const auto out = h.s.on_packet("10.0.0.9:7946", bytes.data(), bytes.size(), h.now);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to, "10.0.0.9:7946");
  const auto ack = wire::decode(out[0].payload);
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->type, wire::packet_type::ack);
  EXPECT_EQ(ack->seq, 9u);
  EXPECT_EQ(ack->from, "self");
}

TEST(Swim, MalformedPayloadsAreCountedNotFatal) {
  harness h;
  const std::uint8_t junk[] = {0xc1, 0xff, 0x00};
  EXPECT_TRUE(h.s.on_packet("x:1", junk, sizeof junk, h.now).empty());
  EXPECT_EQ(h.s.malformed_packets(), 1u);
}

TEST(Swim, JoinSendsPushPullToSeedsButNotToItself) {
  harness h;
  const auto out = h.s.join({"10.0.0.4:7946", "10.0.0.5:7946", "10.0.0.1:9"}, h.now);  // self is 10.0.0.4
  ASSERT_EQ(out.size(), 2u);
  const auto p = wire::decode(out[0].payload);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, wire::packet_type::push_pull);
  EXPECT_TRUE(p->first);
  EXPECT_FALSE(p->reply);
  ASSERT_EQ(p->state.size(), 1u);
  EXPECT_EQ(p->state[0].m.node_id, "self");
}

TEST(Suspicion, TimeoutShrinksWithIndependentConfirmations) {
  suspicion s(0, 1000, 6000, 3, "a");
  EXPECT_EQ(s.timeout_ms(), 6000);
  EXPECT_FALSE(s.confirm("a"));  // the first suspector again: not independent
  EXPECT_TRUE(s.confirm("b"));
  EXPECT_EQ(s.timeout_ms(), 3500);  // 6000 − 5000·log 2/log 4
  EXPECT_TRUE(s.confirm("c"));
  EXPECT_TRUE(s.confirm("d"));
  EXPECT_EQ(s.timeout_ms(), 1000);
  EXPECT_EQ(s.deadline_ms(), 1000);
  suspicion none(0, 1000, 6000, 0, "a");  // too few members to expect confirmations
  EXPECT_EQ(none.timeout_ms(), 1000);
}

TEST(BroadcastQueue, NewestReplacesOlderAndRetransmitsAreBounded) {
  broadcast_queue q;
  q.push("a", std::vector<std::uint8_t>(30, 1));
  q.push("b", std::vector<std::uint8_t>(30, 2));
  q.push("a", std::vector<std::uint8_t>(30, 3));  // replaces the first claim about a
  EXPECT_EQ(q.size(), 2u);
  auto first = q.take(40, 2);  // room for one: the newest (a)
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ((*first[0])[0], 3);
  auto second = q.take(100, 2);  // b (never sent) comes before a (sent once)
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ((*second[0])[0], 2);
  EXPECT_EQ(q.size(), 1u) << "a reached its limit of 2";
  q.take(100, 2);
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace onair::cluster
