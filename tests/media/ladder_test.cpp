// The default ladders and rungs_below (media/transcoder.hpp), and the Annex B helpers the encoders use.
#include <gtest/gtest.h>

#include "media/annexb.hpp"
#include "media/transcoder.hpp"

namespace {

using namespace onair::media;

std::vector<std::string> names(const std::vector<video_rung>& rungs) {
  std::vector<std::string> v;
  for (const auto& r : rungs) v.push_back(r.name);
  return v;
}

TEST(ladder, defaults_match_issue_5) {
  const auto video = default_video_ladder();
  ASSERT_EQ(video.size(), 3u);
  EXPECT_EQ(video[0].name, "720p");
  EXPECT_EQ(video[0].height, 720);
  EXPECT_EQ(video[0].video_kbps, 2500);
  EXPECT_EQ(video[1].name, "480p");
  EXPECT_EQ(video[1].video_kbps, 1000);
  EXPECT_EQ(video[2].name, "360p");
  EXPECT_EQ(video[2].video_kbps, 600);
  const auto audio = default_audio_ladder();
  ASSERT_EQ(audio.size(), 2u);
  EXPECT_EQ(audio[0].kbps, 128);
  EXPECT_EQ(audio[1].kbps, 64);
}

TEST(ladder, rungs_at_or_above_the_source_are_skipped) {
  const auto ladder = default_video_ladder();
  EXPECT_EQ(names(rungs_below(ladder, 1080)), (std::vector<std::string>{"720p", "480p", "360p"}));
  EXPECT_EQ(names(rungs_below(ladder, 721)), (std::vector<std::string>{"720p", "480p", "360p"}));
  EXPECT_EQ(names(rungs_below(ladder, 720)), (std::vector<std::string>{"480p", "360p"}));
  EXPECT_EQ(names(rungs_below(ladder, 540)), (std::vector<std::string>{"480p", "360p"}));
  EXPECT_EQ(names(rungs_below(ladder, 480)), (std::vector<std::string>{"360p"}));
  EXPECT_TRUE(rungs_below(ladder, 360).empty());
  EXPECT_TRUE(rungs_below(ladder, 0).empty());  // unknown source size: nothing to pick
}

TEST(annexb, start_codes_of_three_and_four_bytes_become_four_byte_lengths) {
  // 00 00 00 01 | SPS-like 67 aa | 00 00 01 | 68 bb cc | 00 00 01 | 65 dd 00 (trailing zero dropped)
  const std::vector<std::uint8_t> in = {0, 0, 0, 1, 0x67, 0xaa, 0, 0, 1, 0x68, 0xbb, 0xcc, 0, 0, 1, 0x65, 0xdd, 0};
  const auto nals = split_annexb(in);
  ASSERT_EQ(nals.size(), 3u);
  EXPECT_EQ(nals[2].size(), 2u);
  const auto avcc = annexb_to_avcc(in);
  EXPECT_EQ(avcc, (std::vector<std::uint8_t>{0, 0, 0, 2, 0x67, 0xaa, 0, 0, 0, 3, 0x68, 0xbb, 0xcc, 0, 0, 0, 2,
                                             0x65, 0xdd}));
  EXPECT_TRUE(avcc_framing_ok(avcc, 4));
  auto truncated = avcc;
  truncated.pop_back();
  EXPECT_FALSE(avcc_framing_ok(truncated, 4));
  EXPECT_FALSE(avcc_framing_ok({}, 4));
  EXPECT_FALSE(avcc_framing_ok(std::vector<std::uint8_t>{0, 0, 0, 0}, 4));  // zero-length NAL
}

TEST(annexb, decoder_configuration_record_from_parameter_sets) {
  // High profile (100) SPS 67 64 00 1f .., PPS 68 ee.
  const std::vector<std::uint8_t> ps = {0, 0, 0, 1, 0x67, 0x64, 0x00, 0x1f, 0xac, 0, 0, 0, 1, 0x68, 0xee, 0x3c};
  const auto rec = avcc_record_from_annexb(ps);
  ASSERT_TRUE(rec);
  // version 1, profile 100, compat 0, level 31, 0xff (4-byte lengths), 0xe1 (one SPS), len 5, SPS,
  // one PPS, len 3, PPS, then the High-profile tail: 4:2:0, 8-bit luma and chroma, no SPS extensions.
  EXPECT_EQ(*rec, (std::vector<std::uint8_t>{1, 0x64, 0, 0x1f, 0xff, 0xe1, 0, 5, 0x67, 0x64, 0x00, 0x1f, 0xac, 1,
                                             0, 3, 0x68, 0xee, 0x3c, 0xfd, 0xf8, 0xf8, 0}));
  EXPECT_EQ(avcc_length_size(*rec), 4);
  EXPECT_FALSE(avcc_record_from_annexb(std::vector<std::uint8_t>{0, 0, 1, 0x68, 0xee}));  // no SPS
}

}  // namespace
