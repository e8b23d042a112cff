#pragma once
/// H.264 byte-stream framing: Annex B start codes (what libx264 writes) to the length-prefixed AVCC form
/// and AVCDecoderConfigurationRecord that FLV, fMP4 and the rest of media/ carry (ISO 14496-15).
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace onair::media {

/// The NAL units of an Annex B byte stream (ITU-T H.264 B.1.1), start codes and trailing zero bytes removed.
std::vector<std::span<const std::uint8_t>> split_annexb(std::span<const std::uint8_t> stream);

/// Rewrites an Annex B access unit as AVCC samples with 4-byte NAL lengths (ISO 14496-15 5.3.4.2,
/// lengthSizeMinusOne = 3 as in the records below).
std::vector<std::uint8_t> annexb_to_avcc(std::span<const std::uint8_t> stream);

/// An AVCDecoderConfigurationRecord (ISO 14496-15 5.3.3.1) from Annex B parameter sets (libavcodec's
/// extradata for libx264 with global headers). Writes the High-profile extension for 8-bit 4:2:0, the
/// only format the transcoder encodes. Empty when no SPS or PPS is present.
std::optional<std::vector<std::uint8_t>> avcc_record_from_annexb(std::span<const std::uint8_t> parameter_sets);

/// lengthSizeMinusOne + 1 from an AVCDecoderConfigurationRecord (1, 2 or 4), 0 if the record is too short.
int avcc_length_size(std::span<const std::uint8_t> record);

/// True when `sample` is a whole number of non-empty length-prefixed NAL units (ISO 14496-15 5.3.4.2):
/// a cheap check that catches truncated or garbled frames before they reach the decoder.
bool avcc_framing_ok(std::span<const std::uint8_t> sample, int length_size);

}  // namespace onair::media
