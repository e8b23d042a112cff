#include "net/hls/viewer_throttle.hpp"

#include <gtest/gtest.h>

namespace onair::net::hls {
namespace {

using namespace std::chrono_literals;

TEST(viewer_throttle, once_per_interval_per_room_and_session) {
  viewer_throttle t;
  const auto t0 = viewer_throttle::clock::time_point{} + 1000s;
  EXPECT_TRUE(t.should_report("r", "s1", t0));
  EXPECT_FALSE(t.should_report("r", "s1", t0 + 500ms));
  EXPECT_TRUE(t.should_report("r", "s2", t0 + 500ms));
  EXPECT_TRUE(t.should_report("r2", "s1", t0 + 500ms));
  EXPECT_TRUE(t.should_report("r", "s1", t0 + 1000ms));
  EXPECT_FALSE(t.should_report("r", "s1", t0 + 1999ms));
}

TEST(viewer_throttle, idle_sessions_are_pruned) {
  viewer_throttle t;
  const auto t0 = viewer_throttle::clock::time_point{} + 1000s;
  for (int i = 0; i < 100; ++i) t.should_report("r", "s" + std::to_string(i), t0);
  EXPECT_EQ(t.size(), 100u);
  t.should_report("r", "fresh", t0 + 31s);
  EXPECT_EQ(t.size(), 1u);
}

TEST(viewer_throttle, table_is_bounded) {
  viewer_throttle t(1s, 30s, 10);
  const auto t0 = viewer_throttle::clock::time_point{} + 1000s;
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(t.should_report("r", "s" + std::to_string(i), t0));
  EXPECT_LE(t.size(), 10u);
}

}  // namespace
}  // namespace onair::net::hls
