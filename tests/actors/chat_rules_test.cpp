#include "actors/chat_rules.hpp"

#include <gtest/gtest.h>

#include "actors/token_bucket.hpp"

namespace onair::actors {
namespace {

TEST(TokenBucket, AllowsTheBurstThenRefillsAtTheRate) {
  token_bucket b(3, 2);  // burst 3, 2 per second
  const std::int64_t t0 = 1'000'000;
  EXPECT_TRUE(b.take(t0));
  EXPECT_TRUE(b.take(t0));
  EXPECT_TRUE(b.take(t0));
  EXPECT_FALSE(b.take(t0));
  EXPECT_EQ(b.wait_ms(t0), 500);
  EXPECT_FALSE(b.take(t0 + 499));
  EXPECT_TRUE(b.take(t0 + 500));
  EXPECT_TRUE(b.take(t0 + 10'000));  // long idle refills only up to the burst
  EXPECT_TRUE(b.take(t0 + 10'000));
  EXPECT_TRUE(b.take(t0 + 10'000));
  EXPECT_FALSE(b.take(t0 + 10'000));
}

TEST(TokenBucket, TimeGoingBackwardsGrantsNothingExtra) {
  token_bucket b(1, 1);
  EXPECT_TRUE(b.take(5000));
  EXPECT_FALSE(b.take(4000));
  EXPECT_FALSE(b.take(5000));
  EXPECT_TRUE(b.take(6000));
}

TEST(ChatRules, RolesAndRanks) {
  net::chat::user_info viewer{"a", "a", "viewer"}, mod{"m", "m", "moderator"}, dj{"d", "d", "dj"},
      admin{"x", "x", "admin"};
  EXPECT_FALSE(may_moderate(viewer));
  EXPECT_TRUE(may_moderate(mod));
  EXPECT_TRUE(may_moderate(dj));
  EXPECT_TRUE(may_moderate(admin));
  EXPECT_TRUE(outranks(mod, "viewer"));
  EXPECT_FALSE(outranks(mod, "dj")) << "a moderator cannot ban the room's DJ";
  EXPECT_FALSE(outranks(mod, "moderator"));
  EXPECT_TRUE(outranks(admin, "admin"));
  EXPECT_FALSE(outranks(viewer, "viewer"));
}

TEST(ChatRules, MessageTextCountsCodePointsNotBytes) {
  EXPECT_EQ(utf8_length("héllo"), 5u);
  EXPECT_EQ(utf8_length("🔥🔥"), 2u);
  EXPECT_EQ(check_message_text("hi", 500), "");
  EXPECT_EQ(check_message_text("   \n", 500), "empty_message");
  EXPECT_EQ(check_message_text("", 500), "empty_message");
  std::string fire;
  for (int i = 0; i < 500; ++i) fire += "🔥";  // 2000 bytes, 500 characters
  EXPECT_EQ(check_message_text(fire, 500), "");
  EXPECT_EQ(check_message_text(fire + "x", 500), "message_too_long");
}

TEST(ChatRules, MutesExpireBansStayUntilUnban) {
  storage::chat_moderation m;
  apply_mute(m, "u1", 10'000);
  EXPECT_TRUE(is_muted(m, "u1", 9'999));
  EXPECT_FALSE(is_muted(m, "u1", 10'000));
  apply_mute(m, "u1", 20'000);  // replaces, does not stack
  EXPECT_EQ(m.muted.size(), 1u);
  prune_mutes(m, 25'000);
  EXPECT_TRUE(m.muted.empty());
  apply_ban(m, "u2");
  apply_ban(m, "u2");
  EXPECT_EQ(m.banned.size(), 1u);
  EXPECT_TRUE(is_banned(m, "u2"));
  apply_unban(m, "u2");
  EXPECT_FALSE(is_banned(m, "u2"));
}

}  // namespace
}  // namespace onair::actors
