#include "media/cmaf_muxer.hpp"

#include <cstring>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/mem.h>
}

#include "media/codec_string.hpp"
#include "media/h264_sps.hpp"
#include "media/packager_errc.hpp"

namespace onair::media {
namespace {

constexpr int video_timescale = 90000;
constexpr int avio_buffer_size = 64 * 1024;

/// FFmpeg 5.1 signature (the buffer became const in FFmpeg 7).
int write_to_vector(void* opaque, std::uint8_t* buf, int size) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(opaque);
  out->insert(out->end(), buf, buf + size);
  return size;
}

bool set_extradata(AVCodecParameters* par, const std::vector<std::uint8_t>& bytes) {
  par->extradata = static_cast<std::uint8_t*>(av_mallocz(bytes.size() + AV_INPUT_BUFFER_PADDING_SIZE));
  if (!par->extradata) return false;
  std::memcpy(par->extradata, bytes.data(), bytes.size());
  par->extradata_size = static_cast<int>(bytes.size());
  return true;
}

}  // namespace

struct cmaf_muxer::impl {
  AVFormatContext* ctx = nullptr;
  AVPacket* pkt = nullptr;
  std::vector<std::uint8_t> out;   // bytes written by the mp4 muxer since the last take
  std::vector<std::uint8_t> init;  // ftyp+moov
  int stream_of[2] = {-1, -1};     // track_kind -> stream index
  AVRational tb[2] = {{1, video_timescale}, {1, 48000}};
  bool dirty = false;              // a sample was written since the last flush

  ~impl() {
    av_packet_free(&pkt);
    if (ctx) {
      AVIOContext* pb = ctx->pb;
      avformat_free_context(ctx);  // runs the mov muxer's deinit
      if (pb) {
        av_freep(&pb->buffer);
        avio_context_free(&pb);
      }
    }
  }
};

cmaf_muxer::cmaf_muxer(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
cmaf_muxer::~cmaf_muxer() = default;

std::unique_ptr<cmaf_muxer> cmaf_muxer::create(const std::optional<video_config>& video,
                                               const std::optional<audio_config>& audio, std::error_code& ec) {
  ec.clear();
  if (!video && !audio) {
    ec = packager_errc::no_config;
    return nullptr;
  }
  auto p = std::make_unique<impl>();
  if (avformat_alloc_output_context2(&p->ctx, nullptr, "mp4", nullptr) < 0 || !p->ctx) {
    ec = packager_errc::muxer_failed;
    return nullptr;
  }
  auto* buffer = static_cast<unsigned char*>(av_malloc(avio_buffer_size));
  p->ctx->pb = buffer ? avio_alloc_context(buffer, avio_buffer_size, 1, &p->out, nullptr, write_to_vector, nullptr)
                      : nullptr;
  if (!p->ctx->pb) {
    av_free(buffer);
    ec = packager_errc::muxer_failed;
    return nullptr;
  }
  p->ctx->pb->seekable = 0;  // live output: the muxer must never seek back
  p->ctx->flags |= AVFMT_FLAG_CUSTOM_IO;
  p->pkt = av_packet_alloc();

  if (video) {
    int width = video->width, height = video->height;
    if (width <= 0 || height <= 0) {
      auto sps = parse_avcc_sps(video->avcc);
      if (!sps) {
        ec = packager_errc::invalid_config;
        return nullptr;
      }
      width = sps->width;
      height = sps->height;
    }
    AVStream* st = avformat_new_stream(p->ctx, nullptr);
    if (!st || video->avcc.empty() || !set_extradata(st->codecpar, video->avcc)) {
      ec = video->avcc.empty() ? make_error_code(packager_errc::invalid_config) : packager_errc::muxer_failed;
      return nullptr;
    }
    st->codecpar->codec_type = AVMEDIA_TYPE_VIDEO;
    st->codecpar->codec_id = AV_CODEC_ID_H264;
    st->codecpar->width = width;
    st->codecpar->height = height;
    st->time_base = {1, video_timescale};
    p->stream_of[static_cast<int>(track_kind::video)] = st->index;
  }
  if (audio) {
    int rate = audio->sample_rate, channels = audio->channels;
    if (auto info = parse_audio_specific_config(audio->asc)) {
      if (rate <= 0) rate = info->sample_rate;
      if (channels <= 0) channels = info->channels;
    }
    if (rate <= 0 || audio->asc.empty()) {
      ec = packager_errc::invalid_config;
      return nullptr;
    }
    if (channels <= 0) channels = 2;
    AVStream* st = avformat_new_stream(p->ctx, nullptr);
    if (!st || !set_extradata(st->codecpar, audio->asc)) {
      ec = packager_errc::muxer_failed;
      return nullptr;
    }
    st->codecpar->codec_type = AVMEDIA_TYPE_AUDIO;
    st->codecpar->codec_id = AV_CODEC_ID_AAC;
    st->codecpar->sample_rate = rate;
    av_channel_layout_default(&st->codecpar->ch_layout, channels);
    st->codecpar->frame_size = 1024;
    st->time_base = {1, rate};
    p->tb[static_cast<int>(track_kind::audio)] = {1, rate};
    p->stream_of[static_cast<int>(track_kind::audio)] = st->index;
  }

  // Fragmented CMAF: moov without samples, fragments only when we flush (one per LL-HLS part),
  // tfdt/base-is-moof so each part stands alone (ISO 23000-19 7.3.2), no mfra trailer for a live stream.
  // frag_discont makes tfdt carry our timeline instead of shifting each track to zero. The cmaf flag
  // writes trun version 1 (signed composition offsets), so B-frame video has its first sample presented
  // at tfdt and no edit list is needed (ISO 23000-19 7.5.16).
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "movflags", "empty_moov+default_base_moof+frag_custom+cmaf+skip_trailer+frag_discont", 0);
  av_dict_set(&opts, "use_editlist", "0", 0);
  p->ctx->avoid_negative_ts = AVFMT_AVOID_NEG_TS_DISABLED;
  int rc = avformat_write_header(p->ctx, &opts);
  av_dict_free(&opts);
  if (rc < 0) {
    ec = packager_errc::muxer_failed;
    return nullptr;
  }
  avio_flush(p->ctx->pb);
  p->init = std::move(p->out);
  p->out.clear();
  // The muxer may have changed stream time bases; samples are rescaled from ours in write().
  return std::unique_ptr<cmaf_muxer>(new cmaf_muxer(std::move(p)));
}

const std::vector<std::uint8_t>& cmaf_muxer::init_segment() const { return impl_->init; }

bool cmaf_muxer::has_track(track_kind kind) const { return impl_->stream_of[static_cast<int>(kind)] >= 0; }

int cmaf_muxer::timescale(track_kind kind) const { return impl_->tb[static_cast<int>(kind)].den; }

std::error_code cmaf_muxer::write(track_kind kind, const cmaf_sample& sample) {
  int index = impl_->stream_of[static_cast<int>(kind)];
  if (index < 0) return packager_errc::no_config;
  if (sample.data.empty()) return packager_errc::empty_frame;
  AVStream* st = impl_->ctx->streams[index];
  AVRational from = impl_->tb[static_cast<int>(kind)];
  AVPacket* pkt = impl_->pkt;
  av_packet_unref(pkt);
  // Not refcounted: av_write_frame copies what it keeps (mux.c), so the frame's buffer is only read.
  pkt->data = const_cast<std::uint8_t*>(sample.data.data());
  pkt->size = static_cast<int>(sample.data.size());
  pkt->stream_index = index;
  pkt->dts = av_rescale_q(sample.dts, from, st->time_base);
  pkt->pts = av_rescale_q(sample.pts, from, st->time_base);
  pkt->duration = av_rescale_q(sample.duration, from, st->time_base);
  pkt->flags = sample.keyframe ? AV_PKT_FLAG_KEY : 0;
  int rc = av_write_frame(impl_->ctx, pkt);
  pkt->data = nullptr;
  pkt->size = 0;
  av_packet_unref(pkt);
  if (rc < 0) return packager_errc::muxer_failed;
  impl_->dirty = true;
  return {};
}

std::vector<std::uint8_t> cmaf_muxer::flush_fragment(std::error_code& ec) {
  ec.clear();
  if (!impl_->dirty) return {};
  // frag_custom: a null packet cuts the fragment here (FFmpeg movenc "Flush fragments on caller requests").
  if (av_write_frame(impl_->ctx, nullptr) < 0) ec = packager_errc::muxer_failed;
  avio_flush(impl_->ctx->pb);
  impl_->dirty = false;
  std::vector<std::uint8_t> bytes;
  bytes.swap(impl_->out);
  return bytes;
}

}  // namespace onair::media
