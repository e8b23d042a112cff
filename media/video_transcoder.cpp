// video_transcoder: one libavcodec H.264 decode, then per rung a libswscale scale and a libx264 encode.
#include <algorithm>
#include <deque>

extern "C" {
#include <libavutil/opt.h>
#include <libavutil/rational.h>
}

#include "media/annexb.hpp"
#include "media/h264_sps.hpp"
#include "media/libav_handles.hpp"
#include "media/transcoder.hpp"

namespace onair::media {
namespace {

/// x264 settings every rung shares (bench/transcode_compare.sh passes the same string to the ffmpeg CLI).
/// keyint=infinite and scenecut=0 leave keyframe placement entirely to us: the only IDRs are the ones
/// forced on frames whose source frame is an IDR, so every rendition cuts segments and parts at the same
/// timestamps (x264 would otherwise add IDRs at scene cuts and every `keyint` frames).
constexpr const char* x264_params = "keyint=infinite:scenecut=0";

/// The frame rate x264's rate control assumes when the source config does not say (no onMetaData
/// framerate). tune=zerolatency turns off x264's timestamp-driven rate control (b_vfr_input = 0), so the
/// per-frame VBV budget is maxrate / this rate; 30 is what OBS and phone encoders default to.
constexpr AVRational fallback_fps{30, 1};

struct rung_state {
  video_rung rung;
  video_config config;
  av::codec_ptr encoder;
  av::sws_ptr scaler;    // cached per source size and pixel format (sws_getCachedContext)
  av::frame_ptr scaled;  // reused picture buffer at the rung's size
};

av::codec_ptr open_x264(const video_rung& rung, int width, int height, AVRational fps, int threads) {
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  av::codec_ptr c{codec ? avcodec_alloc_context3(codec) : nullptr};
  if (!c) return nullptr;
  c->width = width;
  c->height = height;
  c->pix_fmt = AV_PIX_FMT_YUV420P;
  c->time_base = {1, 1000};  // frames keep the source's millisecond timestamps
  c->framerate = fps;
  c->bit_rate = static_cast<std::int64_t>(rung.video_kbps) * 1000;
  // VBV (x264 --vbv-maxrate/--vbv-bufsize): a capped rate with a 2 s-at-maxrate buffer keeps every
  // segment near its BANDWIDTH, which is what players' ABR logic budgets for.
  c->rc_max_rate = c->bit_rate;
  c->rc_buffer_size = static_cast<int>(2 * c->bit_rate);
  c->max_b_frames = 0;  // no reordering: pts = dts, one frame in -> one frame out
  // SPS/PPS go into extradata (the avcC of config()) instead of in front of every IDR.
  c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  c->thread_count = threads;
  // libavcodec's libx264 wrapper sets b_sliced_threads = (thread_type == FF_THREAD_SLICE), overriding
  // tune=zerolatency; with the default FRAME|SLICE it would pick frame threads and delay output by one
  // frame per thread.
  c->thread_type = FF_THREAD_SLICE;
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "preset", "veryfast", 0);
  av_dict_set(&opts, "tune", "zerolatency", 0);
  // A forced AV_PICTURE_TYPE_I becomes X264_TYPE_IDR rather than X264_TYPE_KEYFRAME (FFmpeg libx264.c).
  av_dict_set(&opts, "forced-idr", "1", 0);
  av_dict_set(&opts, "x264-params", x264_params, 0);
  const int rc = avcodec_open2(c.get(), codec, &opts);
  av_dict_free(&opts);
  if (rc < 0) return nullptr;
  return c;
}

class video_transcoder_impl final : public video_transcoder {
 public:
  std::error_code init(const video_config& source, std::vector<video_rung> rungs, int threads);
  std::error_code push(const frame& f, std::vector<rung_frame>& out) override;
  std::optional<video_config> config(const std::string& rendition) const override;
  const std::vector<video_rung>& rungs() const override { return rungs_; }

 private:
  std::error_code drain_decoder(std::vector<rung_frame>& out);
  bool take_idr(std::int64_t pts);
  std::error_code encode(const AVFrame* picture, bool idr, std::vector<rung_frame>& out);

  av::codec_ptr decoder_;
  av::packet_ptr packet_;   // source frame on its way into the decoder
  av::packet_ptr encoded_;  // encoder output
  av::frame_ptr decoded_;
  int length_size_ = 4;
  int source_width_ = 0;
  int source_height_ = 0;
  std::vector<video_rung> rungs_;
  std::vector<rung_state> states_;
  // Presentation timestamps (ms) of source IDRs sent to the decoder and not yet out of it. Output order is
  // increasing across IDRs (an IDR empties the DPB, H.264 C.4.4), so a FIFO suffices.
  std::deque<std::int64_t> idr_pts_;
};

std::error_code video_transcoder_impl::init(const video_config& source, std::vector<video_rung> rungs,
                                            int threads) {
  const auto sps = parse_avcc_sps(source.avcc);
  length_size_ = avcc_length_size(source.avcc);
  if (!sps || length_size_ == 0) return transcode_errc::unsupported_codec;
  source_width_ = sps->width;
  source_height_ = sps->height;
  std::error_code ec;
  decoder_ = av::open_h264_decoder(source, ec);
  if (!decoder_) return ec;
  packet_.reset(av_packet_alloc());
  encoded_.reset(av_packet_alloc());
  decoded_.reset(av_frame_alloc());
  if (!packet_ || !encoded_ || !decoded_) return transcode_errc::encoder_error;

  const AVRational fps = source.frame_rate > 0 ? av_d2q(source.frame_rate, 1'001'000) : fallback_fps;
  for (auto& r : rungs) {
    const int height = r.height & ~1;
    const int width = av::even_width_for(source_width_, source_height_, height);
    if (height <= 0 || width <= 0 || r.video_kbps <= 0) return transcode_errc::encoder_error;
    rung_state s;
    s.rung = r;
    s.encoder = open_x264(r, width, height, fps, threads);
    if (!s.encoder) return transcode_errc::encoder_error;
    auto avcc = avcc_record_from_annexb({s.encoder->extradata, static_cast<std::size_t>(s.encoder->extradata_size)});
    if (!avcc) return transcode_errc::encoder_error;
    s.config.avcc = std::move(*avcc);
    s.config.width = width;
    s.config.height = height;
    s.config.profile = s.config.avcc[1];
    s.config.constraints = s.config.avcc[2];
    s.config.level = s.config.avcc[3];
    s.config.frame_rate = source.frame_rate;
    s.scaled.reset(av_frame_alloc());
    if (!s.scaled) return transcode_errc::encoder_error;
    s.scaled->format = AV_PIX_FMT_YUV420P;
    s.scaled->width = width;
    s.scaled->height = height;
    if (av_frame_get_buffer(s.scaled.get(), 0) < 0) return transcode_errc::encoder_error;
    states_.push_back(std::move(s));
  }
  rungs_ = std::move(rungs);
  return {};
}

std::error_code video_transcoder_impl::push(const frame& f, std::vector<rung_frame>& out) {
  if (f.kind != track_kind::video) return transcode_errc::unsupported_codec;
  // A NAL length running past the frame is the common corruption (truncated RTMP message); libavcodec
  // would log and conceal it, we drop the frame and say so.
  if (!avcc_framing_ok(f.data.span(), length_size_) || !av::fill_packet(packet_.get(), f))
    return transcode_errc::decoder_error;
  const std::int64_t pts = f.dts_ms + f.cts_ms;
  if (f.keyframe) idr_pts_.push_back(pts);
  if (avcodec_send_packet(decoder_.get(), packet_.get()) < 0) {
    if (f.keyframe) idr_pts_.pop_back();
    return transcode_errc::decoder_error;
  }
  return drain_decoder(out);
}

bool video_transcoder_impl::take_idr(std::int64_t pts) {
  // Entries before `pts` belong to IDRs the decoder dropped (undecodable): forget them.
  while (!idr_pts_.empty() && idr_pts_.front() < pts) idr_pts_.pop_front();
  if (idr_pts_.empty() || idr_pts_.front() != pts) return false;
  idr_pts_.pop_front();
  return true;
}

std::error_code video_transcoder_impl::drain_decoder(std::vector<rung_frame>& out) {
  for (;;) {
    const int rc = avcodec_receive_frame(decoder_.get(), decoded_.get());
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return {};
    if (rc < 0) return transcode_errc::decoder_error;
    // The scalers and encoders are sized for the avcC's SPS; an in-band SPS with another size means a
    // new stream for every rung (new avcC, new init segments).
    if (decoded_->width != source_width_ || decoded_->height != source_height_) {
      av_frame_unref(decoded_.get());
      return transcode_errc::config_changed;
    }
    if (decoded_->pts == AV_NOPTS_VALUE) decoded_->pts = decoded_->best_effort_timestamp;
    const bool idr = take_idr(decoded_->pts);
    const auto ec = encode(decoded_.get(), idr, out);
    av_frame_unref(decoded_.get());
    if (ec) return ec;
  }
}

std::error_code video_transcoder_impl::encode(const AVFrame* picture, bool idr, std::vector<rung_frame>& out) {
  for (auto& s : states_) {
    AVFrame* dst = s.scaled.get();
    s.scaler.reset(sws_getCachedContext(s.scaler.release(), picture->width, picture->height,
                                        static_cast<AVPixelFormat>(picture->format), dst->width, dst->height,
                                        AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr, nullptr, nullptr));
    // The encoder copies the picture into x264's own buffers, so this is normally a no-op.
    if (!s.scaler || av_frame_make_writable(dst) < 0) return transcode_errc::encoder_error;
    sws_scale(s.scaler.get(), picture->data, picture->linesize, 0, picture->height, dst->data, dst->linesize);
    dst->pts = picture->pts;
    dst->pict_type = idr ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
    if (avcodec_send_frame(s.encoder.get(), dst) < 0) return transcode_errc::encoder_error;
    for (;;) {
      const int rc = avcodec_receive_packet(s.encoder.get(), encoded_.get());
      if (rc == AVERROR(EAGAIN)) break;
      if (rc < 0) return transcode_errc::encoder_error;
      rung_frame rf;
      rf.rendition = s.rung.name;
      rf.f.kind = track_kind::video;
      rf.f.dts_ms = encoded_->dts;
      rf.f.cts_ms = static_cast<std::int32_t>(encoded_->pts - encoded_->dts);
      rf.f.keyframe = (encoded_->flags & AV_PKT_FLAG_KEY) != 0;
      rf.f.data = whole(make_shared_bytes(annexb_to_avcc({encoded_->data, static_cast<std::size_t>(encoded_->size)})));
      av_packet_unref(encoded_.get());
      out.push_back(std::move(rf));
    }
  }
  return {};
}

std::optional<video_config> video_transcoder_impl::config(const std::string& rendition) const {
  for (const auto& s : states_)
    if (s.rung.name == rendition) return s.config;
  return std::nullopt;
}

}  // namespace

std::unique_ptr<video_transcoder> video_transcoder::create(const video_config& source, std::vector<video_rung> rungs,
                                                           int threads, std::error_code& ec) {
  auto t = std::make_unique<video_transcoder_impl>();
  ec = t->init(source, std::move(rungs), threads);
  if (ec) return nullptr;
  return t;
}

}  // namespace onair::media
