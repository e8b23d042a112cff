#pragma once
/// The seam between RTMP ingest (net/) and the stream actors (actors/ implements it).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "media/frame.hpp"

namespace onair::net::rtmp {

/// Receives one accepted publish session's media. Called from the connection's strand, in order;
/// implementations must not block (actors/ forwards each call with one anon_send).
class ingest_sink {
 public:
  virtual ~ingest_sink() = default;
  virtual void on_metadata(media::stream_metadata md) = 0;
  virtual void on_video_config(media::video_config cfg) = 0;
  virtual void on_audio_config(media::audio_config cfg) = 0;
  virtual void on_frame(media::frame f) = 0;
  /// Media the server cannot use (a codec other than H.264/AAC): `what` says what is dropped and why.
  /// Called once per track per session; the session goes on with the other track.
  virtual void on_media_warning(std::string what) = 0;
  /// The publisher unpublished (FCUnpublish/deleteStream), disconnected, was kicked or failed.
  /// Called exactly once, last.
  virtual void on_end() = 0;
};

/// What a connection asks for when the client sends `publish` (RTMP spec 7.2.2.6).
struct publish_request {
  std::uint64_t connection_id = 0;
  std::string app;         ///< from connect's tcUrl/app, e.g. "live"
  std::string stream_key;  ///< the publish name, e.g. the secret stream key
  std::string peer;        ///< remote "ip:port", for logs
  /// Thread-safe and idempotent: closes this connection (used when a newer publisher takes the key).
  /// The session then calls ingest_sink::on_end().
  std::function<void()> kick;
};

/// The answer to a publish_request. With a sink the publish is accepted (NetStream.Publish.Start);
/// without one it is refused with `status_code` and `description` in an onStatus level "error",
/// which ffmpeg and OBS print, and the connection closes.
struct publish_decision {
  std::shared_ptr<ingest_sink> sink;
  std::string status_code = "NetStream.Publish.BadName";
  std::string description;
};

/// Decides publishes. `reply` may be called from any thread, exactly once.
class publish_handler {
 public:
  virtual ~publish_handler() = default;
  virtual void on_publish(publish_request req, std::function<void(publish_decision)> reply) = 0;
};

}  // namespace onair::net::rtmp
