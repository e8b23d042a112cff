// Proves the packager output is real, playable CMAF: demuxed and decoded by libavformat/libavcodec
// through the HLS demuxer (a plain, non-LL HLS client) and read by the ffprobe CLI.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include "media/cmaf_muxer.hpp"
#include "media/hls_packager.hpp"
#include "packager_test_util.hpp"

namespace onair::media {
namespace {

namespace fs = std::filesystem;

/// A fresh directory under the system temp dir, removed at scope exit.
struct temp_dir {
  fs::path path;
  temp_dir() {
    path = fs::temp_directory_path() / ("onair-media-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~temp_dir() {
    if (!std::getenv("ONAIR_KEEP_TMP")) fs::remove_all(path);
  }
};

void write_snapshot(const rendition_snapshot& snap, const fs::path& dir) {
  for (const auto& [name, view] : snap.files) {
    std::ofstream out(dir / name, std::ios::binary);
    const auto bytes = view.span();
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  std::ofstream(dir / "index.m3u8") << snap.playlist;
}

struct track_summary {
  int packets = 0;
  int keyframes = 0;
  int decoded = 0;
  double first_pts_s = 1e9;
  double last_end_s = 0;  // pts + duration of the last packet
  std::int64_t last_dts = INT64_MIN;
  bool dts_monotonic = true;
};

/// Demuxes `url` with libavformat and decodes every packet; returns per-media-type summaries.
std::map<AVMediaType, track_summary> demux_and_decode(const std::string& url) {
  std::map<AVMediaType, track_summary> out;
  AVFormatContext* fmt = nullptr;
  EXPECT_EQ(avformat_open_input(&fmt, url.c_str(), nullptr, nullptr), 0) << url;
  if (!fmt) return out;
  EXPECT_GE(avformat_find_stream_info(fmt, nullptr), 0);
  std::vector<AVCodecContext*> dec(fmt->nb_streams, nullptr);
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    const AVCodec* c = avcodec_find_decoder(fmt->streams[i]->codecpar->codec_id);
    if (!c) continue;
    dec[i] = avcodec_alloc_context3(c);
    avcodec_parameters_to_context(dec[i], fmt->streams[i]->codecpar);
    EXPECT_EQ(avcodec_open2(dec[i], c, nullptr), 0);
  }
  AVPacket* pkt = av_packet_alloc();
  AVFrame* frame = av_frame_alloc();
  auto drain = [&](unsigned i, track_summary& t) {
    while (avcodec_receive_frame(dec[i], frame) == 0) {
      ++t.decoded;
      av_frame_unref(frame);
    }
  };
  while (av_read_frame(fmt, pkt) >= 0) {
    const unsigned i = static_cast<unsigned>(pkt->stream_index);
    AVStream* st = fmt->streams[i];
    auto& t = out[st->codecpar->codec_type];
    ++t.packets;
    if (pkt->flags & AV_PKT_FLAG_KEY) ++t.keyframes;
    if (pkt->dts != AV_NOPTS_VALUE) {
      if (pkt->dts <= t.last_dts) t.dts_monotonic = false;
      t.last_dts = pkt->dts;
    }
    const double tb = av_q2d(st->time_base);
    if (pkt->pts != AV_NOPTS_VALUE) {
      t.first_pts_s = std::min(t.first_pts_s, static_cast<double>(pkt->pts) * tb);
      t.last_end_s = std::max(t.last_end_s, static_cast<double>(pkt->pts + pkt->duration) * tb);
    }
    if (dec[i] && avcodec_send_packet(dec[i], pkt) == 0) drain(i, t);
    av_packet_unref(pkt);
  }
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    if (!dec[i]) continue;
    avcodec_send_packet(dec[i], nullptr);
    drain(i, out[fmt->streams[i]->codecpar->codec_type]);
    avcodec_free_context(&dec[i]);
  }
  av_frame_free(&frame);
  av_packet_free(&pkt);
  avformat_close_input(&fmt);
  return out;
}

std::size_t count_frames(const test::test_stream& s, track_kind kind) {
  std::size_t n = 0;
  for (const auto& f : s.frames) n += f.kind == kind;
  return n;
}

TEST(cmaf_output, init_segment_is_ftyp_then_moov_and_parts_are_moof_mdat) {
  test::source_options o;
  o.seconds = 3;
  const auto& s = test::cached_stream(o);
  hls_packager p({});
  p.begin(s.video, s.audio);
  auto r = test::feed(p, s);
  const auto& snap = *r.snapshots.back();
  auto box = [](std::span<const std::uint8_t> b, std::size_t at) {
    return std::string(b.begin() + at + 4, b.begin() + at + 8);
  };
  const auto init = snap.files.at("init0.mp4").span();
  EXPECT_EQ(box(init, 0), "ftyp");
  const std::size_t ftyp_size = (std::size_t(init[0]) << 24) | (init[1] << 16) | (init[2] << 8) | init[3];
  EXPECT_EQ(box(init, ftyp_size), "moov");
  EXPECT_NE(std::string(init.begin(), init.end()).find("cmfc"), std::string::npos);  // CMAF brand
  const auto part = snap.files.at("part0.0.m4s").span();
  EXPECT_EQ(box(part, 0), "moof");
  // The complete segment is exactly its parts back to back, and the parts are views into its buffer
  // (the window holds the media once).
  std::vector<std::uint8_t> joined;
  const auto& seg = snap.files.at("seg0.m4s");
  for (std::size_t i = 0; snap.files.count("part0." + std::to_string(i) + ".m4s"); ++i) {
    const auto& b = snap.files.at("part0." + std::to_string(i) + ".m4s");
    EXPECT_EQ(b.owner, seg.owner) << "part " << i << " holds its own copy";
    joined.insert(joined.end(), b.span().begin(), b.span().end());
  }
  EXPECT_EQ(joined, std::vector<std::uint8_t>(seg.span().begin(), seg.span().end()));
}

TEST(cmaf_output, ended_playlist_demuxes_and_decodes_with_exact_durations) {
  test::source_options o;
  o.seconds = 8;
  const auto& s = test::cached_stream(o);
  packager_options po;
  po.window_segments = 100;  // keep everything: compare against the whole input
  hls_packager p(po);
  p.begin(s.video, s.audio);
  test::feed(p, s);
  auto snap = p.end_session(0, true);
  ASSERT_TRUE(snap);
  temp_dir dir;
  write_snapshot(*snap, dir.path);
  auto t = demux_and_decode((dir.path / "index.m3u8").string());
  auto& v = t[AVMEDIA_TYPE_VIDEO];
  auto& a = t[AVMEDIA_TYPE_AUDIO];
  EXPECT_EQ(static_cast<std::size_t>(v.packets), count_frames(s, track_kind::video));
  EXPECT_EQ(static_cast<std::size_t>(a.packets), count_frames(s, track_kind::audio));
  EXPECT_EQ(v.decoded, v.packets);  // every frame decodes: the stream starts on an IDR, no reference lost
  EXPECT_GE(a.decoded, a.packets - 1);
  EXPECT_EQ(v.keyframes, 4);  // 8 s at GOP 2 s
  EXPECT_TRUE(v.dts_monotonic);
  EXPECT_TRUE(a.dts_monotonic);
  // Durations are exact: 240 frames at 30 fps = 8 s of video; audio within one AAC frame of it.
  EXPECT_NEAR(v.last_end_s - v.first_pts_s, 8.0, 0.002);
  EXPECT_NEAR(a.last_end_s - a.first_pts_s, 8.0, 0.05);
  // A/V sync: both tracks start together (the first audio is no older than the first keyframe).
  EXPECT_NEAR(a.first_pts_s, v.first_pts_s, 0.1);
}

TEST(cmaf_output, each_segment_alone_with_its_init_starts_on_a_keyframe) {
  test::source_options o;
  o.seconds = 7;
  const auto& s = test::cached_stream(o);
  hls_packager p({});
  p.begin(s.video, s.audio);
  test::feed(p, s);
  auto snap = p.end_session(0, true);
  temp_dir dir;
  int checked = 0;
  for (std::uint64_t msn = snap->first_msn; msn < snap->next_msn; ++msn) {
    const auto path = dir.path / ("seg" + std::to_string(msn) + ".mp4");
    {
      std::ofstream out(path, std::ios::binary);
      const auto init = snap->files.at("init0.mp4").span();
      const auto seg = snap->files.at("seg" + std::to_string(msn) + ".m4s").span();
      out.write(reinterpret_cast<const char*>(init.data()), static_cast<std::streamsize>(init.size()));
      out.write(reinterpret_cast<const char*>(seg.data()), static_cast<std::streamsize>(seg.size()));
    }
    auto t = demux_and_decode(path.string());
    auto& v = t[AVMEDIA_TYPE_VIDEO];
    EXPECT_EQ(v.keyframes, 1) << msn;
    EXPECT_EQ(v.decoded, v.packets) << msn;  // independently decodable
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST(cmaf_output, republished_timeline_keeps_increasing_across_the_discontinuity) {
  test::source_options o;
  o.seconds = 4;
  const auto& s = test::cached_stream(o);
  packager_options po;
  po.window_segments = 100;
  hls_packager p(po);
  p.begin(s.video, s.audio);
  test::feed(p, s);
  p.end_session(0, false);
  p.begin(s.video, s.audio);  // the encoder reconnects with timestamps from 1000 ms again
  test::feed(p, s);
  auto snap = p.end_session(0, true);
  temp_dir dir;
  write_snapshot(*snap, dir.path);
  auto t = demux_and_decode((dir.path / "index.m3u8").string());
  auto& v = t[AVMEDIA_TYPE_VIDEO];
  EXPECT_EQ(static_cast<std::size_t>(v.packets), 2 * count_frames(s, track_kind::video));
  EXPECT_TRUE(v.dts_monotonic);
  EXPECT_NEAR(v.last_end_s - v.first_pts_s, 8.0, 0.1);
}

TEST(cmaf_output, ffprobe_cli_reads_the_playlist_as_plain_hls) {
  if (std::system("command -v ffprobe >/dev/null 2>&1") != 0) GTEST_SKIP() << "ffprobe not installed";
  test::source_options o;
  o.seconds = 6;
  const auto& s = test::cached_stream(o);
  hls_packager p({});
  p.begin(s.video, s.audio);
  test::feed(p, s);
  auto snap = p.end_session(0, true);
  temp_dir dir;
  write_snapshot(*snap, dir.path);
  const auto out = dir.path / "probe.txt";
  const std::string cmd = "ffprobe -v error -show_entries stream=codec_name,width,height,sample_rate "
                          "-show_entries format=duration -of default=noprint_wrappers=1 '" +
                          (dir.path / "index.m3u8").string() + "' > '" + out.string() + "' 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("codec_name=h264"), std::string::npos) << text;
  EXPECT_NE(text.find("codec_name=aac"), std::string::npos) << text;
  EXPECT_NE(text.find("width=320"), std::string::npos) << text;
  EXPECT_NE(text.find("sample_rate=44100"), std::string::npos) << text;
  auto pos = text.find("duration=");
  ASSERT_NE(pos, std::string::npos) << text;
  EXPECT_NEAR(std::stod(text.substr(pos + 9)), 6.0, 0.1) << text;
}

TEST(cmaf_muxer, rejects_missing_configs_and_unusable_avcc) {
  std::error_code ec;
  EXPECT_EQ(cmaf_muxer::create(std::nullopt, std::nullopt, ec), nullptr);
  EXPECT_TRUE(ec);
  video_config bad;
  bad.avcc = {0x01, 0x64};
  EXPECT_EQ(cmaf_muxer::create(bad, std::nullopt, ec), nullptr);
  EXPECT_TRUE(ec);
}

}  // namespace
}  // namespace onair::media
