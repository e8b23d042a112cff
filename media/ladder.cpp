#include "media/transcoder.hpp"

namespace onair::media {

std::vector<video_rung> default_video_ladder() {
  // 720p and 480p (issue #5), plus 360p for phones on weak networks: rungs at or above the source are
  // skipped, so a 720p publisher still gets two rungs below its own picture.
  return {{"720p", 720, 2500}, {"480p", 480, 1000}, {"360p", 360, 600}};
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
