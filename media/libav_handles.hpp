#pragma once
/// Owning handles for libavcodec / libswscale / libswresample objects and the decoder set-up shared by
/// the transcoders and the thumbnailer. Internal to media/: include it from .cpp files only, so the
/// FFmpeg headers stay out of the widely included headers (DESIGN.md section 9).
#include <memory>
#include <span>
#include <system_error>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/frame.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

#include "media/frame.hpp"

namespace onair::media::av {

struct codec_deleter { void operator()(AVCodecContext* c) const { avcodec_free_context(&c); } };
struct frame_deleter { void operator()(AVFrame* f) const { av_frame_free(&f); } };
struct packet_deleter { void operator()(AVPacket* p) const { av_packet_free(&p); } };
struct sws_deleter { void operator()(SwsContext* s) const { sws_freeContext(s); } };
struct swr_deleter { void operator()(SwrContext* s) const { swr_free(&s); } };
struct fifo_deleter { void operator()(AVAudioFifo* f) const { av_audio_fifo_free(f); } };

using codec_ptr = std::unique_ptr<AVCodecContext, codec_deleter>;
using frame_ptr = std::unique_ptr<AVFrame, frame_deleter>;
using packet_ptr = std::unique_ptr<AVPacket, packet_deleter>;
using sws_ptr = std::unique_ptr<SwsContext, sws_deleter>;
using swr_ptr = std::unique_ptr<SwrContext, swr_deleter>;
using fifo_ptr = std::unique_ptr<AVAudioFifo, fifo_deleter>;

/// Copies `bytes` into `ctx`'s extradata with the zeroed padding libavcodec's bit readers require.
bool set_extradata(AVCodecContext* ctx, std::span<const std::uint8_t> bytes);

/// Copies a frame's payload into `pkt` (padded: the source buffer has no AV_INPUT_BUFFER_PADDING_SIZE
/// tail) and sets pts = dts + cts, dts and the key flag in milliseconds.
bool fill_packet(AVPacket* pkt, const frame& f);

/// Opens libavcodec's H.264 decoder on `config`'s avcC (single-threaded: frame threading would hold
/// back one frame per thread, which a live ladder cannot afford; 720p decode costs < 0.1 core).
/// unsupported_codec when the record has no usable SPS or the decoder refuses it.
codec_ptr open_h264_decoder(const video_config& config, std::error_code& ec);

/// Encoded width for `height` rows of a `src_w` x `src_h` picture, aspect kept (square pixels assumed),
/// rounded to the nearest even number as 4:2:0 requires (same as FFmpeg's scale=-2:height).
int even_width_for(int src_w, int src_h, int height);

}  // namespace onair::media::av
