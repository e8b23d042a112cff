#include "media/codec_string.hpp"

#include <fmt/format.h>

namespace onair::media {

std::string avc_codec_string(const video_config& video) {
  // ISO 14496-15 5.2.4.1: AVCProfileIndication, profile_compatibility, AVCLevelIndication.
  if (video.avcc.size() >= 4 && video.avcc[0] == 1)
    return fmt::format("avc1.{:02x}{:02x}{:02x}", video.avcc[1], video.avcc[2], video.avcc[3]);
  if (video.profile == 0) return {};
  return fmt::format("avc1.{:02x}{:02x}{:02x}", video.profile & 0xff, video.constraints & 0xff, video.level & 0xff);
}

std::optional<asc_info> parse_audio_specific_config(const std::vector<std::uint8_t>& asc) {
  static constexpr int rates[] = {96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050,
                                  16000, 12000, 11025, 8000,  7350};
  if (asc.size() < 2) return std::nullopt;
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < 8; ++i) bits = (bits << 8) | (i < asc.size() ? asc[i] : 0);
  int pos = 0;
  auto take = [&](int n) {
    int v = static_cast<int>((bits >> (64 - pos - n)) & ((1u << n) - 1));
    pos += n;
    return v;
  };
  asc_info info;
  info.object_type = take(5);
  if (info.object_type == 31) info.object_type = 32 + take(6);  // audioObjectTypeExt
  int freq_index = take(4);
  if (freq_index == 15) {
    if (asc.size() < 5) return std::nullopt;
    info.sample_rate = take(24);
  } else if (freq_index < 13) {
    info.sample_rate = rates[freq_index];
  }
  int channel_config = take(4);
  info.channels = channel_config == 7 ? 8 : channel_config;
  return info;
}

std::string aac_codec_string(const audio_config& audio) {
  int aot = audio.object_type;
  if (auto info = parse_audio_specific_config(audio.asc); info && info->object_type > 0) aot = info->object_type;
  return fmt::format("mp4a.40.{}", aot > 0 ? aot : 2);
}

std::string codecs_attribute(const std::optional<video_config>& video, const std::optional<audio_config>& audio) {
  std::string out;
  if (video) out = avc_codec_string(*video);
  if (audio) {
    if (!out.empty()) out += ',';
    out += aac_codec_string(*audio);
  }
  return out;
}

}  // namespace onair::media
