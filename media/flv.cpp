#include "media/flv.hpp"

#include <string>

#include "media/h264_sps.hpp"

namespace onair::media::flv {

namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "onair.flv"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::truncated: return "FLV tag body truncated";
      case errc::unsupported_codec: return "unsupported codec (only H.264 and AAC)";
      case errc::bad_sequence_header: return "malformed AVC or AAC sequence header";
    }
    return "unknown FLV error";
  }
};

/// Parses an AVCDecoderConfigurationRecord (ISO 14496-15 5.2.4.1.1) and its first SPS.
bool parse_avcc(std::span<const std::uint8_t> rec, video_config& cfg) {
  // configurationVersion(8)=1, AVCProfileIndication(8), profile_compatibility(8), AVCLevelIndication(8),
  // reserved(6) lengthSizeMinusOne(2), reserved(3) numOfSequenceParameterSets(5), then per SPS a
  // 16-bit length and the NAL unit.
  if (rec.size() < 7 || rec[0] != 1) return false;
  cfg.profile = rec[1];
  cfg.constraints = rec[2];
  cfg.level = rec[3];
  const std::size_t num_sps = rec[5] & 0x1f;
  std::size_t pos = 6;
  for (std::size_t i = 0; i < num_sps; ++i) {
    if (pos + 2 > rec.size()) return false;
    const std::size_t len = (std::size_t{rec[pos]} << 8) | rec[pos + 1];
    pos += 2;
    if (pos + len > rec.size()) return false;
    if (i == 0) {
      if (const auto sps = parse_h264_sps(rec.subspan(pos, len))) {
        cfg.width = sps->width;
        cfg.height = sps->height;
      }
    }
    pos += len;
  }
  // numOfPictureParameterSets(8) must follow; the High-profile tail after it is optional in practice.
  return pos < rec.size();
}

/// Parses an AudioSpecificConfig (ISO 14496-3 1.6.2.1).
bool parse_asc(std::span<const std::uint8_t> asc, audio_config& cfg) {
  static constexpr int rates[] = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                  22050, 16000, 12000, 11025, 8000,  7350};
  std::size_t bitpos = 0;
  bool failed = false;
  auto bits = [&](int n) {
    std::uint32_t v = 0;
    for (int i = 0; i < n; ++i) {
      if (bitpos >= asc.size() * 8) {
        failed = true;
        return 0u;
      }
      v = (v << 1) | ((asc[bitpos / 8] >> (7 - bitpos % 8)) & 1u);
      ++bitpos;
    }
    return v;
  };
  std::uint32_t aot = bits(5);
  if (aot == 31) aot = 32 + bits(6);  // audioObjectTypeExt (1.6.2.1 GetAudioObjectType)
  const std::uint32_t freq_index = bits(4);
  int rate = 0;
  if (freq_index == 15)
    rate = static_cast<int>(bits(24));  // explicit samplingFrequency
  else if (freq_index < 13)
    rate = rates[freq_index];
  const std::uint32_t channel_config = bits(4);
  if (failed || aot == 0 || rate == 0) return false;
  cfg.object_type = static_cast<int>(aot);
  cfg.sample_rate = rate;
  // channelConfiguration 7 means 7.1 (8 channels); 0 means a program_config_element follows.
  cfg.channels = channel_config == 7 ? 8 : static_cast<int>(channel_config);
  return true;
}

}  // namespace

const std::error_category& flv_category() {
  static const category c;
  return c;
}

video_item parse_video(const bytes_view& body, std::int64_t timestamp_ms, std::error_code& ec) {
  ec.clear();
  const auto b = body.span();
  if (b.empty()) return nothing{};
  // FLV spec E.4.3.1 VIDEODATA: FrameType(UB4) CodecID(UB4).
  const int frame_type = (b[0] >> 4) & 0x0f;
  const int codec_id = b[0] & 0x0f;
  // Enhanced RTMP sets the high bit of FrameType (IsExHeader) for HEVC/AV1/VP9: not supported yet.
  if ((b[0] & 0x80) != 0 || codec_id != 7) {
    ec = errc::unsupported_codec;
    return nothing{};
  }
  if (frame_type == 5) return nothing{};  // video info/command frame: no media
  // AVCVIDEOPACKET: AVCPacketType(UI8), CompositionTime(SI24).
  if (b.size() < 5) {
    ec = errc::truncated;
    return nothing{};
  }
  const int packet_type = b[1];
  std::int32_t cts = (std::int32_t{b[2]} << 16) | (std::int32_t{b[3]} << 8) | b[4];
  if (cts & 0x800000) cts -= 0x1000000;  // sign-extend SI24
  switch (packet_type) {
    case 0: {  // AVC sequence header
      video_config cfg;
      cfg.avcc.assign(b.begin() + 5, b.end());
      if (!parse_avcc(cfg.avcc, cfg)) {
        ec = errc::bad_sequence_header;
        return nothing{};
      }
      return cfg;
    }
    case 1: {  // AVC NALU
      if (b.size() == 5) return nothing{};
      frame f;
      f.kind = track_kind::video;
      f.dts_ms = timestamp_ms;
      f.cts_ms = cts;
      f.keyframe = frame_type == 1;
      f.data = bytes_view{body.owner, body.offset + 5, body.size - 5};
      return f;
    }
    default:  // 2 = AVC end of sequence
      return nothing{};
  }
}

audio_item parse_audio(const bytes_view& body, std::int64_t timestamp_ms, std::error_code& ec) {
  ec.clear();
  const auto b = body.span();
  if (b.empty()) return nothing{};
  // FLV spec E.4.2.1 AUDIODATA: SoundFormat(UB4) SoundRate(UB2) SoundSize(UB1) SoundType(UB1).
  if (((b[0] >> 4) & 0x0f) != 10) {
    ec = errc::unsupported_codec;
    return nothing{};
  }
  if (b.size() < 2) {
    ec = errc::truncated;
    return nothing{};
  }
  // AACAUDIODATA: AACPacketType(UI8): 0 = AudioSpecificConfig, 1 = raw frame.
  if (b[1] == 0) {
    audio_config cfg;
    cfg.asc.assign(b.begin() + 2, b.end());
    if (!parse_asc(cfg.asc, cfg)) {
      ec = errc::bad_sequence_header;
      return nothing{};
    }
    return cfg;
  }
  if (b[1] != 1 || b.size() == 2) return nothing{};
  frame f;
  f.kind = track_kind::audio;
  f.dts_ms = timestamp_ms;
  f.keyframe = true;
  f.data = bytes_view{body.owner, body.offset + 2, body.size - 2};
  return f;
}

}  // namespace onair::media::flv
