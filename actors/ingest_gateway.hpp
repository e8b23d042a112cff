#pragma once
/// Implements net's RTMP publish seam: a publish name is a stream key; its SHA-256 finds the room
/// through the directory, the room decides (and replaces an older publisher), and the accepted session's
/// media goes to the new stream actor with one anon_send per call.
#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <memory>

#include "net/hls/viewer_observer.hpp"
#include "net/rtmp/publish_handler.hpp"

namespace onair::actors {

struct node_metrics;

class ingest_gateway final : public net::rtmp::publish_handler {
 public:
  /// With `open_publish`, a publish name no room has as its key creates a room named after it
  /// (trusted networks and benchmarks only: anyone who can reach the port can publish).
  ingest_gateway(caf::actor_system& sys, caf::actor directory, std::shared_ptr<node_metrics> metrics,
                 bool open_publish = false);
  void on_publish(net::rtmp::publish_request req, std::function<void(net::rtmp::publish_decision)> reply) override;

 private:
  caf::actor_system& sys_;
  caf::actor directory_;
  std::shared_ptr<node_metrics> metrics_;
  bool open_publish_ = false;
};

/// Reports HLS viewer activity to the viewer registry actor.
class viewer_tracker final : public net::hls::viewer_observer {
 public:
  explicit viewer_tracker(caf::actor registry) : registry_(std::move(registry)) {}
  void on_viewer_activity(const std::string& room_id, const std::string& session) override;

 private:
  caf::actor registry_;
};

}  // namespace onair::actors
