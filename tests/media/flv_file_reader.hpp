#pragma once
/// Test and bench helper: the audio/video configs and frames of a whole FLV file (as written by
/// `ffmpeg -f flv`), parsed with the project's tag-body parser media/flv.hpp, as RTMP ingest would see them.
#include <optional>
#include <string>
#include <vector>

#include "media/frame.hpp"

namespace onair::media::test {

struct flv_file_contents {
  std::optional<video_config> video;  ///< the first AVC sequence header
  std::optional<audio_config> audio;  ///< the first AAC sequence header
  std::vector<frame> frames;          ///< every coded frame, in file (DTS) order
};

/// Reads `path`; nullopt when the file is missing or is not FLV. Frames are views into one buffer
/// holding the whole file.
std::optional<flv_file_contents> read_flv_file(const std::string& path);

}  // namespace onair::media::test
