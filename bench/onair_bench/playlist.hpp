#pragma once
/// HLS playlists as onair-bench's viewers need them (RFC 8216bis): the variants of a multivariant
/// playlist, and the segments, parts and server control of a media playlist.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace onair::bench {

/// One EXT-X-STREAM-INF entry (RFC 8216bis 4.4.6.2).
struct variant_stream {
  std::int64_t bandwidth = 0;
  std::string resolution;  ///< "" when absent (audio-only renditions)
  std::string codecs;
  std::string uri;
};

/// One EXT-X-PART (RFC 8216bis 4.4.4.9).
struct hls_part {
  double duration_s = 0;
  std::string uri;
  bool independent = false;
  double offset_s = 0;  ///< start of the part inside its parent segment (sum of the earlier parts)
};

/// One media segment, or the in-progress segment after the last URI line (uri empty, parts only).
struct hls_segment {
  std::int64_t msn = 0;                 ///< media sequence number (RFC 8216bis 4.4.3.2, + skipped ones)
  double duration_s = 0;                ///< EXTINF; 0 for the in-progress segment
  std::string uri;                      ///< "" while the segment is still being produced
  std::optional<std::int64_t> pdt_ms;   ///< EXT-X-PROGRAM-DATE-TIME, explicit or carried forward
  bool discontinuity = false;
  std::vector<hls_part> parts;
};

/// EXT-X-PRELOAD-HINT (RFC 8216bis 4.4.5.3).
struct preload_hint {
  std::string type;  ///< PART or MAP
  std::string uri;
};

/// A parsed playlist; `is_multivariant` says which half is filled.
struct playlist {
  bool is_multivariant = false;
  std::vector<variant_stream> variants;

  std::int64_t target_duration_s = 0;
  double part_target_s = 0;             ///< EXT-X-PART-INF PART-TARGET (0: not low-latency)
  std::int64_t media_sequence = 0;
  bool can_block_reload = false;        ///< EXT-X-SERVER-CONTROL CAN-BLOCK-RELOAD=YES
  double part_hold_back_s = 0;
  std::int64_t skipped_segments = 0;    ///< EXT-X-SKIP (delta update, 4.4.5.2)
  bool endlist = false;
  std::string map_uri;                  ///< EXT-X-MAP URI of the last map seen
  std::vector<hls_segment> segments;    ///< in order; the last one may be in progress
  std::optional<preload_hint> hint;

  /// The (msn, part index) of the last listed part, if any part is listed.
  std::optional<std::pair<std::int64_t, std::size_t>> last_part() const;
};

}  // namespace onair::bench
