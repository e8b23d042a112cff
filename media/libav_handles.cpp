#include "media/libav_handles.hpp"

#include <cstring>

extern "C" {
#include <libavutil/mathematics.h>
#include <libavutil/mem.h>
}

#include "media/h264_sps.hpp"
#include "media/transcoder.hpp"

namespace onair::media::av {

bool set_extradata(AVCodecContext* ctx, std::span<const std::uint8_t> bytes) {
  ctx->extradata = static_cast<std::uint8_t*>(av_mallocz(bytes.size() + AV_INPUT_BUFFER_PADDING_SIZE));
  if (!ctx->extradata) return false;
  std::memcpy(ctx->extradata, bytes.data(), bytes.size());
  ctx->extradata_size = static_cast<int>(bytes.size());
  return true;
}

bool fill_packet(AVPacket* pkt, const frame& f) {
  av_packet_unref(pkt);
  const auto data = f.data.span();
  if (data.empty() || av_new_packet(pkt, static_cast<int>(data.size())) < 0) return false;
  std::memcpy(pkt->data, data.data(), data.size());
  pkt->dts = f.dts_ms;
  pkt->pts = f.dts_ms + f.cts_ms;
  if (f.keyframe) pkt->flags |= AV_PKT_FLAG_KEY;
  return true;
}

codec_ptr open_h264_decoder(const video_config& config, std::error_code& ec) {
  ec.clear();
  // The decoder would accept a record it cannot use and fail on every frame; refuse it up front.
  if (!parse_avcc_sps(config.avcc)) {
    ec = transcode_errc::unsupported_codec;
    return nullptr;
  }
  const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_H264);
  codec_ptr ctx{codec ? avcodec_alloc_context3(codec) : nullptr};
  if (!ctx || !set_extradata(ctx.get(), config.avcc)) {
    ec = transcode_errc::unsupported_codec;
    return nullptr;
  }
  ctx->thread_count = 1;
  ctx->pkt_timebase = {1, 1000};
  if (avcodec_open2(ctx.get(), codec, nullptr) < 0) {
    ec = transcode_errc::unsupported_codec;
    return nullptr;
  }
  return ctx;
}

int even_width_for(int src_w, int src_h, int height) {
  if (src_w <= 0 || src_h <= 0 || height <= 0) return 0;
  const int w = static_cast<int>(av_rescale(height, src_w, 2LL * src_h)) * 2;
  return w < 2 ? 2 : w;
}

}  // namespace onair::media::av
