#include "media/playlist_writer.hpp"

#include <chrono>

#include <fmt/format.h>

#include "media/hls_packager.hpp"

namespace onair::media {

std::string format_program_date_time(std::int64_t unix_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds{unix_ms}};
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> hms{t - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count(), hms.subseconds().count());
}

std::string render_media_playlist(const media_playlist& p) {
  std::string out;
  out.reserve(256 + p.segments.size() * 200);
  auto line = [&out](std::string_view s) {
    out += s;
    out += '\n';
  };
  line("#EXTM3U");
  line(fmt::format("#EXT-X-VERSION:{}", p.version));
  line(fmt::format("#EXT-X-TARGETDURATION:{}", p.target_duration_s));
  if (p.part_target_s > 0) {
    // RFC 8216bis 4.4.3.8: blocking reload; PART-HOLD-BACK >= 2 (SHOULD 3) part targets, HOLD-BACK >= 3 TD.
    line(fmt::format("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK={:.3f},HOLD-BACK={:.3f}",
                     p.part_hold_back_s, p.hold_back_s));
    line(fmt::format("#EXT-X-PART-INF:PART-TARGET={:.5f}", p.part_target_s));
  }
  line(fmt::format("#EXT-X-MEDIA-SEQUENCE:{}", p.media_sequence));
  line(fmt::format("#EXT-X-DISCONTINUITY-SEQUENCE:{}", p.discontinuity_sequence));
  std::string_view current_map;
  bool first = true;
  for (const auto& s : p.segments) {
    if (!s.complete && s.parts.empty()) continue;  // nothing of it exists yet: only the preload hint
    // RFC 8216bis 6.2.2: a boundary inside the window is tagged; once the segment before it slid out the
    // removal is counted in EXT-X-DISCONTINUITY-SEQUENCE instead, so the first segment's own flag is
    // ignored. The head is tagged only when the model says the boundary lies before the window.
    if (first ? p.head_discontinuity : s.discontinuity) line("#EXT-X-DISCONTINUITY");
    if (!s.map_uri.empty() && s.map_uri != current_map) {
      line(fmt::format("#EXT-X-MAP:URI=\"{}\"", s.map_uri));  // 4.4.4.5
      current_map = s.map_uri;
    }
    if (s.program_date_ms) line("#EXT-X-PROGRAM-DATE-TIME:" + format_program_date_time(*s.program_date_ms));
    for (const auto& part : s.parts)
      line(fmt::format("#EXT-X-PART:DURATION={:.5f},URI=\"{}\"{}", part.duration_s, part.uri,
                       part.independent ? ",INDEPENDENT=YES" : ""));
    if (s.complete) {
      line(fmt::format("#EXTINF:{:.5f},", s.duration_s));
      line(s.uri);
    }
    first = false;
  }
  if (p.preload_hint_uri && !p.ended)
    line(fmt::format("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"{}\"", *p.preload_hint_uri));  // 4.4.5.3
  if (p.ended) line("#EXT-X-ENDLIST");
  return out;
}

std::string render_master_playlist(const std::vector<variant_info>& variants) {
  std::string out = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  for (const auto& v : variants) {
    // RFC 8216bis 4.4.6.2: BANDWIDTH is required; the rest helps players pick a variant.
    out += fmt::format("#EXT-X-STREAM-INF:BANDWIDTH={}", v.bandwidth);
    if (v.average_bandwidth) out += fmt::format(",AVERAGE-BANDWIDTH={}", v.average_bandwidth);
    if (!v.codecs.empty()) out += fmt::format(",CODECS=\"{}\"", v.codecs);
    if (v.width > 0 && v.height > 0) out += fmt::format(",RESOLUTION={}x{}", v.width, v.height);
    if (v.frame_rate > 0) out += fmt::format(",FRAME-RATE={:.3f}", v.frame_rate);
    out += '\n';
    out += v.uri;
    out += '\n';
  }
  return out;
}

}  // namespace onair::media
