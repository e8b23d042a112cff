#pragma once
/// Minimal H.264 sequence parameter set reader: just what HLS needs (dimensions, profile, level).
#include <cstdint>
#include <optional>
#include <span>

namespace onair::media {

/// Fields of an SPS (ITU-T H.264 7.3.2.1.1) that the packager and the master playlist use.
struct h264_sps_info {
  int profile = 0;      ///< profile_idc
  int constraints = 0;  ///< constraint_set flags byte
  int level = 0;        ///< level_idc
  int width = 0;        ///< luma width after cropping
  int height = 0;       ///< luma height after cropping
};

/// Parses one SPS NAL unit (header byte included, emulation prevention bytes allowed).
std::optional<h264_sps_info> parse_h264_sps(std::span<const std::uint8_t> nal);

/// Parses the first SPS inside an AVCDecoderConfigurationRecord (ISO 14496-15 5.2.4.1).
std::optional<h264_sps_info> parse_avcc_sps(std::span<const std::uint8_t> avcc);

}  // namespace onair::media
