#include "media/playlist_writer.hpp"

#include <gtest/gtest.h>

#include "media/hls_packager.hpp"

namespace onair::media {
namespace {

TEST(playlist_writer, program_date_time_is_iso8601_utc_with_milliseconds) {
  EXPECT_EQ(format_program_date_time(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_program_date_time(1'700'000'000'123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(format_program_date_time(951'782'400'000), "2000-02-29T00:00:00.000Z");  // leap day
}

TEST(playlist_writer, renders_ll_hls_media_playlist_in_tag_order) {
  media_playlist p;
  p.target_duration_s = 2;
  p.part_target_s = 0.5;
  p.part_hold_back_s = 1.5;
  p.hold_back_s = 6;
  p.media_sequence = 41;
  p.discontinuity_sequence = 3;
  playlist_segment a;
  a.msn = 41;
  a.duration_s = 2;
  a.uri = "seg41.m4s";
  a.map_uri = "init1.mp4";
  a.discontinuity = true;  // first in the window: counted by DISCONTINUITY-SEQUENCE, no tag
  a.program_date_ms = 0;
  playlist_segment b = a;
  b.msn = 42;
  b.uri = "seg42.m4s";
  b.map_uri = "init2.mp4";
  b.discontinuity = true;
  b.parts = {{0.5, "part42.0.m4s", true}, {0.5, "part42.1.m4s", false}};
  playlist_segment c;
  c.msn = 43;
  c.complete = false;
  c.map_uri = "init2.mp4";
  c.program_date_ms = 4000;
  c.parts = {{0.48, "part43.0.m4s", true}};
  p.segments = {a, b, c};
  p.preload_hint_uri = "part43.1.m4s";
  EXPECT_EQ(render_media_playlist(p),
            "#EXTM3U\n"
            "#EXT-X-VERSION:9\n"
            "#EXT-X-TARGETDURATION:2\n"
            "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.500,HOLD-BACK=6.000\n"
            "#EXT-X-PART-INF:PART-TARGET=0.50000\n"
            "#EXT-X-MEDIA-SEQUENCE:41\n"
            "#EXT-X-DISCONTINUITY-SEQUENCE:3\n"
            "#EXT-X-MAP:URI=\"init1.mp4\"\n"
            "#EXT-X-PROGRAM-DATE-TIME:1970-01-01T00:00:00.000Z\n"
            "#EXTINF:2.00000,\n"
            "seg41.m4s\n"
            "#EXT-X-DISCONTINUITY\n"
            "#EXT-X-MAP:URI=\"init2.mp4\"\n"
            "#EXT-X-PROGRAM-DATE-TIME:1970-01-01T00:00:00.000Z\n"
            "#EXT-X-PART:DURATION=0.50000,URI=\"part42.0.m4s\",INDEPENDENT=YES\n"
            "#EXT-X-PART:DURATION=0.50000,URI=\"part42.1.m4s\"\n"
            "#EXTINF:2.00000,\n"
            "seg42.m4s\n"
            "#EXT-X-PROGRAM-DATE-TIME:1970-01-01T00:00:04.000Z\n"
            "#EXT-X-PART:DURATION=0.48000,URI=\"part43.0.m4s\",INDEPENDENT=YES\n"
            "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part43.1.m4s\"\n");
  p.ended = true;
  const auto ended = render_media_playlist(p);
  EXPECT_EQ(ended.find("PRELOAD-HINT"), std::string::npos);
  EXPECT_EQ(ended.substr(ended.size() - 15), "#EXT-X-ENDLIST\n");
}

/// The playlist of an origin that took over a room at msn 100: segments up to 99 (number 2) were listed
/// by another origin, this one starts session 3.
media_playlist after_failover() {
  media_playlist p;
  p.target_duration_s = 2;
  p.part_target_s = 0.5;
  p.part_hold_back_s = 1.5;
  p.hold_back_s = 6;
  p.media_sequence = 100;
  p.discontinuity_sequence = 2;
  p.head_discontinuity = true;
  p.preload_hint_uri = "part100.2.m4s";
  return p;
}

TEST(playlist_writer, head_discontinuity_tags_the_first_complete_segment) {
  media_playlist p = after_failover();
  playlist_segment a;
  a.msn = 100;
  a.duration_s = 2;
  a.uri = "seg100.m4s";
  a.map_uri = "init0.mp4";
  a.program_date_ms = 0;
  a.parts = {{0.5, "part100.0.m4s", true}};
  playlist_segment b = a;
  b.msn = 101;
  b.uri = "seg101.m4s";
  b.parts.clear();
  p.segments = {a, b};
  p.preload_hint_uri = "part102.0.m4s";
  EXPECT_EQ(render_media_playlist(p),
            "#EXTM3U\n"
            "#EXT-X-VERSION:9\n"
            "#EXT-X-TARGETDURATION:2\n"
            "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.500,HOLD-BACK=6.000\n"
            "#EXT-X-PART-INF:PART-TARGET=0.50000\n"
            "#EXT-X-MEDIA-SEQUENCE:100\n"
            "#EXT-X-DISCONTINUITY-SEQUENCE:2\n"
            "#EXT-X-DISCONTINUITY\n"  // seg100 is number 3, as it stays once the tag slides out
            "#EXT-X-MAP:URI=\"init0.mp4\"\n"
            "#EXT-X-PROGRAM-DATE-TIME:1970-01-01T00:00:00.000Z\n"
            "#EXT-X-PART:DURATION=0.50000,URI=\"part100.0.m4s\",INDEPENDENT=YES\n"
            "#EXTINF:2.00000,\n"
            "seg100.m4s\n"
            "#EXT-X-PROGRAM-DATE-TIME:1970-01-01T00:00:00.000Z\n"
            "#EXTINF:2.00000,\n"
            "seg101.m4s\n"
            "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part102.0.m4s\"\n");
  // The head's own flag still means nothing: only head_discontinuity puts a tag there.
  p.head_discontinuity = false;
  p.segments[0].discontinuity = true;
  EXPECT_EQ(render_media_playlist(p).find("#EXT-X-DISCONTINUITY\n"), std::string::npos);
}

TEST(playlist_writer, head_discontinuity_tags_an_open_segment_with_parts_only) {
  media_playlist p = after_failover();
  playlist_segment open;
  open.msn = 100;
  open.complete = false;
  open.map_uri = "init0.mp4";
  open.program_date_ms = 2000;
  open.parts = {{0.5, "part100.0.m4s", true}, {0.5, "part100.1.m4s", false}};
  p.segments = {open};
  const std::string expected =
      "#EXTM3U\n"
      "#EXT-X-VERSION:9\n"
      "#EXT-X-TARGETDURATION:2\n"
      "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.500,HOLD-BACK=6.000\n"
      "#EXT-X-PART-INF:PART-TARGET=0.50000\n"
      "#EXT-X-MEDIA-SEQUENCE:100\n"
      "#EXT-X-DISCONTINUITY-SEQUENCE:2\n"
      "#EXT-X-DISCONTINUITY\n"
      "#EXT-X-MAP:URI=\"init0.mp4\"\n"
      "#EXT-X-PROGRAM-DATE-TIME:1970-01-01T00:00:02.000Z\n"
      "#EXT-X-PART:DURATION=0.50000,URI=\"part100.0.m4s\",INDEPENDENT=YES\n"
      "#EXT-X-PART:DURATION=0.50000,URI=\"part100.1.m4s\"\n"
      "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part100.2.m4s\"\n";
  EXPECT_EQ(render_media_playlist(p), expected);
  // An in-progress segment without parts is not rendered: the tag goes to the first one that is.
  playlist_segment empty;
  empty.msn = 99;
  empty.complete = false;
  p.segments.insert(p.segments.begin(), empty);
  EXPECT_EQ(render_media_playlist(p), expected);
}

TEST(playlist_writer, master_playlist_lists_variants_with_stream_inf_attributes) {
  variant_info video;
  video.uri = "source/index.m3u8";
  video.bandwidth = 2'500'000;
  video.average_bandwidth = 2'000'000;
  video.codecs = "avc1.64001f,mp4a.40.2";
  video.width = 1280;
  video.height = 720;
  video.frame_rate = 29.97;
  variant_info audio;
  audio.uri = "audio/index.m3u8";
  audio.bandwidth = 130'000;
  audio.codecs = "mp4a.40.2";
  EXPECT_EQ(render_master_playlist({video, audio}),
            "#EXTM3U\n"
            "#EXT-X-VERSION:7\n"
            "#EXT-X-INDEPENDENT-SEGMENTS\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=2500000,AVERAGE-BANDWIDTH=2000000,CODECS=\"avc1.64001f,mp4a.40.2\","
            "RESOLUTION=1280x720,FRAME-RATE=29.970\n"
            "source/index.m3u8\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=130000,CODECS=\"mp4a.40.2\"\n"
            "audio/index.m3u8\n");
}

}  // namespace
}  // namespace onair::media
