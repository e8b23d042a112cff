#pragma once
/// Transcoding settings of a node (docs/configuration.md, [transcode]) and its capacity budget.
#include <atomic>
#include <string>
#include <vector>

#include "media/transcoder.hpp"

namespace onair::actors {

struct transcode_options {
  /// Video rungs besides the source passthrough; a room may choose a subset (its `ladder`).
  std::vector<media::video_rung> video_ladder = media::default_video_ladder();
  /// Audio rooms: AAC rungs besides the source passthrough.
  std::vector<media::audio_rung> audio_ladder = media::default_audio_ladder();
  /// Ladders this node transcodes at once; 0 = one per two cores (at least one). A room beyond it is
  /// served passthrough only and says so in its `transcoding` status.
  unsigned max_ladders = 0;
  /// libx264 threads per rung (0 = libx264's choice).
  int encoder_threads = 1;
  /// A source frame that waited longer than this before the transcoder got to it means the node cannot
  /// keep up: the room drops to passthrough (never falls behind real time silently).
  double max_lag_s = 3.0;
  double thumbnail_interval_s = 10.0;  ///< video rooms: one JPEG this often (0 = no thumbnails)
  int thumbnail_width = 320;
};

/// Ladders running on this node, against transcode_options::max_ladders. Thread-safe.
class transcode_budget {
 public:
  explicit transcode_budget(unsigned max) : max_(max) {}
  bool try_take() {
    auto n = used_.load(std::memory_order_relaxed);
    do {
      if (n >= max_) return false;
    } while (!used_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
    return true;
  }
  void give_back() { used_.fetch_sub(1, std::memory_order_relaxed); }
  unsigned used() const { return used_.load(std::memory_order_relaxed); }
  unsigned max() const { return max_; }

 private:
  unsigned max_;
  std::atomic<unsigned> used_{0};
};

}  // namespace onair::actors
