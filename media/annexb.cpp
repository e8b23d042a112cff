#include "media/annexb.hpp"

namespace onair::media {

std::vector<std::span<const std::uint8_t>> split_annexb(std::span<const std::uint8_t> in) {
  std::vector<std::span<const std::uint8_t>> nals;
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::size_t start = none;
  auto flush = [&](std::size_t end) {
    if (start == none) return;
    // trailing_zero_8bits (B.1.1) and the leading zero of a 4-byte start code belong to no NAL unit.
    while (end > start && in[end - 1] == 0) --end;
    if (end > start) nals.push_back(in.subspan(start, end - start));
  };
  std::size_t i = 0;
  while (i + 3 <= in.size()) {
    if (in[i] == 0 && in[i + 1] == 0 && in[i + 2] == 1) {
      flush(i);
      i += 3;
      start = i;
    } else {
      ++i;
    }
  }
  flush(in.size());
  return nals;
}

namespace {

void put_be(std::vector<std::uint8_t>& out, std::size_t v, int bytes) {
  for (int b = bytes - 1; b >= 0; --b) out.push_back(static_cast<std::uint8_t>(v >> (8 * b)));
}

}  // namespace

std::vector<std::uint8_t> annexb_to_avcc(std::span<const std::uint8_t> stream) {
  std::vector<std::uint8_t> out;
  out.reserve(stream.size() + 16);
  for (auto nal : split_annexb(stream)) {
    put_be(out, nal.size(), 4);
    out.insert(out.end(), nal.begin(), nal.end());
  }
  return out;
}

std::optional<std::vector<std::uint8_t>> avcc_record_from_annexb(std::span<const std::uint8_t> parameter_sets) {
  std::vector<std::span<const std::uint8_t>> sps, pps;
  for (auto nal : split_annexb(parameter_sets)) {
    const int type = nal[0] & 0x1f;
    if (type == 7 && nal.size() >= 4) sps.push_back(nal);
    if (type == 8) pps.push_back(nal);
  }
  if (sps.empty() || pps.empty() || sps.size() > 31 || pps.size() > 255) return std::nullopt;
  // configurationVersion 1, AVCProfileIndication / profile_compatibility / AVCLevelIndication copied from
  // the SPS, 6 reserved bits + lengthSizeMinusOne 3, 3 reserved bits + numOfSequenceParameterSets.
  std::vector<std::uint8_t> r = {1, sps[0][1], sps[0][2], sps[0][3], 0xff,
                                 static_cast<std::uint8_t>(0xe0 | sps.size())};
  for (auto s : sps) {
    put_be(r, s.size(), 2);
    r.insert(r.end(), s.begin(), s.end());
  }
  r.push_back(static_cast<std::uint8_t>(pps.size()));
  for (auto p : pps) {
    put_be(r, p.size(), 2);
    r.insert(r.end(), p.begin(), p.end());
  }
  // ISO 14496-15 5.3.3.1.2: profiles 100/110/122/144 carry chroma_format and bit depths. The encoders
  // here always get 8-bit yuv420p: chroma_format 1, bit_depth_*_minus8 0, no SPS extensions.
  switch (sps[0][1]) {
    case 100: case 110: case 122: case 144:
      r.insert(r.end(), {0xfd, 0xf8, 0xf8, 0x00});
      break;
    default: break;
  }
  return r;
}

int avcc_length_size(std::span<const std::uint8_t> record) {
  if (record.size() < 5) return 0;
  const int n = (record[4] & 0x03) + 1;
  return n == 3 ? 0 : n;  // 3-byte lengths are not allowed (ISO 14496-15 5.3.3.1.2)
}

bool avcc_framing_ok(std::span<const std::uint8_t> sample, int length_size) {
  if (length_size <= 0 || sample.empty()) return false;
  std::size_t pos = 0;
  while (pos < sample.size()) {
    if (sample.size() - pos < static_cast<std::size_t>(length_size)) return false;
    std::size_t len = 0;
    for (int i = 0; i < length_size; ++i) len = (len << 8) | sample[pos + i];
    pos += length_size;
    if (len == 0 || len > sample.size() - pos) return false;
    pos += len;
  }
  return true;
}

}  // namespace onair::media
