// audio_transcoder: one libavcodec AAC decode, libswresample to the encoders' format, one native AAC
// encode per rung.
extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/mathematics.h>
#include <libavutil/opt.h>
}

#include "media/codec_string.hpp"
#include "media/libav_handles.hpp"
#include "media/transcoder.hpp"

namespace onair::media {
namespace {

/// AAC LC frame length (ISO 14496-3 4.5.1.1, frameLengthFlag 0); the native encoder takes exactly this.
constexpr int aac_frame = 1024;

struct rung_state {
  audio_rung rung;
  audio_config config;
  av::codec_ptr encoder;
};

class audio_transcoder_impl final : public audio_transcoder {
 public:
  ~audio_transcoder_impl() override { av_channel_layout_uninit(&layout_); }
  std::error_code init(const audio_config& source, std::vector<audio_rung> rungs);
  std::error_code push(const frame& f, std::vector<rung_frame>& out) override;
  std::optional<audio_config> config(const std::string& rendition) const override;
  const std::vector<audio_rung>& rungs() const override { return rungs_; }

 private:
  std::error_code resample_into_fifo(AVFrame* decoded);
  std::error_code encode_fifo(std::vector<rung_frame>& out);

  av::codec_ptr decoder_;
  av::packet_ptr packet_, encoded_;
  av::frame_ptr decoded_, converted_, chunk_;
  av::swr_ptr resampler_;
  av::fifo_ptr fifo_;
  AVChannelLayout layout_{};  // the encoders' layout (the source's channel count)
  int sample_rate_ = 0;       // the encoders' rate (the source's)
  // The decoder's output format the resampler was set up for (HE-AAC doubles the rate on the first frame).
  int in_format_ = -1, in_rate_ = 0, in_channels_ = 0;
  std::int64_t fifo_head_pts_ = AV_NOPTS_VALUE;  // pts of the fifo's first sample, in 1/sample_rate_
  std::vector<audio_rung> rungs_;
  std::vector<rung_state> states_;
};

std::error_code audio_transcoder_impl::init(const audio_config& source, std::vector<audio_rung> rungs) {
  const auto asc = parse_audio_specific_config(source.asc);
  if (!asc) return transcode_errc::unsupported_codec;
  sample_rate_ = source.sample_rate > 0 ? source.sample_rate : asc->sample_rate;
  int channels = source.channels > 0 ? source.channels : asc->channels;
  // channelConfiguration 0 (layout in a PCE) or more than stereo: the rungs are stereo.
  if (channels <= 0 || channels > 2) channels = 2;
  if (sample_rate_ <= 0) return transcode_errc::unsupported_codec;
  av_channel_layout_default(&layout_, channels);

  const AVCodec* dec = avcodec_find_decoder(AV_CODEC_ID_AAC);
  decoder_.reset(dec ? avcodec_alloc_context3(dec) : nullptr);
  if (!decoder_ || !av::set_extradata(decoder_.get(), source.asc)) return transcode_errc::unsupported_codec;
  decoder_->pkt_timebase = {1, 1000};
  // The AAC decoder reads the AudioSpecificConfig at open and refuses object types it cannot decode.
  if (avcodec_open2(decoder_.get(), dec, nullptr) < 0) return transcode_errc::unsupported_codec;

  packet_.reset(av_packet_alloc());
  encoded_.reset(av_packet_alloc());
  decoded_.reset(av_frame_alloc());
  converted_.reset(av_frame_alloc());
  chunk_.reset(av_frame_alloc());
  fifo_.reset(av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, channels, 4 * aac_frame));
  if (!packet_ || !encoded_ || !decoded_ || !converted_ || !chunk_ || !fifo_) return transcode_errc::encoder_error;
  chunk_->format = AV_SAMPLE_FMT_FLTP;
  chunk_->nb_samples = aac_frame;
  chunk_->sample_rate = sample_rate_;
  if (av_channel_layout_copy(&chunk_->ch_layout, &layout_) < 0 || av_frame_get_buffer(chunk_.get(), 0) < 0)
    return transcode_errc::encoder_error;

  const AVCodec* enc = avcodec_find_encoder_by_name("aac");
  if (!enc) return transcode_errc::encoder_error;
  for (auto& r : rungs) {
    if (r.kbps <= 0) return transcode_errc::encoder_error;
    rung_state s;
    s.rung = r;
    s.encoder.reset(avcodec_alloc_context3(enc));
    if (!s.encoder) return transcode_errc::encoder_error;
    AVCodecContext* c = s.encoder.get();
    c->sample_fmt = AV_SAMPLE_FMT_FLTP;
    c->sample_rate = sample_rate_;
    av_channel_layout_copy(&c->ch_layout, &layout_);
    c->bit_rate = static_cast<std::int64_t>(r.kbps) * 1000;
    c->profile = FF_PROFILE_AAC_LOW;
    c->time_base = {1, sample_rate_};
    c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;  // extradata = the AudioSpecificConfig of config()
    if (avcodec_open2(c, enc, nullptr) < 0 || c->frame_size != aac_frame || c->extradata_size < 2)
      return transcode_errc::encoder_error;
    s.config.asc.assign(c->extradata, c->extradata + c->extradata_size);
    s.config.object_type = 2;
    s.config.sample_rate = sample_rate_;
    s.config.channels = channels;
    states_.push_back(std::move(s));
  }
  rungs_ = std::move(rungs);
  return {};
}

std::error_code audio_transcoder_impl::push(const frame& f, std::vector<rung_frame>& out) {
  if (f.kind != track_kind::audio) return transcode_errc::unsupported_codec;
  if (!av::fill_packet(packet_.get(), f) || avcodec_send_packet(decoder_.get(), packet_.get()) < 0)
    return transcode_errc::decoder_error;
  for (;;) {
    const int rc = avcodec_receive_frame(decoder_.get(), decoded_.get());
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) break;
    if (rc < 0) return transcode_errc::decoder_error;
    auto ec = resample_into_fifo(decoded_.get());
    av_frame_unref(decoded_.get());
    if (ec) return ec;
    if ((ec = encode_fifo(out))) return ec;
  }
  return {};
}

std::error_code audio_transcoder_impl::resample_into_fifo(AVFrame* decoded) {
  if (!resampler_ || decoded->format != in_format_ || decoded->sample_rate != in_rate_ ||
      decoded->ch_layout.nb_channels != in_channels_) {
    SwrContext* swr = nullptr;
    if (swr_alloc_set_opts2(&swr, &layout_, AV_SAMPLE_FMT_FLTP, sample_rate_, &decoded->ch_layout,
                            static_cast<AVSampleFormat>(decoded->format), decoded->sample_rate, 0, nullptr) < 0 ||
        swr_init(swr) < 0) {
      swr_free(&swr);
      return transcode_errc::encoder_error;
    }
    resampler_.reset(swr);
    in_format_ = decoded->format;
    in_rate_ = decoded->sample_rate;
    in_channels_ = decoded->ch_layout.nb_channels;
  }
  av_frame_unref(converted_.get());
  converted_->format = AV_SAMPLE_FMT_FLTP;
  converted_->sample_rate = sample_rate_;
  av_channel_layout_copy(&converted_->ch_layout, &layout_);
  if (swr_convert_frame(resampler_.get(), converted_.get(), decoded) < 0) return transcode_errc::encoder_error;

  // The rungs' timeline is the source's: samples are counted from the timestamp of the frame that
  // started the fifo. A gap or overlap of more than one AAC frame against that count (a dropped RTMP
  // message, a publisher clock jump) restarts the count at the new timestamp; the < 23 ms of samples
  // still queued are dropped rather than played at the wrong time.
  const bool started = fifo_head_pts_ != AV_NOPTS_VALUE;
  const std::int64_t expected = started ? fifo_head_pts_ + av_audio_fifo_size(fifo_.get()) : 0;
  const std::int64_t pts =
      decoded->pts == AV_NOPTS_VALUE ? expected : av_rescale_q(decoded->pts, {1, 1000}, {1, sample_rate_});
  if (!started || pts - expected > aac_frame || expected - pts > aac_frame) {
    av_audio_fifo_reset(fifo_.get());
    fifo_head_pts_ = pts;
  }
  if (converted_->nb_samples > 0 &&
      av_audio_fifo_write(fifo_.get(), reinterpret_cast<void**>(converted_->extended_data), converted_->nb_samples) <
          converted_->nb_samples)
    return transcode_errc::encoder_error;
  return {};
}

std::error_code audio_transcoder_impl::encode_fifo(std::vector<rung_frame>& out) {
  while (av_audio_fifo_size(fifo_.get()) >= aac_frame) {
    if (av_frame_make_writable(chunk_.get()) < 0 ||
        av_audio_fifo_read(fifo_.get(), reinterpret_cast<void**>(chunk_->extended_data), aac_frame) < aac_frame)
      return transcode_errc::encoder_error;
    chunk_->pts = fifo_head_pts_;
    fifo_head_pts_ += aac_frame;
    for (auto& s : states_) {
      if (avcodec_send_frame(s.encoder.get(), chunk_.get()) < 0) return transcode_errc::encoder_error;
      for (;;) {
        const int rc = avcodec_receive_packet(s.encoder.get(), encoded_.get());
        if (rc == AVERROR(EAGAIN)) break;
        if (rc < 0) return transcode_errc::encoder_error;
        // The encoder stamps each packet with its input's pts minus the priming delay (initial_padding,
        // 1024 samples). Adding it back gives the n-th output frame the n-th input frame's timestamp, so
        // the rungs' frames (and the segments cut on them) sit on the same timestamps as the source's.
        const std::int64_t pts = encoded_->pts + s.encoder->initial_padding;
        rung_frame rf;
        rf.rendition = s.rung.name;
        rf.f.kind = track_kind::audio;
        rf.f.dts_ms = av_rescale_q(pts, {1, sample_rate_}, {1, 1000});
        rf.f.keyframe = true;
        rf.f.data = whole(make_shared_bytes({encoded_->data, encoded_->data + encoded_->size}));
        av_packet_unref(encoded_.get());
        out.push_back(std::move(rf));
      }
    }
  }
  return {};
}

std::optional<audio_config> audio_transcoder_impl::config(const std::string& rendition) const {
  for (const auto& s : states_)
    if (s.rung.name == rendition) return s.config;
  return std::nullopt;
}

}  // namespace

std::unique_ptr<audio_transcoder> audio_transcoder::create(const audio_config& source, std::vector<audio_rung> rungs,
                                                           std::error_code& ec) {
  auto t = std::make_unique<audio_transcoder_impl>();
  ec = t->init(source, std::move(rungs));
  if (ec) return nullptr;
  return t;
}

}  // namespace onair::media
