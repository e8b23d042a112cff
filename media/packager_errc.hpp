#pragma once
/// Error codes of the HLS packager and its CMAF muxer (errors are values: DESIGN.md section 8).
#include <system_error>

namespace onair::media {

/// Why the packager refused a call or dropped a frame.
enum class packager_errc {
  ok = 0,
  not_started = 1,          ///< push() before begin()
  no_config,                ///< a frame of a track the session has no configuration for
  invalid_config,           ///< avcC / AudioSpecificConfig unusable (e.g. no SPS, unknown dimensions)
  non_monotonic_timestamp,  ///< DTS not increasing within a track: the frame was dropped
  empty_frame,              ///< a frame without payload: dropped
  queue_full,               ///< bounded audio queue overflowed (video stalled): oldest audio dropped
  muxer_failed,             ///< libavformat refused a header, packet or fragment flush
};

/// The category of packager_errc ("onair.media.packager").
const std::error_category& packager_category() noexcept;

/// Makes packager_errc usable as std::error_code.
inline std::error_code make_error_code(packager_errc e) noexcept {
  return {static_cast<int>(e), packager_category()};
}

}  // namespace onair::media

template <>
struct std::is_error_code_enum<onair::media::packager_errc> : std::true_type {};
