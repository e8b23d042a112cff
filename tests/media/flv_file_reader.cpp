#include "flv_file_reader.hpp"

#include <fstream>
#include <iterator>
#include <variant>

#include "media/flv.hpp"

namespace onair::media::test {
namespace {

std::uint32_t be(const std::vector<std::uint8_t>& b, std::size_t pos, int n) {
  std::uint32_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | b[pos + i];
  return v;
}

}  // namespace

std::optional<flv_file_contents> read_flv_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  auto buf = make_shared_bytes(std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {}));
  const auto& b = *buf;
  // FLV header (Adobe FLV spec E.2): "FLV", version, flags, DataOffset (header size).
  if (b.size() < 13 || b[0] != 'F' || b[1] != 'L' || b[2] != 'V') return std::nullopt;
  std::size_t pos = be(b, 5, 4) + 4;  // + PreviousTagSize0
  flv_file_contents out;
  // FLVTAG (E.3): TagType, DataSize(24), Timestamp(24) + TimestampExtended(8) as the high byte,
  // StreamID(24), the body, then PreviousTagSize(32).
  while (pos + 11 <= b.size()) {
    const int type = b[pos] & 0x1f;
    const std::size_t size = be(b, pos + 1, 3);
    const std::int64_t ts = static_cast<std::int64_t>(be(b, pos + 4, 3) | (std::uint32_t{b[pos + 7]} << 24));
    const std::size_t body = pos + 11;
    if (body + size > b.size()) break;
    const bytes_view view{buf, body, size};
    std::error_code ec;
    if (type == 9) {
      auto item = flv::parse_video(view, ts, ec);
      if (auto* c = std::get_if<video_config>(&item); c && !out.video) out.video = *c;
      if (auto* f = std::get_if<frame>(&item)) out.frames.push_back(*f);
    } else if (type == 8) {
      auto item = flv::parse_audio(view, ts, ec);
      if (auto* c = std::get_if<audio_config>(&item); c && !out.audio) out.audio = *c;
      if (auto* f = std::get_if<frame>(&item)) out.frames.push_back(*f);
    }
    pos = body + size + 4;
  }
  return out;
}

}  // namespace onair::media::test
