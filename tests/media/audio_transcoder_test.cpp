// audio_transcoder (media/transcoder.hpp): real AAC from libavcodec's encoder, decoded back per rung.
#include <gtest/gtest.h>

#include "av_test_source.hpp"
#include "media/codec_string.hpp"
#include "media/transcoder.hpp"
#include "transcode_test_util.hpp"

namespace {

using namespace onair::media;
namespace t = onair::media::test;

std::vector<frame> audio_frames(const t::source_options& o) {
  std::vector<frame> v;
  for (const auto& f : t::cached_stream(o).frames)
    if (f.kind == track_kind::audio) v.push_back(f);
  return v;
}

t::source_options audio_only(int rate, int channels) {
  t::source_options o;
  o.seconds = 3;
  o.video = false;
  o.sample_rate = rate;
  o.channels = channels;
  return o;
}

TEST(audio_transcoder, rungs_decode_follow_the_source_timeline_and_hit_their_bitrate_ballpark) {
  const auto o = audio_only(44100, 2);
  const auto& src = t::cached_stream(o);
  const auto source = audio_frames(o);
  std::error_code ec;
  auto tc = audio_transcoder::create(*src.audio, default_audio_ladder(), ec);
  ASSERT_TRUE(tc) << ec.message();
  ASSERT_EQ(tc->rungs().size(), 2u);
  std::vector<rung_frame> out;
  for (const auto& f : source) ASSERT_FALSE(tc->push(f, out));

  std::map<std::string, double> kbps;
  for (const auto& rung : tc->rungs()) {
    SCOPED_TRACE(rung.name);
    const auto cfg = tc->config(rung.name);
    ASSERT_TRUE(cfg);
    const auto asc = parse_audio_specific_config(cfg->asc);
    ASSERT_TRUE(asc);
    EXPECT_EQ(asc->object_type, 2);  // AAC LC
    EXPECT_EQ(asc->sample_rate, 44100);
    EXPECT_EQ(asc->channels, 2);
    EXPECT_EQ(aac_codec_string(*cfg), "mp4a.40.2");

    const auto frames = t::frames_of(out, rung.name);
    // One frame of encoder delay: the last source frame is still inside the encoder.
    ASSERT_GE(frames.size() + 1, source.size());
    ASSERT_LE(frames.size(), source.size());
    for (std::size_t i = 0; i < frames.size(); ++i) {
      EXPECT_TRUE(frames[i].keyframe);
      EXPECT_EQ(frames[i].cts_ms, 0);
      EXPECT_NEAR(frames[i].dts_ms, source[i].dts_ms, 1) << i;  // ms rounding of 1024/44100 s steps
    }
    const auto decoded = t::decode_aac(*cfg, frames);
    EXPECT_EQ(decoded.errors, 0);
    EXPECT_EQ(decoded.sample_rate, 44100);
    EXPECT_EQ(decoded.channels, 2);
    EXPECT_EQ(decoded.samples, static_cast<std::int64_t>(frames.size()) * 1024);

    std::size_t bytes = 0;
    for (const auto& f : frames) bytes += f.data.size;
    kbps[rung.name] = bytes * 8.0 / (frames.size() * 1024.0 / 44100) / 1000;
    // A steady tone is easy: the native encoder undershoots but must not overshoot.
    EXPECT_LE(kbps[rung.name], rung.kbps * 1.15);
    EXPECT_GE(kbps[rung.name], rung.kbps * 0.3);
  }
  EXPECT_GT(kbps["aac128"], kbps["aac64"] * 1.3);
}

TEST(audio_transcoder, mono_48k_source_keeps_rate_and_channels) {
  const auto o = audio_only(48000, 1);
  const auto& src = t::cached_stream(o);
  std::error_code ec;
  auto tc = audio_transcoder::create(*src.audio, {{"aac64", 64}}, ec);
  ASSERT_TRUE(tc) << ec.message();
  std::vector<rung_frame> out;
  for (const auto& f : audio_frames(o)) ASSERT_FALSE(tc->push(f, out));
  const auto cfg = tc->config("aac64");
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->sample_rate, 48000);
  EXPECT_EQ(cfg->channels, 1);
  const auto decoded = t::decode_aac(*cfg, t::frames_of(out, "aac64"));
  EXPECT_EQ(decoded.sample_rate, 48000);
  EXPECT_EQ(decoded.channels, 1);
  EXPECT_GT(decoded.samples, 2 * 48000);
  EXPECT_FALSE(tc->config("aac128"));
}

TEST(audio_transcoder, timestamp_gap_restarts_the_timeline_at_the_new_timestamp) {
  const auto o = audio_only(44100, 2);
  const auto& src = t::cached_stream(o);
  auto source = audio_frames(o);
  std::error_code ec;
  auto tc = audio_transcoder::create(*src.audio, {{"aac64", 64}}, ec);
  ASSERT_TRUE(tc) << ec.message();
  std::vector<rung_frame> out;
  // Frames 40..49 lost in transit: the rung skips the same 232 ms instead of closing the gap.
  for (std::size_t i = 0; i < source.size(); ++i)
    if (i < 40 || i >= 50) ASSERT_FALSE(tc->push(source[i], out));
  const auto frames = t::frames_of(out, "aac64");
  ASSERT_GT(frames.size(), 60u);
  const auto last = frames.back().dts_ms;
  EXPECT_NEAR(last, source[source.size() - 2].dts_ms, 25);
}

TEST(audio_transcoder, unsupported_config_and_corrupt_frames) {
  std::error_code ec;
  EXPECT_FALSE(audio_transcoder::create(audio_config{}, default_audio_ladder(), ec));
  EXPECT_EQ(ec, transcode_errc::unsupported_codec);
  // Audio object type 0 ("null object"), 44.1 kHz, stereo: parses, but no decoder exists for it.
  audio_config null_object;
  null_object.asc = {0x02, 0x10};
  EXPECT_FALSE(audio_transcoder::create(null_object, default_audio_ladder(), ec));
  EXPECT_EQ(ec, transcode_errc::unsupported_codec);

  const auto o = audio_only(44100, 2);
  const auto& src = t::cached_stream(o);
  auto source = audio_frames(o);
  auto tc = audio_transcoder::create(*src.audio, {{"aac64", 64}}, ec);
  ASSERT_TRUE(tc) << ec.message();
  std::vector<rung_frame> out;
  for (std::size_t i = 0; i < 10; ++i) ASSERT_FALSE(tc->push(source[i], out));
  frame empty = source[10];
  empty.data = {};
  EXPECT_EQ(tc->push(empty, out), transcode_errc::decoder_error);
  frame video = source[10];
  video.kind = track_kind::video;
  EXPECT_EQ(tc->push(video, out), transcode_errc::unsupported_codec);
  const auto before = out.size();
  for (std::size_t i = 10; i < source.size(); ++i) ASSERT_FALSE(tc->push(source[i], out));
  EXPECT_GT(out.size(), before + 100);
}

}  // namespace
