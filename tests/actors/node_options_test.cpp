#include "actors/node_options.hpp"

#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>

namespace onair::actors {
namespace {

std::string write_temp(const std::string& text) {
  char name[] = "/tmp/onair-config-XXXXXX";
  int fd = mkstemp(name);
  ::close(fd);
  std::ofstream(name) << text;
  return name;
}

TEST(NodeOptions, ConfigFileSetsEverySection) {
  auto path = write_temp(
      "[node]\ndata_dir = \"/srv/onair\"\nrtmp_port = 1936\nhttp_port = 0\n"
      "[hls]\npart_target = 0.5\nsegment_target = 4.0\nwindow_segments = 8\n"
      "[viewers]\nidle_timeout_ms = 3000\n"
      "[chat]\nmax_message_chars = 300\norigins = [\"https://a.example\"]\nsession_msgs_per_s = 50.0\n"
      "write_delay_ms = 40\nmax_connections_per_ip = 64\n");
  node_options o;
  EXPECT_EQ(load_config_file(path, o), "");
  EXPECT_EQ(o.data_dir, "/srv/onair");
  EXPECT_EQ(o.rtmp_port, 1936);
  EXPECT_EQ(o.http_port, 0);
  EXPECT_DOUBLE_EQ(o.part_target_s, 0.5);
  EXPECT_DOUBLE_EQ(o.segment_target_s, 4.0);
  EXPECT_EQ(o.window_segments, 8u);
  EXPECT_EQ(o.viewer_timeout_ms, 3000u);
  EXPECT_EQ(o.chat.max_message_chars, 300u);
  ASSERT_EQ(o.chat_origins.size(), 1u);
  EXPECT_EQ(o.chat_origins[0], "https://a.example");
  EXPECT_DOUBLE_EQ(o.chat.session_msgs_per_s, 50.0);
  EXPECT_DOUBLE_EQ(o.chat_write_delay_ms, 40.0);
  EXPECT_EQ(o.chat_max_connections_per_ip, 64u);
  EXPECT_EQ(validate(o), "");
  std::remove(path.c_str());
}

TEST(NodeOptions, UnknownKeysWrongTypesAndSyntaxErrorsAreReported) {
  node_options o;
  for (const char* bad : {"[hls]\npart_targt = 0.5\n", "[nodes]\nx = 1\n", "[node]\nrtmp_port = \"x\"\n",
                          "[node]\nrtmp_port = 70000\n", "toplevel = 1\n", "[node\n",
                          "[chat]\norigins = \"x\"\n", "[chat]\nbogus = 1\n"}) {
    auto path = write_temp(bad);
    EXPECT_NE(load_config_file(path, o), "") << bad;
    std::remove(path.c_str());
  }
}

TEST(NodeOptions, ValidateChecksRanges) {
  node_options o;
  EXPECT_EQ(validate(o), "");
  o.part_target_s = 3;
  EXPECT_NE(validate(o), "");
  o = {};
  o.part_target_s = 1.5;
  o.segment_target_s = 1.0;
  EXPECT_NE(validate(o), "");
  o = {};
  o.window_segments = 1;
  EXPECT_NE(validate(o), "");
  o = {};
  o.chat_write_delay_ms = -1;
  EXPECT_NE(validate(o), "");
  o.chat_write_delay_ms = 1001;
  EXPECT_NE(validate(o), "");
  o.chat_write_delay_ms = 1000;
  EXPECT_EQ(validate(o), "");
}

}  // namespace
}  // namespace onair::actors
