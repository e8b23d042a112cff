// onair-bench's playlist parser against RFC 8216bis examples, fed whole and at every split point.
#include <gtest/gtest.h>

#include <string>

#include "bench/onair_bench/playlist_parser.hpp"

namespace onair::bench {
namespace {

// After the low-latency example of RFC 8216bis (appendix, "Low-Latency HLS" Media Playlist), abridged:
// complete segments, a PDT on the first and on segment 272, a segment whose parts are listed before its
// EXTINF, an in-progress segment with three parts, a preload hint and rendition reports.
constexpr const char* ll_example =
    "#EXTM3U\n"
    "# This Playlist is a response to: GET https://example.com/2M/waitForMSN.php?_HLS_msn=273&_HLS_part=2\n"
    "#EXT-X-TARGETDURATION:4\n"
    "#EXT-X-VERSION:6\n"
    "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.0,CAN-SKIP-UNTIL=12.0\n"
    "#EXT-X-PART-INF:PART-TARGET=0.33334\n"
    "#EXT-X-MEDIA-SEQUENCE:266\n"
    "#EXT-X-PROGRAM-DATE-TIME:2019-02-14T02:13:36.106Z\n"
    "#EXT-X-MAP:URI=\"init.mp4\"\n"
    "#EXTINF:4.00008,\n"
    "fileSequence266.mp4\n"
    "#EXTINF:4.00008,\n"
    "fileSequence267.mp4\n"
    "#EXTINF:4.00008,\n"
    "fileSequence268.mp4\n"
    "#EXTINF:4.00008,\n"
    "fileSequence269.mp4\n"
    "#EXTINF:4.00008,\n"
    "fileSequence270.mp4\n"
    "#EXT-X-PART:DURATION=0.33334,URI=\"filePart271.0.mp4\"\n"
    "#EXT-X-PART:DURATION=0.33334,URI=\"filePart271.1.mp4\"\n"
    "#EXT-X-PART:DURATION=0.33334,URI=\"filePart271.2.mp4\",INDEPENDENT=YES\n"
    "#EXTINF:4.00008,\n"
    "fileSequence271.mp4\n"
    "#EXT-X-PROGRAM-DATE-TIME:2019-02-14T02:14:00.106Z\n"
    "#EXT-X-PART:DURATION=0.33334,URI=\"filePart272.a.mp4\"\n"
    "#EXT-X-PART:DURATION=0.33334,URI=\"filePart272.b.mp4\"\n"
    "#EXTINF:4.00008,\n"
    "fileSequence272.mp4\n"
    "#EXT-X-PART:DURATION=0.33334,URI=\"filePart273.0.mp4\",INDEPENDENT=YES\n"
    "#EXT-X-PART:DURATION=0.33334,URI=\"filePart273.1.mp4\"\n"
    "#EXT-X-PART:DURATION=0.33334,URI=\"filePart273.2.mp4\"\n"
    "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"filePart273.3.mp4\"\n"
    "\n"
    "#EXT-X-RENDITION-REPORT:URI=\"../1M/waitForMSN.php\",LAST-MSN=273,LAST-PART=2\n"
    "#EXT-X-RENDITION-REPORT:URI=\"../4M/waitForMSN.php\",LAST-MSN=273,LAST-PART=1\n";

void check_ll_example(const playlist& pl) {
  EXPECT_FALSE(pl.is_multivariant);
  EXPECT_EQ(pl.target_duration_s, 4);
  EXPECT_EQ(pl.media_sequence, 266);
  EXPECT_TRUE(pl.can_block_reload);
  EXPECT_DOUBLE_EQ(pl.part_hold_back_s, 1.0);
  EXPECT_DOUBLE_EQ(pl.part_target_s, 0.33334);
  EXPECT_EQ(pl.map_uri, "init.mp4");
  EXPECT_FALSE(pl.endlist);
  ASSERT_EQ(pl.segments.size(), 8u);  // 266..272 complete, 273 in progress
  EXPECT_EQ(pl.segments[0].msn, 266);
  EXPECT_EQ(pl.segments[0].uri, "fileSequence266.mp4");
  EXPECT_DOUBLE_EQ(pl.segments[0].duration_s, 4.00008);
  // 2019-02-14T02:13:36.106Z = 1550110416106 ms since the epoch.
  ASSERT_TRUE(pl.segments[0].pdt_ms);
  EXPECT_EQ(*pl.segments[0].pdt_ms, 1550110416106);
  // Carried forward: each later segment starts where the previous one ended (4.4.4.6).
  ASSERT_TRUE(pl.segments[1].pdt_ms);
  EXPECT_EQ(*pl.segments[1].pdt_ms, 1550110416106 + 4000);
  // Segment 271: parts listed before its EXTINF belong to it.
  EXPECT_EQ(pl.segments[5].msn, 271);
  ASSERT_EQ(pl.segments[5].parts.size(), 3u);
  EXPECT_EQ(pl.segments[5].uri, "fileSequence271.mp4");
  EXPECT_TRUE(pl.segments[5].parts[2].independent);
  EXPECT_FALSE(pl.segments[5].parts[1].independent);
  EXPECT_DOUBLE_EQ(pl.segments[5].parts[2].offset_s, 2 * 0.33334);
  // Segment 272 carries its own date.
  EXPECT_EQ(*pl.segments[6].pdt_ms, 1550110440106);
  EXPECT_EQ(pl.segments[6].parts[1].uri, "filePart272.b.mp4");
  // 273 is in progress: parts, no URI yet, date carried from 272.
  const auto& last = pl.segments[7];
  EXPECT_EQ(last.msn, 273);
  EXPECT_TRUE(last.uri.empty());
  ASSERT_EQ(last.parts.size(), 3u);
  EXPECT_EQ(*last.pdt_ms, 1550110440106 + 4000);
  ASSERT_TRUE(pl.hint);
  EXPECT_EQ(pl.hint->type, "PART");
  EXPECT_EQ(pl.hint->uri, "filePart273.3.mp4");
  auto lp = pl.last_part();
  ASSERT_TRUE(lp);
  EXPECT_EQ(lp->first, 273);
  EXPECT_EQ(lp->second, 2u);
}

TEST(playlist_parser, rfc_ll_hls_example_whole) {
  playlist pl;
  ASSERT_FALSE(parse_playlist(ll_example, pl));
  check_ll_example(pl);
}

TEST(playlist_parser, rfc_ll_hls_example_at_every_split_point) {
  const std::string text = ll_example;
  for (std::size_t split = 0; split <= text.size(); ++split) {
    playlist_parser p;
    ASSERT_FALSE(p.feed(std::string_view(text).substr(0, split))) << split;
    ASSERT_FALSE(p.feed(std::string_view(text).substr(split))) << split;
    ASSERT_FALSE(p.finish()) << split;
    check_ll_example(p.result());
  }
}

TEST(playlist_parser, crlf_line_ends_and_no_final_newline) {
  playlist pl;
  ASSERT_FALSE(parse_playlist("#EXTM3U\r\n#EXT-X-TARGETDURATION:10\r\n#EXTINF:9.009,\r\nfirst.ts\r\n#EXT-X-ENDLIST", pl));
  ASSERT_EQ(pl.segments.size(), 1u);
  EXPECT_EQ(pl.segments[0].uri, "first.ts");
  EXPECT_TRUE(pl.endlist);
  EXPECT_FALSE(pl.segments[0].pdt_ms);
}

// RFC 8216bis 9.4 (multivariant playlist example), with CODECS holding a quoted comma.
TEST(playlist_parser, multivariant_example) {
  playlist pl;
  ASSERT_FALSE(parse_playlist(
      "#EXTM3U\n"
      "#EXT-X-STREAM-INF:BANDWIDTH=1280000,AVERAGE-BANDWIDTH=1000000\n"
      "http://example.com/low.m3u8\n"
      "#EXT-X-STREAM-INF:BANDWIDTH=2560000,AVERAGE-BANDWIDTH=2000000,CODECS=\"avc1.4d401f,mp4a.40.2\",RESOLUTION=1280x720\n"
      "http://example.com/mid.m3u8\n"
      "#EXT-X-STREAM-INF:BANDWIDTH=65000,CODECS=\"mp4a.40.5\"\n"
      "http://example.com/audio-only.m3u8\n",
      pl));
  EXPECT_TRUE(pl.is_multivariant);
  ASSERT_EQ(pl.variants.size(), 3u);
  EXPECT_EQ(pl.variants[1].bandwidth, 2560000);
  EXPECT_EQ(pl.variants[1].codecs, "avc1.4d401f,mp4a.40.2");
  EXPECT_EQ(pl.variants[1].resolution, "1280x720");
  EXPECT_EQ(pl.variants[2].uri, "http://example.com/audio-only.m3u8");
}

// A delta update (4.4.5.2): EXT-X-SKIP stands for skipped segments, so numbering continues after them.
TEST(playlist_parser, skip_tag_advances_numbering) {
  playlist pl;
  ASSERT_FALSE(parse_playlist("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:266\n"
                              "#EXT-X-SKIP:SKIPPED-SEGMENTS=3\n#EXTINF:4.00008,\nfileSequence269.mp4\n", pl));
  ASSERT_EQ(pl.segments.size(), 1u);
  EXPECT_EQ(pl.segments[0].msn, 269);
}

TEST(playlist_parser, discontinuity_marks_the_next_segment) {
  playlist pl;
  ASSERT_FALSE(parse_playlist("#EXTM3U\n#EXTINF:2,\na.m4s\n#EXT-X-DISCONTINUITY\n#EXTINF:2,\nb.m4s\n", pl));
  ASSERT_EQ(pl.segments.size(), 2u);
  EXPECT_FALSE(pl.segments[0].discontinuity);
  EXPECT_TRUE(pl.segments[1].discontinuity);
}

TEST(playlist_parser, errors_are_values) {
  playlist pl;
  EXPECT_EQ(parse_playlist("", pl), playlist_errc::not_a_playlist);
  EXPECT_EQ(parse_playlist("<html>404</html>\n", pl), playlist_errc::not_a_playlist);
  EXPECT_EQ(parse_playlist("#EXTM3U\n#EXTINF:abc,\nx.ts\n", pl), playlist_errc::bad_value);
  EXPECT_EQ(parse_playlist("#EXTM3U\n#EXT-X-PART:URI=\"a.mp4\"\n", pl), playlist_errc::bad_value);
  EXPECT_EQ(parse_playlist("#EXTM3U\n#EXT-X-PROGRAM-DATE-TIME:yesterday\n", pl), playlist_errc::bad_value);
  playlist_parser small({.max_line = 16, .max_bytes = 1024});
  EXPECT_EQ(small.feed("#EXTM3U\n#EXT-X-A-VERY-LONG-TAG-NAME"), playlist_errc::line_too_long);
}

TEST(date_time, rfc3339_forms) {
  EXPECT_EQ(parse_date_time_ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_date_time_ms("1970-01-01T00:00:01.5Z"), 1500);
  EXPECT_EQ(parse_date_time_ms("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(parse_date_time_ms("2010-02-19T14:54:23.031+08:00"), 1266562463031);  // RFC 8216bis 4.4.4.6 example
  EXPECT_EQ(parse_date_time_ms("2000-03-01T00:00:00.000Z"), 951868800000);       // after a leap day
  EXPECT_FALSE(parse_date_time_ms("2019-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_date_time_ms("2019-02-14 02:13:36Z"));
}

}  // namespace
}  // namespace onair::bench
