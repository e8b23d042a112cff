#pragma once
/// Test helper: real H.264 (libx264) and AAC (native encoder) frames, as RTMP ingest would hand them
/// to a packager (AVCC NAL units, raw AAC, millisecond timestamps).
#include <cstdint>
#include <optional>
#include <vector>

#include "media/frame.hpp"

namespace onair::media::test {

struct source_options {
  double seconds = 6.0;
  int fps = 30;
  int gop = 60;               ///< keyframe interval in frames
  int width = 320, height = 240;
  int b_frames = 2;           ///< > 0 gives composition offsets (cts)
  bool video = true;
  bool audio = true;
  int sample_rate = 44100;
  int channels = 2;
  std::int64_t start_ms = 1000;  ///< RTMP timestamps rarely start at 0
};

struct test_stream {
  std::optional<video_config> video;
  std::optional<audio_config> audio;
  std::vector<frame> frames;  ///< interleaved in DTS order, as an RTMP connection delivers them
};

/// Encodes a moving test pattern and a tone; aborts the test binary if the encoders are missing.
test_stream make_test_stream(const source_options& opts);

/// The same stream cached per option set (encoding costs ~0.1-1 s; tests reuse it).
const test_stream& cached_stream(const source_options& opts);

}  // namespace onair::media::test
