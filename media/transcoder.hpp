#pragma once
/// In-process transcoding with libavcodec, libswscale and libswresample (issue #5): one decode of the
/// source, one scale and one libx264 encode per rung, keyframes of every rung at the source's keyframe
/// timestamps so segments and parts line up across renditions. Blocking CPU work: actors/ runs it in a
/// detached transcoder actor. No sockets, threads of its own or wall clock.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "media/frame.hpp"

namespace onair::media {

/// One video rung of the ladder.
struct video_rung {
  std::string name;        ///< rendition name in URLs: "720p", "480p"
  int height = 0;          ///< output height; width keeps the source aspect ratio, rounded to even
  int video_kbps = 0;      ///< target bitrate; VBV maxrate = this, bufsize = 2 x this (capped, no spikes)
};

/// One audio rung (audio rooms): AAC LC at a bitrate, same sample rate and channels as the source.
struct audio_rung {
  std::string name;        ///< "aac128", "aac64"
  int kbps = 0;
};

/// The default ladders (issue #5): video rooms get 720p (2500 kb/s) and 480p (1000 kb/s) besides the
/// source passthrough; audio rooms get AAC 128k and 64k.
std::vector<video_rung> default_video_ladder();
std::vector<audio_rung> default_audio_ladder();

/// The rungs worth encoding for a source of `source_height`: rungs at or above it are skipped (the
/// passthrough already serves that quality). An unknown height (<= 0) gives no rungs.
std::vector<video_rung> rungs_below(const std::vector<video_rung>& ladder, int source_height);

/// An encoded output frame of one rung.
struct rung_frame {
  std::string rendition;
  frame f;                 ///< AVCC NAL units (video) or a raw AAC frame (audio); timestamps in ms
};

/// Why a transcoder refused or failed (errors as values: the caller logs it, keeps passthrough going).
enum class transcode_errc : std::uint8_t {
  unsupported_codec = 1,   ///< the source config cannot be decoded (not H.264 / not AAC)
  decoder_error,           ///< a corrupt frame: dropped, the decoder resynchronizes at the next keyframe
  encoder_error,
  config_changed,          ///< the source resolution or codec changed: recreate the transcoder
};
std::error_code make_error_code(transcode_errc e);

/// Source H.264 → every rung's H.264 (libx264: preset veryfast, tune zerolatency, no B-frames, CBR-ish
/// VBV). Output timestamps equal the source frame's; rung keyframes exactly where the source has them.
/// Output is in presentation order with dts = pts (cts 0), each rung frame carrying the pts of the source
/// picture it was made from. A source with B-frames keeps its last reorder-depth pictures (usually 2) in
/// the decoder: there is no flush, a live stream's last ~66 ms are not re-encoded.
class video_transcoder {
 public:
  /// Opens the decoder from `source` (its avcC) and one scaler + encoder per rung. `threads` is the
  /// encoder thread count per rung (0 = libx264's choice; 1 costs the least CPU per ladder, which is what
  /// a 2-core node running several ladders wants; more threads are x264 sliced threads: no added delay).
  /// `source.frame_rate` (onMetaData) sets x264's rate-control frame rate (zerolatency rate control is
  /// frame-rate based); 30 is assumed when it is 0. Errors: unsupported_codec (no usable avcC/SPS),
  /// encoder_error (a rung with height or bitrate <= 0, libx264 refused).
  static std::unique_ptr<video_transcoder> create(const video_config& source, std::vector<video_rung> rungs,
                                                  int threads, std::error_code& ec);
  virtual ~video_transcoder() = default;
  /// Decodes one source video frame and appends each rung's encoded frames (0 or more per rung; with
  /// zerolatency normally exactly one) to `out`. A corrupt frame returns decoder_error and appends
  /// nothing; the next call works again. config_changed when a decoded picture has another size than the
  /// avcC's SPS (in-band SPS change): recreate with the new config. An audio frame: unsupported_codec.
  virtual std::error_code push(const frame& f, std::vector<rung_frame>& out) = 0;
  /// The config (avcC, size, profile/level, frame rate if known) of `rendition`'s output; known after
  /// create() (the encoders use global headers).
  virtual std::optional<video_config> config(const std::string& rendition) const = 0;
  /// The rungs this transcoder produces, in ladder order.
  virtual const std::vector<video_rung>& rungs() const = 0;
};

/// Source AAC → AAC at each audio rung's bitrate (libavcodec's native aac encoder, libswresample to the
/// encoder's sample format). Output timestamps follow the source's, in ms: the n-th output frame carries
/// the n-th source frame's timestamp (the encoder's 1024-sample priming is not subtracted), one frame
/// behind (the encoder's lookahead). A timestamp gap of more than one frame restarts the count there.
/// Rungs are AAC LC at the source's sample rate and channel count (stereo when the source has more or
/// signals its layout in a PCE).
class audio_transcoder {
 public:
  static std::unique_ptr<audio_transcoder> create(const audio_config& source, std::vector<audio_rung> rungs,
                                                  std::error_code& ec);
  virtual ~audio_transcoder() = default;
  virtual std::error_code push(const frame& f, std::vector<rung_frame>& out) = 0;
  virtual std::optional<audio_config> config(const std::string& rendition) const = 0;
  virtual const std::vector<audio_rung>& rungs() const = 0;
};

/// Keeps libav's and libx264's per-encoder banners and statistics out of the node's log: warnings and
/// errors only (a process-wide libav setting, so the node calls it once at start-up).
void quiet_codec_logs();

/// Decodes one H.264 keyframe (with the stream's config) and encodes it as a baseline JPEG `width`
/// pixels wide (height keeps the aspect ratio; both rounded to even). Returns the JPEG bytes or an error:
/// unsupported_codec (config), decoder_error (not a decodable keyframe), std::errc::invalid_argument
/// (width < 2 or not a video frame).
std::optional<std::vector<std::uint8_t>> make_thumbnail(const video_config& config, const frame& keyframe, int width,
                                                        std::error_code& ec);

}  // namespace onair::media

template <>
struct std::is_error_code_enum<onair::media::transcode_errc> : std::true_type {};
