// H.264 SPS parsing (media/h264_sps.hpp). The SPS vectors were produced by libx264 (ffmpeg 5.1)
// from testsrc2 at the stated sizes.
#include "media/h264_sps.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace {

std::vector<std::uint8_t> hex(std::string_view s) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < s.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(s.substr(i, 2)), nullptr, 16)));
  return out;
}

using onair::media::parse_h264_sps;

TEST(h264_sps, high_profile_1080p_with_cropping) {
  // 67 = NAL header (SPS), 64 = profile_idc 100 (High), 00 = constraints, 28 = level 4.0;
  // 1088 coded lines cropped to 1080 by frame_crop_bottom_offset 4 (CropUnitY 2).
  const auto sps = parse_h264_sps(hex("67640028acd940780227e5c044000003000400000300f03c60c658"));
  ASSERT_TRUE(sps);
  EXPECT_EQ(sps->profile, 100);
  EXPECT_EQ(sps->constraints, 0);
  EXPECT_EQ(sps->level, 40);
  EXPECT_EQ(sps->width, 1920);
  EXPECT_EQ(sps->height, 1080);
}

TEST(h264_sps, constrained_baseline_qcif) {
  // 42 = Baseline, c0 = constraint_set0+1 (Constrained Baseline), 0b = level 1.1; no High fields.
  const auto sps = parse_h264_sps(hex("6742c00bd902c4ec0440000003004000000f03c50a92"));
  ASSERT_TRUE(sps);
  EXPECT_EQ(sps->profile, 66);
  EXPECT_EQ(sps->constraints, 0xc0);
  EXPECT_EQ(sps->level, 11);
  EXPECT_EQ(sps->width, 176);
  EXPECT_EQ(sps->height, 144);
}

TEST(h264_sps, high_444_cropping_units) {
  // f4 = High 4:4:4 Predictive (244): chroma_format_idc 3, so CropUnitY is 1; 368 coded lines -> 360.
  const auto sps = parse_h264_sps(hex("67f4001e919b281405ff138088000003000800000301e078b16cb0"));
  ASSERT_TRUE(sps);
  EXPECT_EQ(sps->profile, 244);
  EXPECT_EQ(sps->width, 640);
  EXPECT_EQ(sps->height, 360);
}

TEST(h264_sps, rejects_non_sps_and_truncated) {
  EXPECT_FALSE(parse_h264_sps(hex("68ee3cb0")));          // a PPS (nal_unit_type 8)
  EXPECT_FALSE(parse_h264_sps(hex("6764")));              // header cut short
  auto full = hex("67640028acd940780227e5c044000003000400000300f03c60c658");
  for (std::size_t n = 0; n < 8; ++n)                     // cut inside the Exp-Golomb fields
    EXPECT_FALSE(parse_h264_sps(std::span(full).first(n))) << n;
  std::vector<std::uint8_t> zeros(64, 0);
  zeros[0] = 0x67;
  zeros[1] = 100;
  EXPECT_FALSE(parse_h264_sps(zeros));                    // ue(v) with endless leading zeros
}

}  // namespace
