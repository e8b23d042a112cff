#include "net/http/url.hpp"

#include <gtest/gtest.h>

namespace onair::net::http {
namespace {

TEST(url, percent_decode) {
  EXPECT_EQ(percent_decode("a%20b+c", true), "a b c");
  EXPECT_EQ(percent_decode("a%20b+c", false), "a b+c");
  EXPECT_EQ(percent_decode("%41%6a", false), "Aj");
  EXPECT_FALSE(percent_decode("%", false));
  EXPECT_FALSE(percent_decode("%4", false));
  EXPECT_FALSE(percent_decode("%zz", false));
  EXPECT_FALSE(percent_decode("ab%2", false));
}

TEST(url, parse_query_last_wins) {
  auto q = parse_query("a=1&b=&c&&a=2");
  ASSERT_TRUE(q);
  EXPECT_EQ(*q->find("a"), "2");
  EXPECT_EQ(*q->find("b"), "");
  EXPECT_EQ(*q->find("c"), "");
  EXPECT_EQ(q->find("d"), nullptr);
  EXPECT_FALSE(parse_query("a=%g0"));
}

TEST(url, split) {
  auto [p, q] = split_target("/hls/r/master.m3u8?sid=1#frag");
  EXPECT_EQ(p, "/hls/r/master.m3u8");
  EXPECT_EQ(q, "sid=1");
  auto segs = split_path("/api/rooms/");
  ASSERT_EQ(segs.size(), 3u);
  EXPECT_EQ(segs[2], "");
  EXPECT_EQ(split_path("/").size(), 1u);
}

}  // namespace
}  // namespace onair::net::http
