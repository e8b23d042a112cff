#pragma once
/// Implements net's REST API seam with the node's actors: each call resolves the caller's token through
/// the storage actor, asks the directory (or a room through it) and answers through the callback. A
/// short-lived actor per request carries the exchange, so no Asio thread ever waits.
#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <memory>
#include <string>

#include "net/http/api_handler.hpp"

namespace onair::actors {

struct node_metrics;

/// How the node is reached, for the URLs in room responses.
struct public_endpoints {
  std::string host;               ///< configured public host; empty = the request's Host header
  std::uint16_t rtmp_port = 1935;
  std::uint16_t http_port = 8080;
};

class api_gateway final : public net::api::api_handler {
 public:
  api_gateway(caf::actor_system& sys, caf::actor directory, caf::actor storage, caf::actor cluster,
              std::shared_ptr<node_metrics> metrics, std::string node_id, public_endpoints endpoints);

  void create_room(net::api::caller who, net::api::create_room_request req, reply<net::api::room_view> done) override;
  void list_rooms(net::api::caller who, net::api::list_rooms_request req, reply<net::api::room_page> done) override;
  void get_room(net::api::caller who, std::string id, reply<net::api::room_view> done) override;
  void patch_room(net::api::caller who, std::string id, net::api::patch_room_request req,
                  reply<net::api::room_view> done) override;
  void end_room(net::api::caller who, std::string id, reply<net::api::room_view> done) override;
  void rotate_key(net::api::caller who, std::string id, reply<net::api::room_view> done) override;
  void delete_room(net::api::caller who, std::string id, reply<std::monostate> done) override;
  void get_node(net::api::caller who, reply<net::api::node_info> done) override;
  void metrics(reply<std::string> done) override;
  void get_cluster(net::api::caller who, reply<net::api::cluster_view> done) override;
  void room_ingest(net::api::caller who, std::string id, std::string region, reply<net::api::ingest_view> done) override;
  void drain_node(net::api::caller who, std::string id, reply<net::api::drain_view> done) override;

  /// Sets the HTTP port shown in URLs once the listener is bound (call before serving requests).
  void set_http_port(std::uint16_t port) { endpoints_.http_port = port; }

  /// Maps an actor-side error to the API's status and code (exposed for tests).
  static net::api::error to_api_error(const caf::error& err);

 private:
  /// Resolves the caller's token, then sends `xs...` (with the principal spliced in by `make`) to the
  /// directory and hands the typed reply to `done` after `decorate`.
  template <class T, class Make>
  void ask(const net::api::caller& who, Make make, reply<T> done);
  void decorate(net::api::room_view& v, const net::api::caller& who) const;

  caf::actor_system& sys_;
  caf::actor directory_;
  caf::actor storage_;
  caf::actor cluster_;
  std::shared_ptr<node_metrics> metrics_;
  std::string node_id_;
  public_endpoints endpoints_;
};

}  // namespace onair::actors
