// Fuzz target: FLV VIDEODATA/AUDIODATA bodies (media/flv.hpp) and the SPS parser behind them.
#include <cstddef>
#include <cstdint>
#include <variant>
#include <vector>

#include "media/flv.hpp"
#include "media/h264_sps.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onair::media;
  auto owner = make_shared_bytes(std::vector<std::uint8_t>(data, data + size));
  const bytes_view body{owner, 0, owner->size()};
  auto check = [&](const frame& f) {
    if (f.data.offset + f.data.size > owner->size()) __builtin_trap();  // the view stays in bounds
  };
  std::error_code ec;
  auto v = flv::parse_video(body, 0, ec);
  if (auto* f = std::get_if<frame>(&v)) check(*f);
  auto a = flv::parse_audio(body, 0, ec);
  if (auto* f = std::get_if<frame>(&a)) check(*f);
  if (size > 0) {  // also as a bare SPS, and inside an AVC sequence header
    (void)parse_h264_sps(std::span<const std::uint8_t>(data, size));
    std::vector<std::uint8_t> seq = {0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1,
                                     static_cast<std::uint8_t>(size >> 8), static_cast<std::uint8_t>(size)};
    seq.insert(seq.end(), data, data + size);
    seq.insert(seq.end(), {0x01, 0x00, 0x00});
    auto seq_owner = make_shared_bytes(std::move(seq));
    (void)flv::parse_video(bytes_view{seq_owner, 0, seq_owner->size()}, 0, ec);
  }
  return 0;
}
