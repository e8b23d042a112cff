#pragma once
/// Seam through which HLS delivery reports viewer activity to the viewer-session actors.
#include <string>

namespace onair::net::hls {

class viewer_observer {
 public:
  virtual ~viewer_observer() = default;
  /// A viewer session fetched a playlist of `room_id`. Throttled by net/ to at most once per second
  /// per session, so it is never on the per-part path. `session` is the `sid` query parameter handed
  /// out with the master playlist, or "ip|user-agent" for players that fetch a media playlist directly.
  virtual void on_viewer_activity(const std::string& room_id, const std::string& session) = 0;
};

}  // namespace onair::net::hls
