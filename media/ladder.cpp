#include "media/transcoder.hpp"

namespace onair::media {

std::vector<video_rung> default_video_ladder() {
  return {{"720p", 720, 2500}, {"480p", 480, 1000}};
}

std::vector<audio_rung> default_audio_ladder() {
  return {{"aac128", 128}, {"aac64", 64}};
}

std::vector<video_rung> rungs_below(const std::vector<video_rung>& ladder, int source_height) {
  std::vector<video_rung> out;
  for (const auto& r : ladder)
    if (r.height > 0 && r.height < source_height) out.push_back(r);
  return out;
}

}  // namespace onair::media
