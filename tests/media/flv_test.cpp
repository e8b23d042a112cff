// FLV VIDEODATA/AUDIODATA bodies (media/flv.hpp), byte vectors commented per field.
#include "media/flv.hpp"

#include <gtest/gtest.h>

#include <variant>
#include <vector>

namespace {

using namespace onair::media;

bytes_view view(std::vector<std::uint8_t> v) {
  auto owner = make_shared_bytes(std::move(v));
  return bytes_view{owner, 0, owner->size()};
}

// AVCDecoderConfigurationRecord around the 1080p High SPS of h264_sps_test.cpp.
std::vector<std::uint8_t> avc_sequence_header() {
  return {
      0x17,              // FrameType 1 (keyframe) | CodecID 7 (AVC)        FLV spec E.4.3.1
      0x00,              // AVCPacketType 0: sequence header
      0x00, 0x00, 0x00,  // CompositionTime 0
      0x01,              // configurationVersion 1                          ISO 14496-15 5.2.4.1.1
      0x64, 0x00, 0x28,  // profile 100, compatibility 0, level 40
      0xff,              // reserved | lengthSizeMinusOne 3
      0xe1,              // reserved | numOfSequenceParameterSets 1
      0x00, 0x1b,        // SPS length 27
      0x67, 0x64, 0x00, 0x28, 0xac, 0xd9, 0x40, 0x78, 0x02, 0x27, 0xe5, 0xc0, 0x44, 0x00,
      0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x03, 0x00, 0xf0, 0x3c, 0x60, 0xc6, 0x58,
      0x01,              // numOfPictureParameterSets 1
      0x00, 0x04, 0x68, 0xeb, 0xe3, 0xcb,  // PPS length 4 + PPS
  };
}

TEST(flv, avc_sequence_header_gives_video_config) {
  std::error_code ec;
  auto item = flv::parse_video(view(avc_sequence_header()), 0, ec);
  ASSERT_FALSE(ec) << ec.message();
  auto* cfg = std::get_if<video_config>(&item);
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->width, 1920);
  EXPECT_EQ(cfg->height, 1080);
  EXPECT_EQ(cfg->profile, 100);
  EXPECT_EQ(cfg->constraints, 0);
  EXPECT_EQ(cfg->level, 40);
  EXPECT_EQ(cfg->avcc.size(), avc_sequence_header().size() - 5);  // the record without the FLV header
  EXPECT_EQ(cfg->avcc[0], 1);
}

TEST(flv, avc_nalu_is_a_view_without_copy) {
  std::vector<std::uint8_t> body = {
      0x27,              // FrameType 2 (inter frame) | CodecID 7
      0x01,              // AVCPacketType 1: NALUs
      0xff, 0xff, 0xdf,  // CompositionTime SI24 = -33
      0x00, 0x00, 0x00, 0x02, 0x41, 0x9a,  // one length-prefixed NAL unit
  };
  auto v = view(body);
  v.offset = 0;
  std::error_code ec;
  auto item = flv::parse_video(v, 1234567890123, ec);
  ASSERT_FALSE(ec);
  auto* f = std::get_if<frame>(&item);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, track_kind::video);
  EXPECT_EQ(f->dts_ms, 1234567890123);
  EXPECT_EQ(f->cts_ms, -33);
  EXPECT_FALSE(f->keyframe);
  EXPECT_EQ(f->data.owner, v.owner);  // same buffer: no copy
  EXPECT_EQ(f->data.offset, 5u);
  EXPECT_EQ(f->data.size, 6u);

  body[0] = 0x17;  // keyframe
  std::error_code ec2;
  auto key = flv::parse_video(view(body), 0, ec2);
  EXPECT_TRUE(std::get<frame>(key).keyframe);
}

TEST(flv, view_offset_inside_a_larger_buffer) {
  // A view that starts inside an aggregate message: offsets add up.
  std::vector<std::uint8_t> buf = {0xaa, 0xbb, 0x17, 0x01, 0x00, 0x00, 0x10, 0x01, 0x02, 0xcc};
  auto owner = make_shared_bytes(buf);
  std::error_code ec;
  auto item = flv::parse_video(bytes_view{owner, 2, 7}, 0, ec);
  auto& f = std::get<frame>(item);
  EXPECT_EQ(f.cts_ms, 16);
  EXPECT_EQ(f.data.offset, 7u);
  EXPECT_EQ(f.data.size, 2u);
  EXPECT_EQ(f.data.span()[0], 0x01);
}

TEST(flv, avc_end_of_sequence_and_empty_body_are_nothing) {
  std::error_code ec;
  EXPECT_TRUE(std::holds_alternative<flv::nothing>(flv::parse_video(view({0x17, 0x02, 0, 0, 0}), 0, ec)));
  EXPECT_FALSE(ec);
  EXPECT_TRUE(std::holds_alternative<flv::nothing>(flv::parse_video(view({}), 0, ec)));
  EXPECT_FALSE(ec);
  EXPECT_TRUE(std::holds_alternative<flv::nothing>(flv::parse_video(view({0x57, 0x00}), 0, ec)));  // info frame
  EXPECT_FALSE(ec);
}

TEST(flv, video_errors) {
  std::error_code ec;
  flv::parse_video(view({0x12, 0x00}), 0, ec);  // CodecID 2 = Sorenson H.263
  EXPECT_EQ(ec, flv::errc::unsupported_codec);
  flv::parse_video(view({0x90, 'h', 'v', 'c', '1'}), 0, ec);  // Enhanced RTMP ExHeader (HEVC)
  EXPECT_EQ(ec, flv::errc::unsupported_codec);
  flv::parse_video(view({0x17, 0x01, 0x00}), 0, ec);  // CompositionTime cut short
  EXPECT_EQ(ec, flv::errc::truncated);
  auto bad = avc_sequence_header();
  bad.resize(14);  // SPS length says 27, 1 byte present
  flv::parse_video(view(bad), 0, ec);
  EXPECT_EQ(ec, flv::errc::bad_sequence_header);
  EXPECT_STREQ(ec.category().name(), "onair.flv");
}

TEST(flv, aac_sequence_header_gives_audio_config) {
  std::error_code ec;
  // 0xaf: SoundFormat 10 (AAC) | SoundRate 3 | SoundSize 1 | SoundType 1    FLV spec E.4.2.1
  // 0x00: AACPacketType 0 = AudioSpecificConfig
  // 0x12 0x10: objectType 2 (LC) | samplingFrequencyIndex 4 (44100) | channelConfiguration 2
  auto item = flv::parse_audio(view({0xaf, 0x00, 0x12, 0x10}), 0, ec);
  ASSERT_FALSE(ec);
  auto& cfg = std::get<audio_config>(item);
  EXPECT_EQ(cfg.object_type, 2);
  EXPECT_EQ(cfg.sample_rate, 44100);
  EXPECT_EQ(cfg.channels, 2);
  EXPECT_EQ(cfg.asc, (std::vector<std::uint8_t>{0x12, 0x10}));

  // 0x11 0x88: LC, index 3 (48000), mono
  auto mono = flv::parse_audio(view({0xaf, 0x00, 0x11, 0x88}), 0, ec);
  EXPECT_EQ(std::get<audio_config>(mono).sample_rate, 48000);
  EXPECT_EQ(std::get<audio_config>(mono).channels, 1);

  // Escape: objectType 31 -> 32 + 6 bits; index 15 -> explicit 24-bit rate.
  // bits: 11111 000010 (aot 34) 1111 (explicit) 000000010111011100000000 (6000) 0001 (mono)
  auto esc = flv::parse_audio(view({0xaf, 0x00, 0xf8, 0x5e, 0x00, 0x2e, 0xe0, 0x20}), 0, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(std::get<audio_config>(esc).object_type, 34);
  EXPECT_EQ(std::get<audio_config>(esc).sample_rate, 6000);
  EXPECT_EQ(std::get<audio_config>(esc).channels, 1);
}

TEST(flv, aac_raw_frame) {
  std::error_code ec;
  auto item = flv::parse_audio(view({0xaf, 0x01, 0x21, 0x10, 0x04}), 99, ec);
  auto& f = std::get<frame>(item);
  EXPECT_EQ(f.kind, track_kind::audio);
  EXPECT_TRUE(f.keyframe);
  EXPECT_EQ(f.dts_ms, 99);
  EXPECT_EQ(f.data.offset, 2u);
  EXPECT_EQ(f.data.size, 3u);
}

TEST(flv, audio_errors) {
  std::error_code ec;
  flv::parse_audio(view({0x2f, 0x00}), 0, ec);  // SoundFormat 2 = MP3
  EXPECT_EQ(ec, flv::errc::unsupported_codec);
  flv::parse_audio(view({0xaf}), 0, ec);
  EXPECT_EQ(ec, flv::errc::truncated);
  flv::parse_audio(view({0xaf, 0x00, 0x12}), 0, ec);  // ASC cut inside channelConfiguration
  EXPECT_EQ(ec, flv::errc::bad_sequence_header);
  flv::parse_audio(view({0xaf, 0x00, 0x17, 0x90}), 0, ec);  // samplingFrequencyIndex 14 (reserved)
  EXPECT_EQ(ec, flv::errc::bad_sequence_header);
}

}  // namespace
