// make_thumbnail: one H.264 keyframe -> libswscale -> libavcodec's MJPEG encoder (a baseline JFIF JPEG).
#include "media/annexb.hpp"
#include "media/libav_handles.hpp"
#include "media/transcoder.hpp"

namespace onair::media {
namespace {

/// MJPEG quantizer scale (as ffmpeg -q:v): 2 is near-lossless, 31 is worst; 4 keeps a 320 px thumbnail
/// around 10-20 KB.
constexpr int jpeg_qscale = 4;

}  // namespace

std::optional<std::vector<std::uint8_t>> make_thumbnail(const video_config& config, const frame& keyframe, int width,
                                                        std::error_code& ec) {
  ec.clear();
  if (width < 2 || keyframe.kind != track_kind::video) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return std::nullopt;
  }
  av::codec_ptr decoder = av::open_h264_decoder(config, ec);
  if (!decoder) return std::nullopt;
  av::packet_ptr pkt{av_packet_alloc()};
  av::frame_ptr picture{av_frame_alloc()};
  if (!pkt || !picture) {
    ec = transcode_errc::encoder_error;
    return std::nullopt;
  }
  if (!avcc_framing_ok(keyframe.data.span(), avcc_length_size(config.avcc)) || !av::fill_packet(pkt.get(), keyframe) ||
      avcodec_send_packet(decoder.get(), pkt.get()) < 0) {
    ec = transcode_errc::decoder_error;
    return std::nullopt;
  }
  // Drain: a decoder that has seen B-frames in the SPS's reorder depth holds the picture back until EOF.
  avcodec_send_packet(decoder.get(), nullptr);
  if (avcodec_receive_frame(decoder.get(), picture.get()) < 0) {
    ec = transcode_errc::decoder_error;  // not a decodable keyframe
    return std::nullopt;
  }

  const int out_w = width & ~1;
  const int out_h = av::even_width_for(picture->height, picture->width, out_w);  // same rounding, axes swapped
  // JFIF is full-range (ITU-T T.871 section 7): swscale expands H.264's usual studio range on the way.
  // Plain yuv420p plus an explicit range instead of the deprecated yuvj420p alias.
  av::sws_ptr scaler{sws_getContext(picture->width, picture->height, static_cast<AVPixelFormat>(picture->format),
                                    out_w, out_h, AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr, nullptr, nullptr)};
  if (scaler) {
    int* inv_table = nullptr;
    int* table = nullptr;
    int src_range = 0, dst_range = 0, brightness = 0, contrast = 0, saturation = 0;
    sws_getColorspaceDetails(scaler.get(), &inv_table, &src_range, &table, &dst_range, &brightness, &contrast,
                             &saturation);
    src_range = picture->color_range == AVCOL_RANGE_JPEG ? 1 : 0;
    sws_setColorspaceDetails(scaler.get(), inv_table, src_range, table, 1, brightness, contrast, saturation);
  }
  av::frame_ptr scaled{av_frame_alloc()};
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
  av::codec_ptr encoder{codec ? avcodec_alloc_context3(codec) : nullptr};
  if (!scaler || !scaled || !encoder || out_h < 2) {
    ec = transcode_errc::encoder_error;
    return std::nullopt;
  }
  scaled->format = AV_PIX_FMT_YUV420P;
  scaled->color_range = AVCOL_RANGE_JPEG;
  scaled->width = out_w;
  scaled->height = out_h;
  if (av_frame_get_buffer(scaled.get(), 0) < 0) {
    ec = transcode_errc::encoder_error;
    return std::nullopt;
  }
  sws_scale(scaler.get(), picture->data, picture->linesize, 0, picture->height, scaled->data, scaled->linesize);

  encoder->width = out_w;
  encoder->height = out_h;
  encoder->pix_fmt = AV_PIX_FMT_YUV420P;
  encoder->color_range = AVCOL_RANGE_JPEG;  // the MJPEG encoder takes yuv420p only as full range
  encoder->time_base = {1, 25};  // required by avcodec_open2, meaningless for one picture
  encoder->flags |= AV_CODEC_FLAG_QSCALE;
  encoder->global_quality = jpeg_qscale * FF_QP2LAMBDA;
  scaled->quality = encoder->global_quality;
  scaled->pts = 0;
  if (avcodec_open2(encoder.get(), codec, nullptr) < 0 || avcodec_send_frame(encoder.get(), scaled.get()) < 0 ||
      avcodec_receive_packet(encoder.get(), pkt.get()) < 0) {
    ec = transcode_errc::encoder_error;
    return std::nullopt;
  }
  return std::vector<std::uint8_t>(pkt->data, pkt->data + pkt->size);
}

}  // namespace onair::media
