#pragma once
/// RFC 6381 codec strings for the CODECS attribute of EXT-X-STREAM-INF (RFC 8216bis 4.4.6.2).
#include <optional>
#include <string>

#include "media/frame.hpp"

namespace onair::media {

/// "avc1.PPCCLL" from avcC bytes 1..3 (profile, constraint flags, level); falls back to the config's
/// profile/constraints/level fields when the record is too short. Empty when nothing is known.
std::string avc_codec_string(const video_config& video);

/// "mp4a.40.N" with N the audio object type of the AudioSpecificConfig (ISO 14496-3 1.6.2.1), or
/// the config's object_type when the ASC is missing.
std::string aac_codec_string(const audio_config& audio);

/// The comma-separated CODECS value for a rendition ("avc1.64001f,mp4a.40.2").
std::string codecs_attribute(const std::optional<video_config>& video, const std::optional<audio_config>& audio);

/// Sample rate and channel count from an AudioSpecificConfig (ISO 14496-3 1.6.2.1), 0 where unknown.
struct asc_info {
  int object_type = 0;
  int sample_rate = 0;
  int channels = 0;
};
/// Parses the leading fields of an AudioSpecificConfig.
std::optional<asc_info> parse_audio_specific_config(const std::vector<std::uint8_t>& asc);

}  // namespace onair::media
