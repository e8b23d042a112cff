#include "transcode_test_util.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

extern "C" {
#include <libavcodec/avcodec.h>
}

namespace onair::media::test {
namespace {

struct decoder {
  AVCodecContext* ctx = nullptr;
  AVPacket* pkt = av_packet_alloc();
  AVFrame* frm = av_frame_alloc();
  ~decoder() {
    avcodec_free_context(&ctx);
    av_packet_free(&pkt);
    av_frame_free(&frm);
  }
  bool open(AVCodecID id, const std::vector<std::uint8_t>& extradata) {
    const AVCodec* codec = avcodec_find_decoder(id);
    ctx = avcodec_alloc_context3(codec);
    if (!extradata.empty()) {
      ctx->extradata = static_cast<std::uint8_t*>(av_mallocz(extradata.size() + AV_INPUT_BUFFER_PADDING_SIZE));
      std::memcpy(ctx->extradata, extradata.data(), extradata.size());
      ctx->extradata_size = static_cast<int>(extradata.size());
    }
    ctx->thread_count = 1;
    return avcodec_open2(ctx, codec, nullptr) >= 0;
  }
  /// Sends one packet (or nullptr to drain); returns the send result.
  int send(const std::uint8_t* data, std::size_t size, std::int64_t pts) {
    if (!data) return avcodec_send_packet(ctx, nullptr);
    av_packet_unref(pkt);
    if (av_new_packet(pkt, static_cast<int>(size)) < 0) return -1;
    std::memcpy(pkt->data, data, size);
    pkt->pts = pts;
    pkt->dts = pts;
    return avcodec_send_packet(ctx, pkt);
  }
};

}  // namespace

std::vector<decoded_picture> decode_h264(const video_config& config, const std::vector<frame>& frames) {
  std::vector<decoded_picture> out;
  decoder d;
  if (!d.open(AV_CODEC_ID_H264, config.avcc)) {
    ADD_FAILURE() << "cannot open the H.264 decoder on the avcC";
    return out;
  }
  auto drain = [&] {
    while (avcodec_receive_frame(d.ctx, d.frm) == 0) {
      out.push_back({d.frm->pts, d.frm->width, d.frm->height});
      EXPECT_FALSE(d.frm->decode_error_flags) << "pts " << d.frm->pts;
      av_frame_unref(d.frm);
    }
  };
  for (const auto& f : frames) {
    const auto s = f.data.span();
    EXPECT_GE(d.send(s.data(), s.size(), f.dts_ms + f.cts_ms), 0) << "dts " << f.dts_ms;
    drain();
  }
  d.send(nullptr, 0, 0);
  drain();
  return out;
}

decoded_audio decode_aac(const audio_config& config, const std::vector<frame>& frames) {
  decoded_audio out;
  decoder d;
  if (!d.open(AV_CODEC_ID_AAC, config.asc)) {
    ADD_FAILURE() << "cannot open the AAC decoder on the AudioSpecificConfig";
    return out;
  }
  for (const auto& f : frames) {
    const auto s = f.data.span();
    if (d.send(s.data(), s.size(), f.dts_ms) < 0) ++out.errors;
    ++out.packets;
    while (avcodec_receive_frame(d.ctx, d.frm) == 0) {
      out.samples += d.frm->nb_samples;
      out.sample_rate = d.frm->sample_rate;
      out.channels = d.frm->ch_layout.nb_channels;
      av_frame_unref(d.frm);
    }
  }
  return out;
}

std::optional<std::pair<int, int>> decode_jpeg(const std::vector<std::uint8_t>& jpeg) {
  decoder d;
  if (!d.open(AV_CODEC_ID_MJPEG, {}) || d.send(jpeg.data(), jpeg.size(), 0) < 0) return std::nullopt;
  d.send(nullptr, 0, 0);
  if (avcodec_receive_frame(d.ctx, d.frm) < 0) return std::nullopt;
  return std::pair{d.frm->width, d.frm->height};
}

bool has_idr_slice(const frame& f) {
  const auto s = f.data.span();
  for (std::size_t pos = 0; pos + 4 < s.size();) {
    const std::size_t len = (std::size_t{s[pos]} << 24) | (s[pos + 1] << 16) | (s[pos + 2] << 8) | s[pos + 3];
    if ((s[pos + 4] & 0x1f) == 5) return true;
    pos += 4 + len;
  }
  return false;
}

std::vector<frame> frames_of(const std::vector<rung_frame>& out, const std::string& rendition) {
  std::vector<frame> v;
  for (const auto& r : out)
    if (r.rendition == rendition) v.push_back(r.f);
  return v;
}

std::string make_temp_dir() {
  const char* base = std::getenv("ONAIR_TEST_TMP");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/onair-transcode-XXXXXX";
  std::filesystem::create_directories(std::filesystem::path(tmpl).parent_path());
  if (!mkdtemp(tmpl.data())) return {};
  return tmpl;
}

bool run(const std::string& command) { return std::system(command.c_str()) == 0; }

}  // namespace onair::media::test
