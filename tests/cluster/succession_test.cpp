#include "cluster/succession.hpp"

#include <gtest/gtest.h>
#include <map>

namespace onair::cluster {
namespace {

member node(std::string id, std::string region, member_state st = member_state::alive, bool draining = false) {
  member m;
  m.node_id = std::move(id);
  m.region = std::move(region);
  m.state = st;
  m.draining = draining;
  return m;
}

std::vector<member> with_state(std::vector<member> ms, const std::string& id, member_state st) {
  for (auto& m : ms)
    if (m.node_id == id) m.state = st;
  return ms;
}

TEST(Succession, HomeRegionFirstAndTheSameWhateverTheListOrderOrTheLoad) {
  std::vector<member> a{node("a", "eu"), node("b", "us"), node("c", "eu"), node("d", "us")};
  std::vector<member> b{a[3], a[1], a[0], a[2]};
  b[0].ld.cpu_pct = 90;  // load differs between views: the order must not
  b[2].ld.rooms = 500;
  for (int i = 0; i < 200; ++i) {
    auto key = "room-" + std::to_string(i);
    auto sa = succession(key, "eu", a), sb = succession(key, "eu", b);
    ASSERT_EQ(sa, sb) << key;
    ASSERT_EQ(sa.size(), 4u);
    EXPECT_TRUE((sa[0] == "a" || sa[0] == "c") && (sa[1] == "a" || sa[1] == "c")) << key;
  }
}

TEST(Succession, LeavesOutDeadLeftAndDrainingButKeepsSuspects) {
  std::vector<member> ms{node("a", "eu", member_state::dead), node("b", "eu", member_state::left),
                         node("c", "eu", member_state::alive, true), node("d", "eu", member_state::suspect),
                         node("e", "eu")};
  auto s = succession("k", "eu", ms);
  EXPECT_EQ(s.size(), 2u);
  EXPECT_NE(std::find(s.begin(), s.end(), "d"), s.end());
  EXPECT_NE(std::find(s.begin(), s.end(), "e"), s.end());
}

TEST(Succession, MajorityCountsDeadButNotLeftMembers) {
  std::vector<member> ms{node("a", "eu"), node("b", "eu"), node("c", "eu")};
  EXPECT_TRUE(has_majority(ms));
  EXPECT_TRUE(has_majority(with_state(ms, "c", member_state::dead)));                   // 2 of 3
  EXPECT_FALSE(has_majority(with_state(with_state(ms, "c", member_state::dead), "b", member_state::dead)));  // 1 of 3
  EXPECT_FALSE(has_majority(with_state(with_state(ms, "c", member_state::dead), "b", member_state::suspect)));
  // Left members are out of the count: 1 alive of 1 remaining.
  EXPECT_TRUE(has_majority(with_state(with_state(ms, "c", member_state::left), "b", member_state::left)));
  // 2 of 4 is not a strict majority: an even split never makes an owner on either side.
  std::vector<member> four{node("a", "eu"), node("b", "eu"), node("c", "eu", member_state::dead),
                           node("d", "eu", member_state::dead)};
  EXPECT_FALSE(has_majority(four));
}

TEST(Succession, OnlyAGoneOwnerHasASuccessorAndEveryViewAgreesOnIt) {
  std::vector<member> ms{node("a", "eu"), node("b", "eu"), node("c", "us")};
  std::map<std::string, int> took;
  for (int i = 0; i < 300; ++i) {
    auto key = "room-" + std::to_string(i);
    auto order = succession(key, "eu", ms);
    const auto owner = order.front();
    EXPECT_FALSE(successor(key, "eu", owner, ms).has_value());                               // alive
    EXPECT_FALSE(successor(key, "eu", owner, with_state(ms, owner, member_state::suspect)).has_value());
    auto dead = with_state(ms, owner, member_state::dead);
    auto next = successor(key, "eu", owner, dead);
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(*next, order[1]) << key;  // the next in the order: the backup the chat was copied to
    EXPECT_EQ(backup_of(key, "eu", owner, ms), order[1]);
    EXPECT_EQ(successor(key, "eu", owner, with_state(ms, owner, member_state::left)), next);
    ++took[*next];
  }
  EXPECT_GT(took["a"] + took["b"], took["c"]);  // the home region takes over first
  EXPECT_FALSE(successor("k", "eu", "unknown-node", ms).has_value());
}

TEST(Succession, TwoDeathsAtOnceGoToTheFirstSurvivor) {
  std::vector<member> ms{node("a", "eu"), node("b", "eu"), node("c", "eu"), node("d", "eu"), node("e", "eu")};
  for (int i = 0; i < 100; ++i) {
    auto key = "room-" + std::to_string(i);
    auto order = succession(key, "eu", ms);
    auto view = with_state(with_state(ms, order[0], member_state::dead), order[1], member_state::dead);
    EXPECT_TRUE(has_majority(view));  // 3 of 5
    EXPECT_EQ(successor(key, "eu", order[0], view), order[2]);
    // The backup skips a suspect member for the copy (it may be gone) but keeps it in the order.
    EXPECT_EQ(backup_of(key, "eu", order[0], with_state(ms, order[1], member_state::suspect)), order[2]);
  }
}

}  // namespace
}  // namespace onair::cluster
