#pragma once
/// Test helpers for the transcoder tests: decode what the transcoders produce back with libavcodec.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "media/frame.hpp"
#include "media/transcoder.hpp"

namespace onair::media::test {

struct decoded_picture {
  std::int64_t pts = 0;
  int width = 0;
  int height = 0;
};

/// Decodes `frames` (AVCC, in decode order) with `config`'s avcC and drains the decoder. Empty vector and
/// a failed test assertion if the decoder cannot be opened or reports an error.
std::vector<decoded_picture> decode_h264(const video_config& config, const std::vector<frame>& frames);

struct decoded_audio {
  int packets = 0;
  std::int64_t samples = 0;
  int sample_rate = 0;
  int channels = 0;
  int errors = 0;
};
/// Decodes raw AAC frames with `config`'s AudioSpecificConfig.
decoded_audio decode_aac(const audio_config& config, const std::vector<frame>& frames);

/// Width and height of a JPEG decoded with libavcodec's mjpeg decoder; nullopt if it does not decode.
std::optional<std::pair<int, int>> decode_jpeg(const std::vector<std::uint8_t>& jpeg);

/// True if the AVCC sample contains an IDR slice (nal_unit_type 5, H.264 7.4.1.2.4).
bool has_idr_slice(const frame& f);

/// The frames of `rendition` in `out`, in output order.
std::vector<frame> frames_of(const std::vector<rung_frame>& out, const std::string& rendition);

/// A fresh directory under the build's test-tmp (or /tmp), removed by the caller.
std::string make_temp_dir();

/// Runs a shell command; true on exit status 0.
bool run(const std::string& command);

}  // namespace onair::media::test
