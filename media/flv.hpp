#pragma once
/// FLV tag bodies as carried in RTMP audio (type 8) and video (type 9) messages
/// (Adobe FLV spec 10.1, E.4.2 AUDIODATA / E.4.3 VIDEODATA). Sans-IO and allocation-free on frames:
/// a frame's data is a view into the message buffer.
#include <cstdint>
#include <system_error>
#include <variant>

#include "media/bytes.hpp"
#include "media/frame.hpp"

namespace onair::media::flv {

enum class errc {
  truncated = 1,        ///< body shorter than its headers
  unsupported_codec,    ///< not H.264 (CodecID 7) / not AAC (SoundFormat 10)
  bad_sequence_header,  ///< AVCDecoderConfigurationRecord or AudioSpecificConfig does not parse
};
const std::error_category& flv_category();
inline std::error_code make_error_code(errc e) { return {static_cast<int>(e), flv_category()}; }

/// Nothing to forward (e.g. AVC end-of-sequence, an empty body).
struct nothing {};
using video_item = std::variant<nothing, video_config, frame>;
using audio_item = std::variant<nothing, audio_config, frame>;

/// Parses a VIDEODATA body. `timestamp_ms` is the RTMP message timestamp (already extended).
video_item parse_video(const bytes_view& body, std::int64_t timestamp_ms, std::error_code& ec);
/// Parses an AUDIODATA body.
audio_item parse_audio(const bytes_view& body, std::int64_t timestamp_ms, std::error_code& ec);

}  // namespace onair::media::flv

template <>
struct std::is_error_code_enum<onair::media::flv::errc> : std::true_type {};
