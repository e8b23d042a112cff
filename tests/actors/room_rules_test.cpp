#include "actors/room_rules.hpp"

#include <gtest/gtest.h>

namespace onair::actors {
namespace {

storage::room_record room(std::string id, std::int64_t created, std::string title = "t") {
  storage::room_record r;
  r.id = std::move(id);
  r.created_at_ms = created;
  r.title = std::move(title);
  return r;
}

TEST(RoomRules, CursorRoundTripsAndRejectsGarbage) {
  std::int64_t at = 0;
  std::string id;
  ASSERT_TRUE(parse_cursor(cursor_after(room("abc.def", 1700000000123)), at, id));
  EXPECT_EQ(at, 1700000000123);
  EXPECT_EQ(id, "abc.def");
  for (const char* bad : {"", ".", "x.y", "123.", ".abc", "12a.b"}) EXPECT_FALSE(parse_cursor(bad, at, id)) << bad;
}

TEST(RoomRules, NewestFirstThenById) {
  EXPECT_TRUE(list_before(room("b", 2), room("a", 1)));
  EXPECT_TRUE(list_before(room("a", 1), room("b", 1)));
  EXPECT_FALSE(list_before(room("a", 1), room("a", 1)));
}

TEST(RoomRules, MatchesTitleDescriptionTagsAndStatus) {
  auto r = room("x", 1, "Deep House Session");
  r.description = "Live from the BEACH";
  r.tags = {"Ibiza"};
  net::api::list_rooms_request q;
  for (const char* hit : {"house", "HOUSE", "beach", "ibiza", ""}) {
    q.q = hit;
    EXPECT_TRUE(matches(r, q)) << hit;
  }
  q.q = "techno";
  EXPECT_FALSE(matches(r, q));
  q.q.clear();
  q.status = net::api::room_status::live;
  EXPECT_FALSE(matches(r, q));
}

TEST(RoomRules, OwnerOrAdminMayModify) {
  auto r = room("x", 1);
  r.owner = "alice";
  EXPECT_TRUE(may_modify(principal{"alice", "dj"}, r));
  EXPECT_TRUE(may_modify(principal{"root", "admin"}, r));
  EXPECT_FALSE(may_modify(principal{"bob", "dj"}, r));
  EXPECT_FALSE(may_modify(principal{}, r));
}

TEST(RoomRules, IdsAndKeysAreUrlSafeAndUnique) {
  auto a = new_room_id(), b = new_room_id();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
  EXPECT_EQ(new_stream_key().rfind("sk_", 0), 0u);
}

}  // namespace
}  // namespace onair::actors
