#pragma once
/// Immutable HLS state of one rendition, published by a packager and read by HTTP threads without any
/// actor round trip (DESIGN.md section 4). A new snapshot replaces the old one whole on every update.
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "media/bytes.hpp"

namespace onair::media {

struct rendition_snapshot {
  std::string name;             ///< rendition name in URLs: "source", "720p", "audio"...
  std::string playlist;         ///< the rendered media playlist (RFC 8216bis 4.4), served as-is
  std::uint64_t first_msn = 0;  ///< EXT-X-MEDIA-SEQUENCE: oldest segment in the window
  std::uint64_t next_msn = 0;   ///< media sequence number of the segment being built now
  std::uint32_t next_part = 0;  ///< parts of segment next_msn already listed (the next part's index)
  double target_duration_s = 2; ///< EXT-X-TARGETDURATION (an integer in the playlist)
  double part_target_s = 0.333; ///< EXT-X-PART-INF PART-TARGET
  bool audio_only = false;      ///< Content-Type audio/mp4 rather than video/mp4
  bool ended = false;           ///< EXT-X-ENDLIST written: no more parts will come
  /// Every fetchable resource by file name relative to the playlist: "init3.mp4", "seg12.m4s",
  /// "part12.3.m4s". Buffers are shared with older snapshots and with in-flight responses. Once a
  /// segment is complete its parts are views into the segment's buffer, so the window holds the media
  /// once, not twice (docs/benchmarks.md, memory per stream).
  std::map<std::string, bytes_view, std::less<>> files;

  /// True when the playlist lists segment `msn` complete, or (part >= 0) its part `part`
  /// (RFC 8216bis 6.2.5.2: the condition a blocking playlist reload waits for).
  bool has(std::uint64_t msn, std::int64_t part) const {
    if (msn < next_msn) return true;
    return msn == next_msn && part >= 0 && static_cast<std::uint64_t>(part) < next_part;
  }
};

using rendition_snapshot_ptr = std::shared_ptr<const rendition_snapshot>;

}  // namespace onair::media
