#include "av_test_source.hpp"

#include "media/annexb.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <span>
#include <tuple>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libavutil/frame.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
}

namespace onair::media::test {
namespace {

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "av_test_source: %s\n", what);
  std::abort();
}

bool is_annexb(std::span<const std::uint8_t> in) {
  return in.size() > 4 && in[0] == 0 && in[1] == 0 && (in[2] == 1 || (in[2] == 0 && in[3] == 1));
}

std::vector<std::uint8_t> to_avcc_sample(std::span<const std::uint8_t> in) {
  if (!is_annexb(in)) return {in.begin(), in.end()};
  return annexb_to_avcc(in);
}

/// AVCDecoderConfigurationRecord (ISO 14496-15 5.2.4.1) from Annex B SPS+PPS extradata.
std::vector<std::uint8_t> to_avcc_record(std::span<const std::uint8_t> extradata) {
  if (!is_annexb(extradata)) return {extradata.begin(), extradata.end()};
  std::span<const std::uint8_t> sps, pps;
  for (auto nal : split_annexb(extradata)) {
    if ((nal[0] & 0x1f) == 7 && sps.empty()) sps = nal;
    if ((nal[0] & 0x1f) == 8 && pps.empty()) pps = nal;
  }
  if (sps.size() < 4 || pps.empty()) die("no SPS/PPS in x264 extradata");
  std::vector<std::uint8_t> r = {1, sps[1], sps[2], sps[3], 0xff, 0xe1};
  r.push_back(static_cast<std::uint8_t>(sps.size() >> 8));
  r.push_back(static_cast<std::uint8_t>(sps.size()));
  r.insert(r.end(), sps.begin(), sps.end());
  r.push_back(1);
  r.push_back(static_cast<std::uint8_t>(pps.size() >> 8));
  r.push_back(static_cast<std::uint8_t>(pps.size()));
  r.insert(r.end(), pps.begin(), pps.end());
  return r;
}

frame make_frame(track_kind kind, const AVPacket* pkt, AVRational tb, std::int64_t start_ms, bool avcc) {
  frame f;
  f.kind = kind;
  const std::int64_t dts = pkt->dts == AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
  f.dts_ms = start_ms + av_rescale_q(dts, tb, {1, 1000});
  f.cts_ms = static_cast<std::int32_t>(start_ms + av_rescale_q(pkt->pts, tb, {1, 1000}) - f.dts_ms);
  f.keyframe = kind == track_kind::audio || (pkt->flags & AV_PKT_FLAG_KEY);
  std::span<const std::uint8_t> in(pkt->data, static_cast<std::size_t>(pkt->size));
  auto bytes = avcc ? to_avcc_sample(in) : std::vector<std::uint8_t>(in.begin(), in.end());
  f.data.size = bytes.size();
  f.data.owner = make_shared_bytes(std::move(bytes));
  return f;
}

void drain(AVCodecContext* c, AVPacket* pkt, track_kind kind, std::int64_t start_ms, std::vector<frame>& out) {
  while (avcodec_receive_packet(c, pkt) == 0) {
    out.push_back(make_frame(kind, pkt, c->time_base, start_ms, kind == track_kind::video));
    av_packet_unref(pkt);
  }
}

void encode_video(const source_options& o, test_stream& s) {
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (!codec) die("libx264 missing");
  AVCodecContext* c = avcodec_alloc_context3(codec);
  c->width = o.width;
  c->height = o.height;
  c->pix_fmt = AV_PIX_FMT_YUV420P;
  c->time_base = {1, o.fps};
  c->framerate = {o.fps, 1};
  c->gop_size = o.gop;
  c->keyint_min = o.gop;
  c->max_b_frames = o.b_frames;
  c->bit_rate = 400'000;
  c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  c->thread_count = 1;
  av_opt_set(c->priv_data, "preset", "veryfast", 0);
  av_opt_set(c->priv_data, "x264-params", "scenecut=0:log=-1", 0);
  if (avcodec_open2(c, codec, nullptr) < 0) die("cannot open libx264");
  s.video = video_config{};
  s.video->avcc = to_avcc_record({c->extradata, static_cast<std::size_t>(c->extradata_size)});
  s.video->width = o.width;
  s.video->height = o.height;
  s.video->profile = s.video->avcc[1];
  s.video->constraints = s.video->avcc[2];
  s.video->level = s.video->avcc[3];
  s.video->frame_rate = o.fps;

  AVFrame* fr = av_frame_alloc();
  fr->format = c->pix_fmt;
  fr->width = c->width;
  fr->height = c->height;
  av_frame_get_buffer(fr, 0);
  AVPacket* pkt = av_packet_alloc();
  const int n = static_cast<int>(std::lround(o.seconds * o.fps));
  for (int i = 0; i < n; ++i) {
    av_frame_make_writable(fr);
    for (int y = 0; y < c->height; ++y)
      for (int x = 0; x < c->width; ++x) fr->data[0][y * fr->linesize[0] + x] = static_cast<std::uint8_t>(x + y + 3 * i);
    for (int p = 1; p < 3; ++p)
      for (int y = 0; y < c->height / 2; ++y)
        for (int x = 0; x < c->width / 2; ++x) fr->data[p][y * fr->linesize[p] + x] = static_cast<std::uint8_t>(128 + p * i);
    fr->pts = i;
    avcodec_send_frame(c, fr);
    drain(c, pkt, track_kind::video, o.start_ms, s.frames);
  }
  avcodec_send_frame(c, nullptr);
  drain(c, pkt, track_kind::video, o.start_ms, s.frames);
  av_packet_free(&pkt);
  av_frame_free(&fr);
  avcodec_free_context(&c);
}

void encode_audio(const source_options& o, test_stream& s) {
  const AVCodec* codec = avcodec_find_encoder_by_name("aac");
  if (!codec) die("aac encoder missing");
  AVCodecContext* c = avcodec_alloc_context3(codec);
  c->sample_fmt = AV_SAMPLE_FMT_FLTP;
  c->sample_rate = o.sample_rate;
  av_channel_layout_default(&c->ch_layout, o.channels);
  c->bit_rate = 96'000;
  c->time_base = {1, o.sample_rate};
  c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (avcodec_open2(c, codec, nullptr) < 0) die("cannot open aac");
  s.audio = audio_config{};
  s.audio->asc.assign(c->extradata, c->extradata + c->extradata_size);
  s.audio->object_type = 2;
  s.audio->sample_rate = o.sample_rate;
  s.audio->channels = o.channels;

  AVFrame* fr = av_frame_alloc();
  fr->format = c->sample_fmt;
  fr->nb_samples = c->frame_size;
  fr->sample_rate = c->sample_rate;
  av_channel_layout_copy(&fr->ch_layout, &c->ch_layout);
  av_frame_get_buffer(fr, 0);
  AVPacket* pkt = av_packet_alloc();
  const std::int64_t total = static_cast<std::int64_t>(o.seconds * o.sample_rate);
  for (std::int64_t t = 0; t < total; t += c->frame_size) {
    av_frame_make_writable(fr);
    for (int ch = 0; ch < o.channels; ++ch) {
      auto* d = reinterpret_cast<float*>(fr->data[ch]);
      for (int k = 0; k < c->frame_size; ++k) d[k] = 0.3f * std::sin(2 * M_PI * 440.0 * double(t + k) / o.sample_rate);
    }
    fr->pts = t;
    avcodec_send_frame(c, fr);
    drain(c, pkt, track_kind::audio, o.start_ms, s.frames);
  }
  avcodec_send_frame(c, nullptr);
  drain(c, pkt, track_kind::audio, o.start_ms, s.frames);
  av_packet_free(&pkt);
  av_frame_free(&fr);
  avcodec_free_context(&c);
}

}  // namespace

test_stream make_test_stream(const source_options& o) {
  av_log_set_level(AV_LOG_WARNING);  // keep x264's banner and the HLS demuxer's chatter out of test logs
  test_stream s;
  if (o.video) encode_video(o, s);
  if (o.audio) encode_audio(o, s);
  // RTMP delivers one interleaved DTS-ordered stream.
  std::stable_sort(s.frames.begin(), s.frames.end(),
                   [](const frame& a, const frame& b) { return a.dts_ms < b.dts_ms; });
  return s;
}

const test_stream& cached_stream(const source_options& o) {
  using key_t = std::tuple<double, int, int, int, int, int, bool, bool, int, int, std::int64_t>;
  static std::map<key_t, test_stream> cache;
  key_t k{o.seconds, o.fps, o.gop, o.width, o.height, o.b_frames, o.video, o.audio, o.sample_rate, o.channels, o.start_ms};
  auto it = cache.find(k);
  if (it == cache.end()) it = cache.emplace(k, make_test_stream(o)).first;
  return it->second;
}

}  // namespace onair::media::test
