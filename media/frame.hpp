#pragma once
/// Codec-level units that flow from ingest to packagers: track configurations and frames.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "media/bytes.hpp"

namespace onair::media {

enum class track_kind : std::uint8_t { video, audio };

/// H.264 decoder configuration, from the FLV AVC sequence header (ISO 14496-15 5.2.4.1).
struct video_config {
  std::vector<std::uint8_t> avcc;  ///< AVCDecoderConfigurationRecord as sent by the encoder
  int width = 0;                   ///< from the SPS (0 if unknown)
  int height = 0;
  int profile = 0;                 ///< profile_idc, constraint flags, level_idc: for CODECS="avc1.PPCCLL"
  int constraints = 0;
  int level = 0;
  double frame_rate = 0;           ///< from onMetaData framerate when present, else 0
  bool operator==(const video_config&) const = default;
};

/// AAC configuration, from the FLV AAC sequence header (ISO 14496-3 1.6.2.1 AudioSpecificConfig).
struct audio_config {
  std::vector<std::uint8_t> asc;   ///< AudioSpecificConfig
  int object_type = 2;             ///< 2 = AAC LC; for CODECS="mp4a.40.N"
  int sample_rate = 0;
  int channels = 0;
  bool operator==(const audio_config&) const = default;
};

/// One compressed frame. Timestamps are in milliseconds (the RTMP/FLV time base).
struct frame {
  track_kind kind = track_kind::video;
  std::int64_t dts_ms = 0;        ///< decode timestamp, already unwrapped and extended to 64 bits
  std::int32_t cts_ms = 0;        ///< composition offset (pts = dts + cts), H.264 only
  bool keyframe = false;          ///< IDR for video; always true for AAC
  bytes_view data;                ///< AVCC length-prefixed NAL units (video) or a raw AAC frame (audio)
};

/// Stream-level metadata from @setDataFrame/onMetaData (informational: configs win over it).
struct stream_metadata {
  int width = 0;
  int height = 0;
  double frame_rate = 0;
  double video_kbps = 0;
  double audio_kbps = 0;
  std::string encoder;
};

}  // namespace onair::media
