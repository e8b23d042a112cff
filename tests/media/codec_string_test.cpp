#include "media/codec_string.hpp"

#include <gtest/gtest.h>

#include "av_test_source.hpp"
#include "media/h264_sps.hpp"

namespace onair::media {
namespace {

TEST(codec_string, avc1_string_comes_from_avcc_bytes_1_to_3) {
  video_config v;
  // configurationVersion=1, AVCProfileIndication=0x64 (High), compat=0x00, AVCLevelIndication=0x1f (3.1)
  v.avcc = {0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1};
  EXPECT_EQ(avc_codec_string(v), "avc1.64001f");
}

TEST(codec_string, avc1_string_falls_back_to_config_fields_without_avcc) {
  video_config v;
  v.profile = 66;
  v.constraints = 0xc0;
  v.level = 30;
  EXPECT_EQ(avc_codec_string(v), "avc1.42c01e");
}

TEST(codec_string, mp4a_object_type_is_read_from_audio_specific_config) {
  audio_config a;
  a.asc = {0x12, 0x10};  // AOT 2 (LC), freq index 4 (44100), 2 channels
  a.object_type = 5;     // the ASC wins over the field
  EXPECT_EQ(aac_codec_string(a), "mp4a.40.2");
  auto info = parse_audio_specific_config(a.asc);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->sample_rate, 44100);
  EXPECT_EQ(info->channels, 2);
  a.asc = {0x2b, 0x92, 0x08, 0x00};  // AOT 5 (HE-AAC, SBR) at 22050 Hz
  EXPECT_EQ(aac_codec_string(a), "mp4a.40.5");
}

TEST(codec_string, codecs_attribute_joins_video_then_audio) {
  video_config v;
  v.avcc = {0x01, 0x4d, 0x40, 0x28};
  audio_config a;
  a.asc = {0x11, 0x90};
  EXPECT_EQ(codecs_attribute(v, a), "avc1.4d4028,mp4a.40.2");
  EXPECT_EQ(codecs_attribute(std::nullopt, a), "mp4a.40.2");
}

TEST(h264_sps, dimensions_and_profile_are_read_from_a_real_x264_sps) {
  test::source_options o;
  o.seconds = 0.2;
  o.audio = false;
  o.width = 320;
  o.height = 180;  // 180 = 12 macroblocks minus cropping
  const auto& s = test::cached_stream(o);
  ASSERT_TRUE(s.video);
  auto sps = parse_avcc_sps(s.video->avcc);
  ASSERT_TRUE(sps);
  EXPECT_EQ(sps->width, 320);
  EXPECT_EQ(sps->height, 180);
  EXPECT_EQ(sps->profile, s.video->avcc[1]);
  EXPECT_EQ(sps->level, s.video->avcc[3]);
}

TEST(h264_sps, garbage_is_rejected_without_crashing) {
  // Truncated after level_idc: every following ue(v) reads past the end.
  std::vector<std::uint8_t> truncated = {0x67, 0x64, 0x00, 0x1f};
  EXPECT_FALSE(parse_h264_sps(truncated).has_value());
  // All-zero payload: an Exp-Golomb code with more than 31 leading zeros.
  std::vector<std::uint8_t> zeros(16, 0);
  zeros[0] = 0x67;
  EXPECT_FALSE(parse_h264_sps(zeros).has_value());
  // Not an SPS NAL unit (type 8 = PPS).
  EXPECT_FALSE(parse_h264_sps(std::vector<std::uint8_t>{0x68, 0x64, 0x00, 0x1f, 0xff}).has_value());
  EXPECT_FALSE(parse_avcc_sps(std::vector<std::uint8_t>{0x01, 0x64}).has_value());
}

}  // namespace
}  // namespace onair::media
