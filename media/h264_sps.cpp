#include "media/h264_sps.hpp"

#include <vector>

namespace onair::media {
namespace {

/// Exp-Golomb bit reader over an RBSP; reading past the end sets `failed` instead of throwing.
class bit_reader {
 public:
  explicit bit_reader(std::vector<std::uint8_t> rbsp) : data_(std::move(rbsp)) {}
  bool failed() const { return failed_; }
  std::uint32_t bit() {
    if (pos_ >= data_.size() * 8) {
      failed_ = true;
      return 0;
    }
    std::uint32_t b = (data_[pos_ / 8] >> (7 - pos_ % 8)) & 1u;
    ++pos_;
    return b;
  }
  std::uint32_t bits(int n) {
    std::uint32_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 1) | bit();
    return v;
  }
  /// ue(v), H.264 9.1; limited to 31 leading zeros so garbage cannot loop forever.
  std::uint32_t ue() {
    int zeros = 0;
    while (bit() == 0) {
      if (failed_ || ++zeros > 31) {
        failed_ = true;
        return 0;
      }
    }
    return zeros == 0 ? 0 : ((1u << zeros) - 1 + bits(zeros));
  }
  std::int32_t se() {
    std::uint32_t k = ue();
    return (k & 1) ? static_cast<std::int32_t>((k + 1) / 2) : -static_cast<std::int32_t>(k / 2);
  }

 private:
  std::vector<std::uint8_t> data_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

/// Removes emulation prevention bytes (00 00 03 -> 00 00), H.264 7.4.1.
std::vector<std::uint8_t> to_rbsp(std::span<const std::uint8_t> nal) {
  std::vector<std::uint8_t> out;
  out.reserve(nal.size());
  int zeros = 0;
  for (std::uint8_t b : nal) {
    if (zeros >= 2 && b == 3) {
      zeros = 0;
      continue;
    }
    zeros = b == 0 ? zeros + 1 : 0;
    out.push_back(b);
  }
  return out;
}

void skip_scaling_list(bit_reader& r, int size) {
  int last = 8, next = 8;
  for (int j = 0; j < size && !r.failed(); ++j) {
    if (next != 0) next = (last + r.se() + 256) % 256;
    last = next == 0 ? last : next;
  }
}

}  // namespace

std::optional<h264_sps_info> parse_h264_sps(std::span<const std::uint8_t> nal) {
  if (nal.size() < 4 || (nal[0] & 0x1f) != 7) return std::nullopt;
  bit_reader r(to_rbsp(nal.subspan(1)));
  h264_sps_info info;
  info.profile = static_cast<int>(r.bits(8));
  info.constraints = static_cast<int>(r.bits(8));
  info.level = static_cast<int>(r.bits(8));
  r.ue();  // seq_parameter_set_id
  std::uint32_t chroma_format_idc = 1;
  switch (info.profile) {
    case 100: case 110: case 122: case 244: case 44: case 83: case 86: case 118: case 128: case 138:
    case 139: case 134: case 135: {
      chroma_format_idc = r.ue();
      if (chroma_format_idc == 3) r.bit();  // separate_colour_plane_flag
      r.ue();                               // bit_depth_luma_minus8
      r.ue();                               // bit_depth_chroma_minus8
      r.bit();                              // qpprime_y_zero_transform_bypass_flag
      if (r.bit()) {                        // seq_scaling_matrix_present_flag
        for (int i = 0; i < (chroma_format_idc != 3 ? 8 : 12); ++i)
          if (r.bit()) skip_scaling_list(r, i < 6 ? 16 : 64);
      }
      break;
    }
    default: break;
  }
  r.ue();  // log2_max_frame_num_minus4
  std::uint32_t poc_type = r.ue();
  if (poc_type == 0) {
    r.ue();
  } else if (poc_type == 1) {
    r.bit();
    r.se();
    r.se();
    std::uint32_t n = r.ue();
    if (n > 255) return std::nullopt;
    for (std::uint32_t i = 0; i < n; ++i) r.se();
  }
  r.ue();   // max_num_ref_frames
  r.bit();  // gaps_in_frame_num_value_allowed_flag
  std::uint32_t w_mbs = r.ue() + 1;
  std::uint32_t h_units = r.ue() + 1;
  std::uint32_t frame_mbs_only = r.bit();
  if (!frame_mbs_only) r.bit();  // mb_adaptive_frame_field_flag
  r.bit();                       // direct_8x8_inference_flag
  std::uint32_t crop_l = 0, crop_r = 0, crop_t = 0, crop_b = 0;
  if (r.bit()) {
    crop_l = r.ue();
    crop_r = r.ue();
    crop_t = r.ue();
    crop_b = r.ue();
  }
  if (r.failed() || w_mbs > 1024 || h_units > 1024) return std::nullopt;
  // Crop units, H.264 7.4.2.1.1 (CropUnitX/Y).
  std::uint32_t sub_w = chroma_format_idc == 1 || chroma_format_idc == 2 ? 2 : 1;
  std::uint32_t sub_h = chroma_format_idc == 1 ? 2 : 1;
  std::uint32_t unit_x = chroma_format_idc == 0 ? 1 : sub_w;
  std::uint32_t unit_y = (chroma_format_idc == 0 ? 1 : sub_h) * (2 - frame_mbs_only);
  long w = static_cast<long>(w_mbs * 16) - static_cast<long>(unit_x * (crop_l + crop_r));
  long h = static_cast<long>((2 - frame_mbs_only) * h_units * 16) - static_cast<long>(unit_y * (crop_t + crop_b));
  if (w <= 0 || h <= 0) return std::nullopt;
  info.width = static_cast<int>(w);
  info.height = static_cast<int>(h);
  return info;
}

std::optional<h264_sps_info> parse_avcc_sps(std::span<const std::uint8_t> avcc) {
  // configurationVersion, profile, compat, level, lengthSizeMinusOne, numOfSequenceParameterSets.
  if (avcc.size() < 8 || avcc[0] != 1 || (avcc[5] & 0x1f) == 0) return std::nullopt;
  std::size_t len = (static_cast<std::size_t>(avcc[6]) << 8) | avcc[7];
  if (8 + len > avcc.size()) return std::nullopt;
  return parse_h264_sps(avcc.subspan(8, len));
}

}  // namespace onair::media
