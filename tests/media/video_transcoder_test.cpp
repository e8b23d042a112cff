// video_transcoder (media/transcoder.hpp): real H.264 sources from libx264 (av_test_source) or the ffmpeg
// CLI (an FLV file read with media/flv.hpp), every rung decoded back with libavcodec.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "av_test_source.hpp"
#include "flv_file_reader.hpp"
#include "media/annexb.hpp"
#include "media/codec_string.hpp"
#include "media/h264_sps.hpp"
#include "media/transcoder.hpp"
#include "transcode_test_util.hpp"

namespace {

using namespace onair::media;
namespace t = onair::media::test;

/// 640x360 at 30 fps with B-frames (so pts != dts) and a 40-frame GOP: keyframes at 0, 1.333 and 2.667 s
/// after the start, none of them where x264's own keyint (250) or scenecut would put one.
const t::test_stream& source_360p() {
  t::source_options o;
  o.seconds = 3;
  o.width = 640;
  o.height = 360;
  o.gop = 40;
  o.audio = false;
  return t::cached_stream(o);
}

const std::vector<video_rung> small_ladder{{"240p", 240, 300}, {"180p", 180, 150}};

std::vector<frame> video_frames(const std::vector<frame>& frames) {
  std::vector<frame> v;
  for (const auto& f : frames)
    if (f.kind == track_kind::video) v.push_back(f);
  return v;
}

std::vector<rung_frame> transcode(video_transcoder& tc, const std::vector<frame>& frames) {
  std::vector<rung_frame> out;
  for (const auto& f : frames) EXPECT_FALSE(tc.push(f, out)) << "dts " << f.dts_ms;
  return out;
}

std::set<std::int64_t> keyframe_pts(const std::vector<frame>& frames) {
  std::set<std::int64_t> s;
  for (const auto& f : frames)
    if (f.keyframe) s.insert(f.dts_ms + f.cts_ms);
  return s;
}

std::vector<std::int64_t> sorted_pts(const std::vector<frame>& frames) {
  std::vector<std::int64_t> v;
  for (const auto& f : frames) v.push_back(f.dts_ms + f.cts_ms);
  std::sort(v.begin(), v.end());
  return v;
}

/// The checks every ladder run must pass: decodes at the rung size, IDRs exactly at the source's IDR
/// timestamps, timestamps are the source's presentation times (dts = pts: no B-frames).
void expect_aligned_ladder(const video_transcoder& tc, const std::vector<frame>& source,
                           const std::vector<rung_frame>& out, std::map<std::string, std::pair<int, int>> sizes) {
  const auto src_pts = sorted_pts(source);
  const auto src_keys = keyframe_pts(source);
  for (const auto& rung : tc.rungs()) {
    SCOPED_TRACE(rung.name);
    const auto frames = t::frames_of(out, rung.name);
    const auto cfg = tc.config(rung.name);
    ASSERT_TRUE(cfg);
    const auto [w, h] = sizes.at(rung.name);
    EXPECT_EQ(cfg->width, w);
    EXPECT_EQ(cfg->height, h);
    const auto sps = parse_avcc_sps(cfg->avcc);
    ASSERT_TRUE(sps);
    EXPECT_EQ(sps->width, w);
    EXPECT_EQ(sps->height, h);
    EXPECT_EQ(avc_codec_string(*cfg).rfind("avc1.", 0), 0u);

    // The source decoder holds back up to its reorder depth (2 B-frames) at the end of the input.
    ASSERT_GE(frames.size() + 3, source.size());
    ASSERT_LE(frames.size(), source.size());
    for (std::size_t i = 0; i < frames.size(); ++i) {
      EXPECT_EQ(frames[i].cts_ms, 0) << i;
      EXPECT_EQ(frames[i].dts_ms, src_pts[i]) << i;  // the i-th source picture in presentation order
      EXPECT_EQ(frames[i].keyframe, src_keys.count(frames[i].dts_ms) == 1) << "pts " << frames[i].dts_ms;
      EXPECT_EQ(t::has_idr_slice(frames[i]), frames[i].keyframe) << "pts " << frames[i].dts_ms;
    }
    std::set<std::int64_t> rung_keys;
    for (const auto& f : frames)
      if (f.keyframe) rung_keys.insert(f.dts_ms);
    std::set<std::int64_t> expected_keys;
    for (auto k : src_keys)
      if (k <= frames.back().dts_ms) expected_keys.insert(k);
    EXPECT_EQ(rung_keys, expected_keys);
    EXPECT_GE(rung_keys.size(), 2u);

    const auto pictures = t::decode_h264(*cfg, frames);
    ASSERT_EQ(pictures.size(), frames.size());
    for (std::size_t i = 0; i < pictures.size(); ++i) {
      EXPECT_EQ(pictures[i].width, w);
      EXPECT_EQ(pictures[i].height, h);
      EXPECT_EQ(pictures[i].pts, frames[i].dts_ms);
    }
  }
}

TEST(video_transcoder, rungs_decode_at_their_size_with_source_keyframes_timestamps_and_capped_bitrate) {
  const auto& src = source_360p();
  std::error_code ec;
  auto tc = video_transcoder::create(*src.video, small_ladder, 1, ec);
  ASSERT_TRUE(tc) << ec.message();
  ASSERT_EQ(tc->rungs().size(), 2u);
  EXPECT_EQ(tc->rungs()[0].name, "240p");
  const auto source = video_frames(src.frames);
  ASSERT_TRUE(std::any_of(source.begin(), source.end(), [](const frame& f) { return f.cts_ms != 0; }))
      << "the source should have B-frames (pts != dts)";
  const auto out = transcode(*tc, source);
  // 640x360 -> 240 rows: 426.7 columns, rounded to even 426; 180 rows: 320.
  expect_aligned_ladder(*tc, source, out, {{"240p", {426, 240}}, {"180p", {320, 180}}});

  // Bitrate: VBV maxrate = target, bufsize = 2 x target, so over 3 s at most (3 + 2) / 3 of the target.
  const double seconds = (source.back().dts_ms - source.front().dts_ms) / 1000.0;
  for (const auto& rung : small_ladder) {
    std::size_t bytes = 0;
    for (const auto& f : t::frames_of(out, rung.name)) bytes += f.data.size;
    const double kbps = bytes * 8 / seconds / 1000;
    EXPECT_LE(kbps, rung.video_kbps * 5.0 / 3) << rung.name;
    EXPECT_GE(kbps, rung.video_kbps * 0.2) << rung.name;
  }
}

TEST(video_transcoder, default_ladder_on_a_720p_source_encodes_480p_and_360p) {
  t::source_options o;
  o.seconds = 1;
  o.width = 1280;
  o.height = 720;
  o.gop = 12;
  o.audio = false;
  const auto& src = t::cached_stream(o);
  const auto rungs = rungs_below(default_video_ladder(), 720);
  ASSERT_EQ(rungs.size(), 2u);
  std::error_code ec;
  auto tc = video_transcoder::create(*src.video, rungs, 0, ec);
  ASSERT_TRUE(tc) << ec.message();
  const auto source = video_frames(src.frames);
  expect_aligned_ladder(*tc, source, transcode(*tc, source), {{"480p", {854, 480}}, {"360p", {640, 360}}});
}

TEST(video_transcoder, corrupt_frame_gives_decoder_error_and_later_frames_still_work) {
  const auto& src = source_360p();
  std::error_code ec;
  auto tc = video_transcoder::create(*src.video, small_ladder, 1, ec);
  ASSERT_TRUE(tc) << ec.message();
  const auto source = video_frames(src.frames);
  std::vector<rung_frame> out;
  std::size_t i = 0;
  for (; i < 10; ++i) ASSERT_FALSE(tc->push(source[i], out));
  ASSERT_FALSE(source[i].keyframe);

  // The first NAL's 4-byte length claims more bytes than the frame has (a truncated message).
  auto bytes = std::vector<std::uint8_t>(source[i].data.span().begin(), source[i].data.span().end());
  bytes[0] = 0x7f;
  frame bad = source[i];
  bad.data = whole(make_shared_bytes(std::move(bytes)));
  const auto before = out.size();
  EXPECT_EQ(tc->push(bad, out), transcode_errc::decoder_error);
  EXPECT_EQ(out.size(), before) << "a failed push appends nothing";
  // Empty payload: also decoder_error.
  frame empty = source[i];
  empty.data = {};
  EXPECT_EQ(tc->push(empty, out), transcode_errc::decoder_error);

  // The rest of the stream (the damaged picture skipped) keeps producing aligned output.
  for (++i; i < source.size(); ++i) EXPECT_FALSE(tc->push(source[i], out)) << i;
  const auto frames = t::frames_of(out, "240p");
  EXPECT_GE(frames.size() + 4, source.size());
  const auto src_keys = keyframe_pts(source);
  for (const auto& f : frames) EXPECT_EQ(f.keyframe, src_keys.count(f.dts_ms) == 1) << f.dts_ms;
  const auto later_keys = std::count_if(frames.begin(), frames.end(), [&](const frame& f) {
    return f.keyframe && f.dts_ms > source[10].dts_ms;
  });
  EXPECT_GE(later_keys, 1);
  // A frame of the wrong kind is refused, not decoded.
  frame audio = source[0];
  audio.kind = track_kind::audio;
  EXPECT_EQ(tc->push(audio, out), transcode_errc::unsupported_codec);
}

TEST(video_transcoder, unsupported_config_is_refused) {
  std::error_code ec;
  EXPECT_FALSE(video_transcoder::create(video_config{}, small_ladder, 1, ec));
  EXPECT_EQ(ec, transcode_errc::unsupported_codec);

  // configurationVersion 1 but an SPS that is not one (NAL type 1).
  video_config garbage;
  garbage.avcc = {1, 0x64, 0, 0x1f, 0xff, 0xe1, 0, 4, 0x41, 0x9a, 0x00, 0x01, 1, 0, 2, 0x68, 0xee};
  EXPECT_FALSE(video_transcoder::create(garbage, small_ladder, 1, ec));
  EXPECT_EQ(ec, transcode_errc::unsupported_codec);
  EXPECT_STREQ(ec.category().name(), "onair.media.transcode");
}

TEST(video_transcoder, in_band_resolution_change_reports_config_changed) {
  const auto& big = source_360p();
  t::source_options o;
  o.seconds = 0.5;
  o.width = 320;
  o.height = 240;
  o.gop = 15;
  o.audio = false;
  const auto& small = t::cached_stream(o);
  std::error_code ec;
  auto tc = video_transcoder::create(*big.video, small_ladder, 1, ec);
  ASSERT_TRUE(tc) << ec.message();
  std::vector<rung_frame> out;
  const auto first = video_frames(big.frames);
  for (std::size_t i = 0; i < 20; ++i) ASSERT_FALSE(tc->push(first[i], out));

  // The smaller stream's keyframe with its SPS and PPS in band (as encoders that repeat headers send
  // them), AVCC-framed like the rest of the sample.
  auto second = video_frames(small.frames);
  const auto& avcc = small.video->avcc;
  std::vector<std::uint8_t> patched;
  std::size_t pos = 6;
  for (int set = 0; set < 2; ++set) {  // one SPS, then one PPS (libx264's record)
    const std::size_t len = (std::size_t{avcc[pos]} << 8) | avcc[pos + 1];
    patched.insert(patched.end(), {0, 0, static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len)});
    patched.insert(patched.end(), avcc.begin() + pos + 2, avcc.begin() + pos + 2 + len);
    pos += 2 + len + 1;  // + numOfPictureParameterSets after the SPS
  }
  const auto key = second[0].data.span();
  patched.insert(patched.end(), key.begin(), key.end());
  second[0].data = whole(make_shared_bytes(std::move(patched)));
  const std::int64_t shift = first[20].dts_ms - second[0].dts_ms + 100;
  bool changed = false;
  for (auto f : second) {
    f.dts_ms += shift;
    const auto e = tc->push(f, out);
    if (e == transcode_errc::config_changed) {
      changed = true;
      break;
    }
  }
  EXPECT_TRUE(changed);
}

TEST(video_transcoder, ffmpeg_flv_source_with_irregular_keyframes) {
  if (!t::run("ffmpeg -hide_banner -version >/dev/null 2>&1")) GTEST_SKIP() << "no ffmpeg CLI";
  const auto dir = t::make_temp_dir();
  ASSERT_FALSE(dir.empty());
  const auto flv = dir + "/source.flv";
  // Keyframes at 0, 0.4, 0.5 and 1.7 s (forced; no GOP or scenecut IDRs), 2 B-frames, AAC 48 kHz.
  ASSERT_TRUE(t::run("ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc2=size=640x360:rate=30 "
                     "-f lavfi -i sine=frequency=440:sample_rate=48000 -t 2 -c:v libx264 -preset ultrafast "
                     "-bf 2 -x264-params keyint=infinite:scenecut=0 -force_key_frames 0,0.4,0.5,1.7 "
                     "-c:a aac -b:a 96k -f flv " + flv));
  const auto contents = t::read_flv_file(flv);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(contents && contents->video && contents->audio);
  const auto source = video_frames(contents->frames);
  EXPECT_EQ(keyframe_pts(source).size(), 4u);
  std::error_code ec;
  auto tc = video_transcoder::create(*contents->video, small_ladder, 2, ec);
  ASSERT_TRUE(tc) << ec.message();
  expect_aligned_ladder(*tc, source, transcode(*tc, source), {{"240p", {426, 240}}, {"180p", {320, 180}}});
}

}  // namespace
