#include "actors/api_gateway.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <chrono>

#include "actors/messages.hpp"
#include "actors/node_metrics.hpp"
#include "actors/version.hpp"
#include "media/digest.hpp"

namespace onair::actors {

namespace {
using namespace std::chrono_literals;
constexpr auto api_timeout = 15s;
}  // namespace

api_gateway::api_gateway(caf::actor_system& sys, caf::actor directory, caf::actor storage, caf::actor cluster,
                         std::shared_ptr<node_metrics> metrics, std::string node_id, public_endpoints endpoints)
    : sys_(sys),
      directory_(std::move(directory)),
      storage_(std::move(storage)),
      cluster_(std::move(cluster)),
      metrics_(std::move(metrics)),
      node_id_(std::move(node_id)),
      endpoints_(std::move(endpoints)) {}

net::api::error api_gateway::to_api_error(const caf::error& err) {
  if (err.category() == caf::atom("onair")) {
    std::string msg;
    if (err.context().match_elements<std::string>()) msg = err.context().get_as<std::string>(0);
    switch (static_cast<api_errc>(err.code())) {
      case api_errc::bad_request: return {400, "bad_request", msg};
      case api_errc::unauthorized: return {401, "unauthorized", msg};
      case api_errc::forbidden: return {403, "forbidden", msg};
      case api_errc::not_found: return {404, "not_found", msg};
      case api_errc::conflict: return {409, "conflict", msg};
      case api_errc::invalid_argument: return {422, "invalid_argument", msg};
      case api_errc::internal: return {500, "internal", msg};
      case api_errc::unavailable: return {503, "unavailable", msg};
    }
  }
  if (err == caf::sec::request_timeout)
    return {503, "unavailable", "the node did not answer in time; retry"};
  return {500, "internal", caf::to_string(err)};
}

void api_gateway::decorate(net::api::room_view& v, const net::api::caller& who) const {
  const std::string host = !endpoints_.host.empty() ? endpoints_.host : !who.host.empty() ? who.host : "localhost";
  // rtmp_url is the "Server" of OBS/Larix; the publish URL is rtmp_url + "/" + stream_key (docs/api.md).
  v.rtmp_url = "rtmp://" + host + ":" + std::to_string(endpoints_.rtmp_port) + "/live";
  v.hls_url = "http://" + host + ":" + std::to_string(endpoints_.http_port) + "/hls/" + v.id + "/master.m3u8";
  // Radio rooms have no picture; a video room's thumbnail answers 404 until its first keyframe is in.
  if (v.kind == net::api::room_kind::video)
    v.thumbnail_url = "http://" + host + ":" + std::to_string(endpoints_.http_port) + "/api/rooms/" + v.id + "/thumbnail.jpg";
}

template <class T, class Make>
void api_gateway::ask(const net::api::caller& who, Make make, reply<T> done) {
  auto dir = directory_;
  auto storage = storage_;
  auto token = who.bearer_token;
  auto fail = [done](const caf::error& err) { done(to_api_error(err)); };
  auto finish = [this, who, done](T value) {
    if constexpr (std::is_same_v<T, net::api::room_view>) {
      decorate(value, who);
    } else if constexpr (std::is_same_v<T, net::api::room_page>) {
      for (auto& r : value.rooms) decorate(r, who);
    }
    done(std::move(value));
  };
  sys_.spawn([=](caf::event_based_actor* self) {
    auto send_to_directory = [=](const principal& p) {
      auto pending = self->request(dir, api_timeout, make(p));
      if constexpr (std::is_same_v<T, std::monostate>)
        pending.then([=]() { finish(std::monostate{}); }, [=](caf::error& err) { fail(err); });
      else
        pending.then([=](T& value) { finish(std::move(value)); }, [=](caf::error& err) { fail(err); });
    };
    if (token.empty()) {
      send_to_directory(principal{});
      return;
    }
    self->request(storage, api_timeout, token_atom::value, media::sha256_hex(token))
        .then([=](const storage::token_record& t) { send_to_directory(principal{t.name, t.role}); },
              [=](caf::error& err) { fail(err); });
  });
}

void api_gateway::create_room(net::api::caller who, net::api::create_room_request req, reply<net::api::room_view> done) {
  ask<net::api::room_view>(who, [req](const principal& p) { return caf::make_message(create_atom::value, p, req); },
                           std::move(done));
}

void api_gateway::list_rooms(net::api::caller who, net::api::list_rooms_request req, reply<net::api::room_page> done) {
  ask<net::api::room_page>(who, [req](const principal&) { return caf::make_message(list_atom::value, req); },
                           std::move(done));
}

void api_gateway::get_room(net::api::caller who, std::string id, reply<net::api::room_view> done) {
  ask<net::api::room_view>(who, [id](const principal&) { return caf::make_message(get_atom::value, id); },
                           std::move(done));
}

void api_gateway::patch_room(net::api::caller who, std::string id, net::api::patch_room_request req,
                             reply<net::api::room_view> done) {
  ask<net::api::room_view>(
      who, [id, req](const principal& p) { return caf::make_message(patch_atom::value, p, id, req); }, std::move(done));
}

void api_gateway::end_room(net::api::caller who, std::string id, reply<net::api::room_view> done) {
  ask<net::api::room_view>(who, [id](const principal& p) { return caf::make_message(end_atom::value, p, id); },
                           std::move(done));
}

void api_gateway::rotate_key(net::api::caller who, std::string id, reply<net::api::room_view> done) {
  ask<net::api::room_view>(who, [id](const principal& p) { return caf::make_message(rotate_atom::value, p, id); },
                           std::move(done));
}

void api_gateway::delete_room(net::api::caller who, std::string id, reply<std::monostate> done) {
  ask<std::monostate>(who, [id](const principal& p) { return caf::make_message(delete_atom::value, p, id); },
                      std::move(done));
}

void api_gateway::drain_node(net::api::caller who, std::string id, reply<net::api::drain_view> done) {
  if (id == "self") id = node_id_;  // the node the request reached (onair drain, scripts)
  ask<net::api::drain_view>(who, [id](const principal& p) { return caf::make_message(drain_atom::value, p, id); },
                            std::move(done));
}

void api_gateway::get_node(net::api::caller, reply<net::api::node_info> done) {
  auto dir = directory_;
  auto id = node_id_;
  sys_.spawn([=](caf::event_based_actor* self) {
    self->request(dir, api_timeout, stats_atom::value)
        .then([=](const node_stats& s) { done(net::api::node_info{id, version(), s.rooms, s.live, s.viewers}); },
              [=](caf::error& err) { done(to_api_error(err)); });
  });
}

void api_gateway::metrics(reply<std::string> done) {
  auto dir = directory_;
  auto m = metrics_;
  sys_.spawn([=](caf::event_based_actor* self) {
    self->request(dir, api_timeout, stats_atom::value)
        .then([=](const node_stats& s) { done(render_prometheus(*m, s.rooms, s.live, s.viewers)); },
              [=](caf::error& err) { done(to_api_error(err)); });
  });
}

void api_gateway::get_cluster(net::api::caller, reply<net::api::cluster_view> done) {
  auto cluster = cluster_;
  sys_.spawn([=](caf::event_based_actor* self) {
    self->request(cluster, api_timeout, cluster_atom::value)
        .then([=](net::api::cluster_view& v) { done(std::move(v)); }, [=](caf::error& err) { done(to_api_error(err)); });
  });
}

void api_gateway::room_ingest(net::api::caller, std::string id, std::string region, reply<net::api::ingest_view> done) {
  auto dir = directory_;
  auto cluster = cluster_;
  sys_.spawn([=](caf::event_based_actor* self) {
    // The room must exist; then the best node for a DJ in `region` (least loaded there, else anywhere).
    self->request(dir, api_timeout, get_atom::value, id)
        .then(
            [=](const net::api::room_view&) {
              self->request(cluster, api_timeout, ingest_atom::value, region)
                  .then([=](net::api::ingest_view& v) { done(std::move(v)); },
                        [=](caf::error& err) { done(to_api_error(err)); });
            },
            [=](caf::error& err) { done(to_api_error(err)); });
  });
}

}  // namespace onair::actors
