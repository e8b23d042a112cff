#pragma once
/// In-memory fragmented MP4 (CMAF) muxer on libavformat's mp4 muxer (DESIGN.md section 4).
/// One muxer per init segment: header once, then samples, then one moof+mdat per flush (one LL-HLS part).
/// FFmpeg stays behind the pimpl: this header is included by code that never sees libav headers.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

#include "media/frame.hpp"

namespace onair::media {

/// One media sample in the muxer's per-track timescale (see cmaf_muxer::timescale).
struct cmaf_sample {
  std::int64_t dts = 0;       ///< decode time
  std::int64_t pts = 0;       ///< presentation time (>= dts)
  std::int64_t duration = 0;  ///< exact duration (the next sample's dts minus this dts)
  bool keyframe = false;      ///< sync sample
  std::span<const std::uint8_t> data;  ///< AVCC length-prefixed NAL units or one raw AAC frame
};

class cmaf_muxer {
 public:
  /// Creates a muxer for one video (H.264) and/or one audio (AAC) track and writes the init segment
  /// (ftyp+moov). Returns nullptr with `ec` set when neither track is usable or libavformat refuses.
  static std::unique_ptr<cmaf_muxer> create(const std::optional<video_config>& video,
                                            const std::optional<audio_config>& audio, std::error_code& ec);
  ~cmaf_muxer();
  cmaf_muxer(const cmaf_muxer&) = delete;
  cmaf_muxer& operator=(const cmaf_muxer&) = delete;

  /// The init segment (ftyp + moov with empty sample tables, ISO 23000-19 7.3.1).
  const std::vector<std::uint8_t>& init_segment() const;
  /// True when the muxer has a track of this kind.
  bool has_track(track_kind kind) const;
  /// Ticks per second of a track: 90000 for video, the sample rate for audio.
  int timescale(track_kind kind) const;

  /// Adds a sample to the open fragment. Timestamps must increase per track.
  std::error_code write(track_kind kind, const cmaf_sample& sample);
  /// Closes the open fragment and returns its bytes (moof+mdat); empty when no sample was written.
  std::vector<std::uint8_t> flush_fragment(std::error_code& ec);

  struct impl;

 private:
  explicit cmaf_muxer(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace onair::media
