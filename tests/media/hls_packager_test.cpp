#include "media/hls_packager.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "media/codec_string.hpp"

#include "media/packager_errc.hpp"
#include "packager_test_util.hpp"

namespace onair::media {
namespace {

using test::attr;
using test::lines_with;

test::source_options av_options(double seconds = 9.0, int gop = 60) {
  test::source_options o;
  o.seconds = seconds;
  o.gop = gop;
  return o;
}

TEST(hls_packager, parts_never_exceed_part_target) {
  const auto& s = test::cached_stream(av_options());
  hls_packager p({});
  p.begin(s.video, s.audio);
  auto r = test::feed(p, s);
  ASSERT_FALSE(r.snapshots.empty());
  std::size_t parts_seen = 0;
  for (const auto& snap : r.snapshots) {
    const double target = std::stod(attr(lines_with(snap->playlist, "#EXT-X-PART-INF:")[0], "PART-TARGET"));
    EXPECT_DOUBLE_EQ(target, 0.333);
    std::istringstream in(snap->playlist);
    std::string line, prev;
    for (; std::getline(in, line); prev = line) {
      // RFC 8216bis 4.4.4.9: parts other than a segment's last (followed by EXTINF) or independent ones
      // are at least 85% of PART-TARGET.
      if (prev.rfind("#EXT-X-PART:", 0) == 0 && line.rfind("#EXTINF", 0) != 0 &&
          prev.find("INDEPENDENT=YES") == std::string::npos) {
        EXPECT_GE(std::stod(attr(prev, "DURATION")), 0.85 * target) << prev;
      }
      if (line.rfind("#EXT-X-PART:", 0) != 0) continue;
      EXPECT_LE(std::stod(attr(line, "DURATION")), target) << line;
      ++parts_seen;
    }
  }
  EXPECT_GT(parts_seen, 50u);
  EXPECT_TRUE(r.errors.empty());
}

TEST(hls_packager, segments_start_with_independent_part_and_last_about_two_seconds) {
  const auto& s = test::cached_stream(av_options());
  hls_packager p({});
  p.begin(s.video, s.audio);
  auto r = test::feed(p, s);
  const auto& pl = r.snapshots.back()->playlist;
  auto durations = test::extinf_durations(pl);
  ASSERT_GE(durations.size(), 3u);
  for (double d : durations) EXPECT_NEAR(d, 2.0, 0.01);
  // Every part that follows a segment boundary (PDT line) is INDEPENDENT: it starts with the IDR.
  std::istringstream in(pl);
  bool after_pdt = false;
  int checked = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("#EXT-X-PROGRAM-DATE-TIME", 0) == 0) after_pdt = true;
    else if (line.rfind("#EXT-X-PART:", 0) == 0) {
      if (after_pdt) {
        EXPECT_NE(line.find("INDEPENDENT=YES"), std::string::npos) << line;
        ++checked;
      } else {
        EXPECT_EQ(line.find("INDEPENDENT=YES"), std::string::npos) << line;  // GOP 60: no mid-segment IDR
      }
      after_pdt = false;
    }
  }
  EXPECT_GE(checked, 2);
  EXPECT_EQ(r.snapshots.back()->target_duration_s, 2);
}

TEST(hls_packager, playlist_has_every_required_ll_hls_tag) {
  const auto& s = test::cached_stream(av_options());
  hls_packager p({});
  p.begin(s.video, s.audio);
  auto r = test::feed(p, s);
  const auto& pl = r.snapshots.back()->playlist;
  EXPECT_EQ(pl.rfind("#EXTM3U\n", 0), 0u);
  EXPECT_EQ(lines_with(pl, "#EXT-X-VERSION:9").size(), 1u);
  EXPECT_EQ(lines_with(pl, "#EXT-X-TARGETDURATION:2").size(), 1u);
  auto control = lines_with(pl, "#EXT-X-SERVER-CONTROL:");
  ASSERT_EQ(control.size(), 1u);
  EXPECT_EQ(attr(control[0], "CAN-BLOCK-RELOAD"), "YES");
  EXPECT_NEAR(std::stod(attr(control[0], "PART-HOLD-BACK")), 0.999, 1e-3);
  EXPECT_NEAR(std::stod(attr(control[0], "HOLD-BACK")), 6.0, 1e-3);
  EXPECT_EQ(lines_with(pl, "#EXT-X-PART-INF:PART-TARGET=").size(), 1u);
  EXPECT_EQ(lines_with(pl, "#EXT-X-MEDIA-SEQUENCE:0").size(), 1u);
  EXPECT_EQ(lines_with(pl, "#EXT-X-DISCONTINUITY-SEQUENCE:0").size(), 1u);
  auto map = lines_with(pl, "#EXT-X-MAP:");
  ASSERT_EQ(map.size(), 1u);
  EXPECT_EQ(attr(map[0], "URI"), "init0.mp4");
  auto pdt = lines_with(pl, "#EXT-X-PROGRAM-DATE-TIME:");
  auto extinf = lines_with(pl, "#EXTINF:");
  EXPECT_EQ(pdt.size(), extinf.size() + 1);  // one per segment, including the one in progress
  EXPECT_EQ(pdt[0].size(), std::string("#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:21.000Z").size());
  EXPECT_EQ(pdt[0].substr(25, 11), "2023-11-14T");
  auto hint = lines_with(pl, "#EXT-X-PRELOAD-HINT:");
  ASSERT_EQ(hint.size(), 1u);
  EXPECT_EQ(attr(hint[0], "TYPE"), "PART");
  const auto& snap = *r.snapshots.back();
  EXPECT_EQ(attr(hint[0], "URI"), "part" + std::to_string(snap.next_msn) + "." + std::to_string(snap.next_part) + ".m4s");
  EXPECT_TRUE(lines_with(pl, "#EXT-X-ENDLIST").empty());
  // Every URI in the playlist is a file of the snapshot.
  for (const auto& u : test::uris(pl)) EXPECT_TRUE(snap.files.count(u)) << u;
  for (const auto& line : lines_with(pl, "#EXT-X-PART:")) EXPECT_TRUE(snap.files.count(attr(line, "URI"))) << line;
  EXPECT_TRUE(snap.files.count("init0.mp4"));
}

TEST(hls_packager, blocking_reload_fields_advance_part_by_part) {
  const auto& s = test::cached_stream(av_options());
  hls_packager p({});
  p.begin(s.video, s.audio);
  auto r = test::feed(p, s);
  std::uint64_t prev_msn = 0;
  std::int64_t prev_part = -1;
  for (const auto& snap : r.snapshots) {
    const bool advanced = snap->next_msn > prev_msn || (snap->next_msn == prev_msn && snap->next_part > prev_part);
    EXPECT_TRUE(advanced) << snap->next_msn << "." << snap->next_part;
    EXPECT_TRUE(snap->has(snap->next_msn - (snap->next_part == 0 ? 1 : 0), snap->next_part == 0 ? 0 : snap->next_part - 1));
    EXPECT_FALSE(snap->has(snap->next_msn, snap->next_part));  // the preload-hinted part is not there yet
    EXPECT_FALSE(snap->has(snap->next_msn + 1, -1));
    if (snap->next_part > 0) {
      EXPECT_TRUE(snap->files.count("part" + std::to_string(snap->next_msn) + "." +
                                    std::to_string(snap->next_part - 1) + ".m4s"));
    }
    prev_msn = snap->next_msn;
    prev_part = snap->next_part;
  }
  EXPECT_GE(prev_msn, 3u);
}

TEST(hls_packager, sliding_window_drops_old_segments_parts_and_keeps_numbering) {
  const auto& s = test::cached_stream(av_options(21.0));
  packager_options o;
  o.window_segments = 3;
  hls_packager p(o);
  p.begin(s.video, s.audio);
  auto r = test::feed(p, s);
  const auto& snap = *r.snapshots.back();
  EXPECT_EQ(test::extinf_durations(snap.playlist).size(), 3u);
  EXPECT_EQ(snap.first_msn, snap.next_msn - 3);
  EXPECT_GE(snap.first_msn, 6u);
  EXPECT_FALSE(snap.files.count("seg0.m4s"));
  EXPECT_FALSE(snap.files.count("part0.0.m4s"));
  EXPECT_FALSE(snap.files.count("seg" + std::to_string(snap.first_msn - 1) + ".m4s"));
  EXPECT_TRUE(snap.files.count("seg" + std::to_string(snap.first_msn) + ".m4s"));
  // Parts are listed only near the live edge (RFC 8216bis 4.4.4.9: ~3 target durations).
  auto parts = lines_with(snap.playlist, "#EXT-X-PART:");
  EXPECT_TRUE(attr(parts.front(), "URI").rfind("part" + std::to_string(snap.first_msn) + ".", 0) != 0);
  // No part file older than the window survives.
  for (const auto& [name, _] : snap.files) {
    if (name.rfind("part", 0) != 0) continue;
    EXPECT_GE(std::stoull(name.substr(4)), snap.first_msn) << name;
  }
  EXPECT_EQ(lines_with(snap.playlist, "#EXT-X-MEDIA-SEQUENCE:" + std::to_string(snap.first_msn)).size(), 1u);
}

TEST(hls_packager, republish_continues_msn_with_discontinuity_and_new_map) {
  const auto& s = test::cached_stream(av_options(5.0));
  test::source_options small = av_options(5.0);
  small.width = 256;
  small.height = 144;
  const auto& s2 = test::cached_stream(small);
  hls_packager p({});
  p.begin(s.video, s.audio);
  test::feed(p, s);
  auto ended = p.end_session(0, false);
  ASSERT_TRUE(ended);
  EXPECT_FALSE(ended->ended);
  const auto after_first = p.sequence();
  EXPECT_EQ(after_first.next_msn, ended->next_msn);
  EXPECT_EQ(after_first.discontinuity_seq, 1u);

  p.begin(s2.video, s2.audio);  // a new encoder with a different resolution
  auto r = test::feed(p, s2);
  const auto& pl = r.snapshots.back()->playlist;
  EXPECT_EQ(lines_with(pl, "#EXT-X-DISCONTINUITY").size() - lines_with(pl, "#EXT-X-DISCONTINUITY-SEQUENCE").size(), 1u);
  auto maps = lines_with(pl, "#EXT-X-MAP:");
  ASSERT_EQ(maps.size(), 2u);
  EXPECT_EQ(attr(maps[0], "URI"), "init0.mp4");
  EXPECT_EQ(attr(maps[1], "URI"), "init1.mp4");
  // The discontinuity comes right before the new map, and numbering went on without a reset.
  EXPECT_NE(pl.find("#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init1.mp4\""), std::string::npos) << pl;
  EXPECT_NE(pl.find("seg" + std::to_string(after_first.next_msn - 1) + ".m4s\n#EXT-X-DISCONTINUITY\n"), std::string::npos) << pl;
  EXPECT_GT(r.snapshots.back()->next_msn, after_first.next_msn);
}

TEST(hls_packager, republish_with_same_configs_keeps_init_segment) {
  const auto& s = test::cached_stream(av_options(5.0));
  hls_packager p({});
  p.begin(s.video, s.audio);
  test::feed(p, s);
  p.end_session(0, false);
  p.begin(s.video, s.audio);
  auto r = test::feed(p, s);
  const auto& pl = r.snapshots.back()->playlist;
  EXPECT_EQ(lines_with(pl, "#EXT-X-MAP:").size(), 1u);
  EXPECT_EQ(lines_with(pl, "#EXT-X-DISCONTINUITY").size(), 2u);  // the tag + DISCONTINUITY-SEQUENCE
  EXPECT_FALSE(r.snapshots.back()->files.count("init1.mp4"));
}

TEST(hls_packager, discontinuity_sequence_increments_when_the_tag_leaves_the_window) {
  const auto& s = test::cached_stream(av_options(5.0));
  packager_options o;
  o.window_segments = 2;
  hls_packager p(o);
  p.begin(s.video, s.audio);
  test::feed(p, s);
  p.end_session(0, false);
  p.begin(s.video, s.audio);
  auto r = test::feed(p, s);
  p.end_session(0, false);
  p.begin(s.video, s.audio);
  r = test::feed(p, s);
  const auto& pl = r.snapshots.back()->playlist;
  // Both segments in the window belong to the third session: its number (2) is the sequence.
  EXPECT_EQ(lines_with(pl, "#EXT-X-DISCONTINUITY-SEQUENCE:2").size(), 1u) << pl;
  EXPECT_EQ(lines_with(pl, "#EXT-X-DISCONTINUITY").size(), 1u);
}

TEST(hls_packager, sequence_state_seeds_a_new_packager_after_failover) {
  const auto& s = test::cached_stream(av_options(5.0));
  hls_packager p({}, sequence_state{100, 7});
  p.begin(s.video, s.audio);
  auto r = test::feed(p, s);
  const auto& snap = *r.snapshots.back();
  EXPECT_EQ(snap.first_msn, 100u);
  // Segment 100 still heads the window: tagged, the sequence counts the other origin's segments (6).
  EXPECT_EQ(lines_with(snap.playlist, "#EXT-X-DISCONTINUITY-SEQUENCE:6").size(), 1u) << snap.playlist;
  EXPECT_EQ(test::discontinuity_numbers(snap.playlist).at(100), 7u);
  EXPECT_TRUE(snap.files.count("seg100.m4s"));
  auto seq = p.sequence();
  EXPECT_EQ(seq.next_msn, snap.next_msn + 1);  // the in-progress segment already has parts out
  EXPECT_EQ(seq.discontinuity_seq, 8u);
}

TEST(hls_packager, packager_after_failover_tags_its_first_segment_until_it_slides_out) {
  const auto& s = test::cached_stream(av_options());  // 9 s, 2 s GOPs: segments 100-103, 104 in progress
  packager_options o;
  o.window_segments = 2;
  hls_packager p(o, sequence_state{100, 3});  // the room's earlier segments (other origin) had number 2
  p.begin(s.video, s.audio);
  auto r = test::feed(p, s);
  ASSERT_FALSE(r.snapshots.empty());
  // RFC 8216bis 4.4.4.3: the first playlist of the new origin tags its first segment, before its map and
  // its parts (4.4.4.9), and counts the segments before it in DISCONTINUITY-SEQUENCE (4.4.3.3).
  const std::string expected_head =
      "#EXTM3U\n"
      "#EXT-X-VERSION:9\n"
      "#EXT-X-TARGETDURATION:2\n"
      "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0.999,HOLD-BACK=6.000\n"
      "#EXT-X-PART-INF:PART-TARGET=0.33300\n"
      "#EXT-X-MEDIA-SEQUENCE:100\n"
      "#EXT-X-DISCONTINUITY-SEQUENCE:2\n"
      "#EXT-X-DISCONTINUITY\n"
      "#EXT-X-MAP:URI=\"init0.mp4\"\n"
      "#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:20.933Z\n"  // first IDR: DTS 1000 ms less two B-frames
      "#EXT-X-PART:DURATION=0.30000,URI=\"part100.0.m4s\",INDEPENDENT=YES\n";
  EXPECT_EQ(r.snapshots.front()->playlist.substr(0, expected_head.size()), expected_head);
  bool saw_head = false, saw_slid_out = false;
  std::map<std::uint64_t, std::uint64_t> numbers;  // msn -> number, over every snapshot
  for (const auto& snap : r.snapshots) {
    const auto& pl = snap->playlist;
    const auto tags = lines_with(pl, "#EXT-X-DISCONTINUITY").size() - 1;  // less DISCONTINUITY-SEQUENCE
    if (snap->first_msn == 100) {
      saw_head = true;
      EXPECT_EQ(lines_with(pl, "#EXT-X-DISCONTINUITY-SEQUENCE:2").size(), 1u) << pl;
      EXPECT_EQ(tags, 1u) << pl;
      EXPECT_NE(pl.find("#EXT-X-DISCONTINUITY-SEQUENCE:2\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init0.mp4\"\n"),
                std::string::npos) << pl;
    } else {
      saw_slid_out = true;  // 6.2.2: the tag left with segment 100, the sequence took its number
      EXPECT_GT(snap->first_msn, 100u);
      EXPECT_EQ(lines_with(pl, "#EXT-X-DISCONTINUITY-SEQUENCE:3").size(), 1u) << pl;
      EXPECT_EQ(tags, 0u) << pl;
    }
    // A player derives the same number for a segment in every playlist it reads: no step back or jump
    // between "tagged head" and "tag slid out".
    for (const auto& [msn, number] : test::discontinuity_numbers(pl)) {
      EXPECT_EQ(number, 3u) << "seg" << msn << "\n" << pl;
      numbers.emplace(msn, number);
    }
  }
  EXPECT_TRUE(saw_head);
  EXPECT_TRUE(saw_slid_out);
  EXPECT_GE(numbers.size(), 5u);  // 100-104
  // Reported numbering goes on above everything published: the next session is 4, msn past the open one.
  const auto seq = p.sequence();
  EXPECT_EQ(seq.discontinuity_seq, 4u);
  EXPECT_EQ(seq.next_msn, r.snapshots.back()->next_msn + 1);
  EXPECT_GT(seq.next_msn, numbers.rbegin()->first);
}

TEST(hls_packager, republish_on_a_packager_after_failover_tags_both_boundaries) {
  const auto& s = test::cached_stream(av_options(5.0));
  hls_packager p({}, sequence_state{100, 3});
  p.begin(s.video, s.audio);
  test::feed(p, s);
  p.end_session(0, false);
  const auto second = p.sequence().next_msn;
  p.begin(s.video, s.audio);  // same process: the first session is still in the window
  auto r = test::feed(p, s);
  const auto& pl = r.snapshots.back()->playlist;
  EXPECT_EQ(r.snapshots.back()->first_msn, 100u);
  EXPECT_EQ(lines_with(pl, "#EXT-X-DISCONTINUITY-SEQUENCE:2").size(), 1u) << pl;
  EXPECT_EQ(lines_with(pl, "#EXT-X-DISCONTINUITY").size(), 3u) << pl;  // head, re-publish, the sequence
  const auto numbers = test::discontinuity_numbers(pl);
  for (const auto& [msn, number] : numbers) EXPECT_EQ(number, msn < second ? 3u : 4u) << "seg" << msn << "\n" << pl;
  EXPECT_EQ(p.sequence().discontinuity_seq, 5u);
}

TEST(hls_packager, first_packager_of_a_room_never_tags_its_head) {
  const auto& s = test::cached_stream(av_options());
  packager_options o;
  o.window_segments = 2;
  // {0, 0}: nothing came before. {100, 0}: no number below 0 for what came before, so no tag rather
  // than a sequence that would go back to 0 once the head slid out.
  for (const sequence_state start : {sequence_state{0, 0}, sequence_state{100, 0}}) {
    hls_packager p(o, start);
    p.begin(s.video, s.audio);
    auto r = test::feed(p, s);
    ASSERT_FALSE(r.snapshots.empty());
    for (const auto& snap : r.snapshots) {
      EXPECT_EQ(lines_with(snap->playlist, "#EXT-X-DISCONTINUITY-SEQUENCE:0").size(), 1u) << snap->playlist;
      EXPECT_EQ(lines_with(snap->playlist, "#EXT-X-DISCONTINUITY").size(), 1u) << snap->playlist;
    }
    EXPECT_EQ(r.snapshots.front()->first_msn, start.next_msn);
    EXPECT_EQ(p.sequence().discontinuity_seq, 1u);
  }
}

TEST(hls_packager, audio_only_rendition_cuts_by_duration_with_independent_parts) {
  test::source_options o;
  o.video = false;
  o.seconds = 9;
  o.sample_rate = 48000;
  const auto& s = test::cached_stream(o);
  packager_options po;
  po.name = "audio";
  hls_packager p(po);
  p.begin(std::nullopt, s.audio);
  auto r = test::feed(p, s);
  ASSERT_FALSE(r.snapshots.empty());
  const auto& snap = *r.snapshots.front();
  EXPECT_TRUE(snap.audio_only);
  const auto& last = *r.snapshots.back();
  for (const auto& line : lines_with(last.playlist, "#EXT-X-PART:")) {
    EXPECT_NE(line.find("INDEPENDENT=YES"), std::string::npos);
    EXPECT_LE(std::stod(attr(line, "DURATION")), 0.333);
  }
  for (double d : test::extinf_durations(last.playlist)) {
    EXPECT_LE(d, 2.0);
    EXPECT_GT(d, 1.6);
  }
  EXPECT_EQ(lines_with(last.playlist, "#EXT-X-TARGETDURATION:2").size(), 1u);
  auto v = p.variant();
  ASSERT_TRUE(v);
  EXPECT_EQ(v->codecs, "mp4a.40.2");
  EXPECT_EQ(v->width, 0);
  EXPECT_EQ(v->frame_rate, 0);
}

TEST(hls_packager, audio_only_option_ignores_video_frames) {
  const auto& s = test::cached_stream(av_options(5.0));
  packager_options po;
  po.audio_only = true;
  hls_packager p(po);
  p.begin(s.video, s.audio);
  auto r = test::feed(p, s);
  EXPECT_TRUE(r.errors.empty());
  ASSERT_FALSE(r.snapshots.empty());
  EXPECT_TRUE(r.snapshots.back()->audio_only);
  EXPECT_EQ(p.variant()->codecs, "mp4a.40.2");
}

TEST(hls_packager, end_session_final_flushes_and_writes_endlist) {
  const auto& s = test::cached_stream(av_options(5.0));
  hls_packager p({});
  p.begin(s.video, s.audio);
  test::feed(p, s);
  auto snap = p.end_session(0, true);
  ASSERT_TRUE(snap);
  EXPECT_TRUE(snap->ended);
  EXPECT_EQ(snap, p.snapshot());
  const auto& pl = snap->playlist;
  EXPECT_EQ(pl.substr(pl.size() - 15), "#EXT-X-ENDLIST\n");
  EXPECT_TRUE(lines_with(pl, "#EXT-X-PRELOAD-HINT").empty());
  // 5 s at GOP 2 s: 2 full segments and the flushed 1 s tail; nothing left in progress.
  auto d = test::extinf_durations(pl);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_NEAR(d[0] + d[1] + d[2], 5.0, 0.05);
  EXPECT_EQ(snap->next_part, 0u);
  EXPECT_TRUE(snap->has(2, -1));
}

TEST(hls_packager, end_session_before_any_frame_returns_nullptr) {
  hls_packager p({});
  const auto& s = test::cached_stream(av_options(5.0));
  p.begin(s.video, s.audio);
  EXPECT_EQ(p.end_session(0, true), nullptr);
  EXPECT_EQ(p.snapshot(), nullptr);
}

TEST(hls_packager, frames_before_first_keyframe_are_dropped) {
  const auto& s = test::cached_stream(av_options(5.0));
  // Start mid-GOP: the first 15 video frames and the audio with them have no keyframe to decode from.
  test::test_stream cut = s;
  std::size_t video_seen = 0, i = 0;
  for (; i < cut.frames.size(); ++i)
    if (cut.frames[i].kind == track_kind::video && ++video_seen == 15) break;
  cut.frames.erase(cut.frames.begin(), cut.frames.begin() + static_cast<std::ptrdiff_t>(i));
  hls_packager p({});
  p.begin(s.video, s.audio);
  auto r = test::feed(p, cut);
  ASSERT_FALSE(r.snapshots.empty());
  EXPECT_TRUE(r.errors.empty());
  // The first segment starts at the keyframe at 2 s: 3 s of media remain, the first segment is 2 s.
  auto snap = p.end_session(0, true);
  auto d = test::extinf_durations(snap->playlist);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_NEAR(d[0], 2.0, 0.01);
  EXPECT_NEAR(d[1], 1.0, 0.05);
}

TEST(hls_packager, backwards_timestamp_is_dropped_with_error_code) {
  const auto& s = test::cached_stream(av_options(5.0));
  hls_packager p({});
  p.begin(s.video, s.audio);
  std::error_code ec;
  std::size_t n = 0;
  for (const auto& f : s.frames) {
    p.push(f, 0, ec);
    EXPECT_FALSE(ec) << ec.message();
    if (++n == 200) break;
  }
  frame back = s.frames[100];
  p.push(back, 0, ec);
  EXPECT_EQ(ec, make_error_code(packager_errc::non_monotonic_timestamp));
  frame empty = s.frames[201];
  empty.data = {};
  p.push(empty, 0, ec);
  EXPECT_EQ(ec, make_error_code(packager_errc::empty_frame));
  for (std::size_t k = 200; k < s.frames.size(); ++k) {
    p.push(s.frames[k], 0, ec);
    EXPECT_FALSE(ec) << k;
  }
  auto snap = p.end_session(0, true);
  ASSERT_TRUE(snap);
  EXPECT_EQ(test::extinf_durations(snap->playlist).size(), 3u);
}

TEST(hls_packager, push_without_begin_reports_not_started) {
  const auto& s = test::cached_stream(av_options(5.0));
  hls_packager p({});
  std::error_code ec;
  EXPECT_EQ(p.push(s.frames[0], 0, ec), nullptr);
  EXPECT_EQ(ec, make_error_code(packager_errc::not_started));
  EXPECT_FALSE(p.variant());
  p.begin(std::nullopt, s.audio);  // audio-only publisher: video frames have no track
  for (const auto& f : s.frames)
    if (f.kind == track_kind::video) {
      p.push(f, 0, ec);
      EXPECT_EQ(ec, make_error_code(packager_errc::no_config));
      break;
    }
  EXPECT_NE(ec.message(), "");
}

TEST(hls_packager, target_duration_follows_a_gop_longer_than_the_segment_target) {
  const auto& s = test::cached_stream(av_options(10.0, 75));  // IDR every 2.5 s
  hls_packager p({});
  p.begin(s.video, s.audio);
  auto r = test::feed(p, s);
  for (const auto& snap : r.snapshots) {
    EXPECT_EQ(snap->target_duration_s, 3);
    EXPECT_EQ(lines_with(snap->playlist, "#EXT-X-TARGETDURATION:3").size(), 1u);
  }
  for (double d : test::extinf_durations(r.snapshots.back()->playlist)) EXPECT_NEAR(d, 2.5, 0.01);
}

TEST(hls_packager, update_config_with_same_config_is_ignored_and_new_config_starts_new_init) {
  const auto& s = test::cached_stream(av_options(5.0));
  hls_packager p({});
  p.begin(s.video, s.audio);
  auto r = test::feed(p, s);
  p.update_config(s.video, s.audio);  // encoders repeat sequence headers
  EXPECT_EQ(p.sequence().discontinuity_seq, 1u);
  EXPECT_EQ(p.snapshot(), r.snapshots.back());
  auto other = *s.audio;
  other.asc = {0x11, 0x90};  // 48 kHz stereo
  other.sample_rate = 48000;
  p.update_config(s.video, other);
  ASSERT_TRUE(p.snapshot());
  EXPECT_TRUE(p.snapshot()->files.count("init0.mp4"));
  EXPECT_TRUE(p.snapshot()->files.count("init1.mp4"));
}

TEST(hls_packager, variant_reports_codecs_resolution_frame_rate_and_bandwidth) {
  const auto& s = test::cached_stream(av_options());
  hls_packager p({});
  EXPECT_FALSE(p.variant());
  video_config v = *s.video;
  v.frame_rate = 0;  // no onMetaData: measured from timestamps
  v.width = v.height = 0;  // and dimensions from the SPS
  p.begin(v, s.audio);
  test::feed(p, s);
  auto info = p.variant();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->uri, "source/index.m3u8");
  EXPECT_EQ(info->codecs, codecs_attribute(s.video, s.audio));
  EXPECT_EQ(info->codecs.substr(0, 5), "avc1.");
  EXPECT_EQ(info->width, 320);
  EXPECT_EQ(info->height, 240);
  EXPECT_NEAR(info->frame_rate, 30.0, 0.1);
  EXPECT_GT(info->average_bandwidth, 100'000u);
  EXPECT_LT(info->average_bandwidth, 2'000'000u);
  EXPECT_GE(info->bandwidth, info->average_bandwidth);
}

}  // namespace
}  // namespace onair::media

namespace onair::media {
namespace {

TEST(hls_packager, hostile_frames_and_timestamps_never_crash) {
  const auto& s = test::cached_stream(av_options(4.0));
  hls_packager p({});
  p.begin(s.video, s.audio);
  std::uint32_t rng = 12345;
  auto next = [&rng] { return rng = rng * 1664525u + 1013904223u; };
  std::size_t errors = 0;
  for (int i = 0; i < 3000; ++i) {
    frame f;
    f.kind = (next() & 1) ? track_kind::video : track_kind::audio;
    f.keyframe = (next() % 10) == 0;
    f.dts_ms = 1000 + i * 10 - static_cast<std::int64_t>(next() % 40);  // jitter, sometimes backwards
    f.cts_ms = static_cast<std::int32_t>(next() % 200) - 50;             // including negative offsets
    std::vector<std::uint8_t> junk(next() % 64);
    for (auto& b : junk) b = static_cast<std::uint8_t>(next());
    f.data.size = junk.size();
    f.data.owner = make_shared_bytes(std::move(junk));
    std::error_code ec;
    p.push(f, i, ec);
    errors += ec ? 1 : 0;
    if (i % 997 == 0) p.update_config(s.video, s.audio);
  }
  EXPECT_GT(errors, 0u);
  auto snap = p.end_session(0, true);
  ASSERT_TRUE(snap);
  EXPECT_TRUE(snap->ended);
  for (double d : test::extinf_durations(snap->playlist)) EXPECT_LE(std::lround(d), snap->target_duration_s);
}

}  // namespace
}  // namespace onair::media
