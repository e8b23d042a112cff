#pragma once
/// Renders LL-HLS media playlists (RFC 8216bis 4.4) from a plain model; no state of its own.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace onair::media {

/// One EXT-X-PART line (RFC 8216bis 4.4.4.9).
struct playlist_part {
  double duration_s = 0;
  std::string uri;           ///< "part12.3.m4s"
  bool independent = false;  ///< INDEPENDENT=YES: starts with a sync sample
};

/// One media segment, complete or (the last one) in progress.
struct playlist_segment {
  std::uint64_t msn = 0;
  double duration_s = 0;                       ///< EXTINF (complete segments)
  std::string uri;                             ///< "seg12.m4s"; empty while in progress
  std::string map_uri;                         ///< init segment it needs (EXT-X-MAP written on change)
  bool discontinuity = false;                  ///< EXT-X-DISCONTINUITY before it (ignored on the first listed one)
  std::optional<std::int64_t> program_date_ms; ///< EXT-X-PROGRAM-DATE-TIME (Unix ms)
  std::vector<playlist_part> parts;            ///< listed parts (may be empty for older segments)
  bool complete = true;
};

/// Everything one media playlist says.
struct media_playlist {
  int version = 9;
  int target_duration_s = 2;        ///< EXT-X-TARGETDURATION
  double part_target_s = 0;         ///< EXT-X-PART-INF PART-TARGET; 0 = no LL-HLS tags
  double part_hold_back_s = 0;      ///< EXT-X-SERVER-CONTROL PART-HOLD-BACK
  double hold_back_s = 0;           ///< EXT-X-SERVER-CONTROL HOLD-BACK
  std::uint64_t media_sequence = 0;
  std::uint64_t discontinuity_sequence = 0;
  /// EXT-X-DISCONTINUITY before the first listed segment: it follows segments this playlist never listed
  /// (another origin's, or this node's before a restart), so the boundary cannot be counted by a tag that
  /// slid out. `discontinuity_sequence` is then the number of those earlier segments, one below the first
  /// listed segment's (RFC 8216bis 4.4.3.3, 4.4.4.3).
  bool head_discontinuity = false;
  std::vector<playlist_segment> segments;  ///< oldest first; an in-progress one is last
  std::optional<std::string> preload_hint_uri;  ///< EXT-X-PRELOAD-HINT:TYPE=PART
  bool ended = false;               ///< EXT-X-ENDLIST
};

/// Renders `p` as M3U8 text.
std::string render_media_playlist(const media_playlist& p);

/// ISO 8601 UTC with milliseconds ("2024-05-01T12:00:00.123Z") for EXT-X-PROGRAM-DATE-TIME (4.4.4.6).
std::string format_program_date_time(std::int64_t unix_ms);

}  // namespace onair::media
