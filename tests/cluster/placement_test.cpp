#include "cluster/placement.hpp"

#include <gtest/gtest.h>
#include <map>

namespace onair::cluster {
namespace {

member node(std::string id, std::string region, load ld = {}, member_state st = member_state::alive) {
  member m;
  m.node_id = std::move(id);
  m.region = std::move(region);
  m.ld = ld;
  m.state = st;
  return m;
}

std::map<std::string, int> shares(const std::vector<member>& ms, const std::string& region, int keys = 3000) {
  std::map<std::string, int> out;
  for (int i = 0; i < keys; ++i) ++out[*choose_owner("room-" + std::to_string(i), region, ms, "")];
  return out;
}

TEST(Placement, SpreadsKeysEvenlyOverEqualNodes) {
  std::vector<member> ms{node("a", "eu"), node("b", "eu"), node("c", "eu")};
  for (auto& [id, n] : shares(ms, "eu")) EXPECT_NEAR(n, 1000, 150) << id;
}

TEST(Placement, EveryNodeComputesTheSameOrderWhateverItsMemberListOrder) {
  std::vector<member> a{node("a", "eu"), node("b", "eu"), node("c", "us")};
  std::vector<member> b{a[2], a[0], a[1]};
  for (int i = 0; i < 100; ++i) {
    auto key = "k" + std::to_string(i);
    auto ra = rank(key, "eu", a), rb = rank(key, "eu", b);
    ASSERT_EQ(ra.size(), rb.size());
    for (std::size_t j = 0; j < ra.size(); ++j) EXPECT_EQ(ra[j].node_id, rb[j].node_id);
  }
}

TEST(Placement, HomeRegionFirstThenTheRest) {
  std::vector<member> ms{node("eu1", "eu"), node("us1", "us"), node("us2", "us")};
  for (int i = 0; i < 200; ++i) {
    auto r = rank("room-" + std::to_string(i), "eu", ms);
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0].node_id, "eu1");
  }
  EXPECT_EQ(shares(ms, "eu")["eu1"], 3000);
  EXPECT_EQ(shares(ms, "ap").size(), 3u) << "a region without nodes falls back to everyone";
}

TEST(Placement, OwnershipIsStickyUntilTheOwnerDiesOrDrains) {
  std::vector<member> ms{node("a", "eu"), node("b", "eu"), node("c", "eu")};
  for (int i = 0; i < 50; ++i) {
    auto key = "room-" + std::to_string(i);
    auto first = *choose_owner(key, "eu", ms, "");
    std::string other = first == "a" ? "b" : "a";
    EXPECT_EQ(*choose_owner(key, "eu", ms, other), other) << "a live current owner keeps the room";
  }
  auto dead = ms;
  dead[0].state = member_state::dead;
  EXPECT_NE(*choose_owner("x", "eu", dead, "a"), "a");
  auto draining = ms;
  draining[0].draining = true;
  EXPECT_NE(*choose_owner("x", "eu", draining, "a"), "a");
  EXPECT_FALSE(choose_owner("x", "eu", {node("z", "eu", {}, member_state::dead)}, ""));
}

TEST(Placement, OnlyTheDeadOwnersKeysMove) {
  std::vector<member> ms{node("a", "eu"), node("b", "eu"), node("c", "eu"), node("d", "eu")};
  auto without_c = ms;
  without_c[2].state = member_state::dead;
  int moved = 0;
  for (int i = 0; i < 2000; ++i) {
    auto key = "room-" + std::to_string(i);
    auto before = *choose_owner(key, "eu", ms, "");
    auto after = *choose_owner(key, "eu", without_c, "");
    if (before != "c") EXPECT_EQ(before, after) << "rendezvous hashing moves only the dead node's keys";
    else ++moved;
  }
  EXPECT_GT(moved, 300);
}

TEST(Placement, LoadedNodesGetFewerNewRooms) {
  std::vector<member> ms{node("idle", "eu"), node("busy", "eu", {200, 40, 10000, 90})};
  auto s = shares(ms, "eu");
  EXPECT_GT(s["idle"], 2 * s["busy"]);
  EXPECT_GT(s["busy"], 0) << "weighted, not excluded";
}

TEST(Placement, BestIngestIsTheLeastLoadedInTheRegion) {
  std::vector<member> ms{node("eu-busy", "eu", {10, 10, 0, 80}), node("eu-idle", "eu", {1, 0, 0, 5}),
                         node("us", "us")};
  EXPECT_EQ(best_ingest("eu", ms)->node_id, "eu-idle");
  EXPECT_EQ(best_ingest("us", ms)->node_id, "us");
  EXPECT_TRUE(best_ingest("ap", ms)) << "no node in the region: any node";
  EXPECT_FALSE(best_ingest("eu", {}));
}

}  // namespace
}  // namespace onair::cluster
