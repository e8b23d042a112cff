#include "actors/ingest_gateway.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <chrono>
#include <spdlog/spdlog.h>

#include "actors/messages.hpp"
#include "actors/node_metrics.hpp"
#include "media/digest.hpp"

namespace onair::actors {

namespace {

using namespace std::chrono_literals;

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Forwards one publish session to its stream actor. Calls arrive in order on the connection's strand;
/// anon_send keeps that order (one sender, one receiver).
class stream_sink final : public net::rtmp::ingest_sink {
 public:
  stream_sink(caf::actor stream, std::shared_ptr<node_metrics> metrics)
      : stream_(std::move(stream)), metrics_(std::move(metrics)) {}
  void on_metadata(media::stream_metadata md) override { caf::anon_send(stream_, meta_atom::value, std::move(md)); }
  void on_video_config(media::video_config cfg) override { caf::anon_send(stream_, config_atom::value, std::move(cfg)); }
  void on_audio_config(media::audio_config cfg) override { caf::anon_send(stream_, config_atom::value, std::move(cfg)); }
  void on_frame(media::frame f) override {
    ++metrics_->frames_in;
    caf::anon_send(stream_, frame_atom::value, timed_frame{std::move(f), steady_ns()});
  }
  void on_media_warning(std::string what) override { caf::anon_send(stream_, warn_atom::value, std::move(what)); }
  void on_end() override { caf::anon_send(stream_, end_atom::value); }

 private:
  caf::actor stream_;
  std::shared_ptr<node_metrics> metrics_;
};

}  // namespace

ingest_gateway::ingest_gateway(caf::actor_system& sys, caf::actor directory, std::shared_ptr<node_metrics> metrics,
                               bool open_publish)
    : sys_(sys), directory_(std::move(directory)), metrics_(std::move(metrics)), open_publish_(open_publish) {}

void ingest_gateway::on_publish(net::rtmp::publish_request req,
                                std::function<void(net::rtmp::publish_decision)> reply) {
  auto dir = directory_;
  auto metrics = metrics_;
  auto open_name = open_publish_ ? req.stream_key : std::string{};
  sys_.spawn([=](caf::event_based_actor* self) {
    publish_attempt attempt{req.connection_id, req.peer, req.kick, open_name};
    self->request(dir, 10s, publish_atom::value, media::sha256_hex(req.stream_key), std::move(attempt))
        .then(
            [=](const caf::actor& stream) {
              net::rtmp::publish_decision d;
              d.sink = std::make_shared<stream_sink>(stream, metrics);
              reply(std::move(d));
            },
            [=](caf::error& err) {
              net::rtmp::publish_decision d;
              std::string msg;
              if (err.context().match_elements<std::string>()) msg = err.context().get_as<std::string>(0);
              if (err.category() == caf::atom("onair") && err.code() == static_cast<std::uint8_t>(api_errc::not_found)) {
                d.status_code = "NetStream.Publish.BadName";
                d.description = "onair: invalid stream key";
              } else if (err.category() == caf::atom("onair") &&
                         err.code() == static_cast<std::uint8_t>(api_errc::conflict)) {
                d.status_code = "NetStream.Publish.Denied";
                d.description = "onair: " + msg;
              } else if (err.category() == caf::atom("onair") &&
                         err.code() == static_cast<std::uint8_t>(api_errc::unavailable)) {
                // A draining node: the encoder should go to another node (its DNS or load balancer).
                d.status_code = "NetStream.Publish.Denied";
                d.description = "onair: " + msg;
              } else {
                d.status_code = "NetStream.Publish.Failed";
                d.description = "onair: the node could not start the stream: " + caf::to_string(err);
              }
              spdlog::warn("rtmp connection {} from {}: publish refused: {}", req.connection_id, req.peer,
                           d.description);
              reply(std::move(d));
            });
  });
}

void viewer_tracker::on_viewer_activity(const std::string& room_id, const std::string& session) {
  caf::anon_send(registry_, activity_atom::value, room_id, session);
}

}  // namespace onair::actors
