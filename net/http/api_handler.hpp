#pragma once
/// The seam between the HTTP API (net/) and the room actors (actors/ implements it).
#include <functional>
#include <string>
#include <variant>

#include "net/http/api_types.hpp"

namespace onair::net::api {

/// Every call answers through its callback exactly once, from any thread; implementations never block
/// the calling (Asio) thread. Validation of shapes and limits happens in net/ before the call;
/// authorization, existence and state checks happen in the implementation.
class api_handler {
 public:
  template <class T>
  using reply = std::function<void(result<T>)>;

  virtual ~api_handler() = default;
  virtual void create_room(caller who, create_room_request req, reply<room_view> done) = 0;
  virtual void list_rooms(caller who, list_rooms_request req, reply<room_page> done) = 0;
  virtual void get_room(caller who, std::string id, reply<room_view> done) = 0;
  virtual void patch_room(caller who, std::string id, patch_room_request req, reply<room_view> done) = 0;
  virtual void end_room(caller who, std::string id, reply<room_view> done) = 0;
  virtual void rotate_key(caller who, std::string id, reply<room_view> done) = 0;
  virtual void delete_room(caller who, std::string id, reply<std::monostate> done) = 0;
  virtual void get_node(caller who, reply<node_info> done) = 0;
  /// Prometheus text exposition (format 0.0.4) for GET /metrics.
  virtual void metrics(reply<std::string> done) = 0;
  /// GET /api/cluster. A handler without a cluster (e.g. a test double) answers 404.
  virtual void get_cluster(caller, reply<cluster_view> done) {
    done(error{404, "not_found", "this node is not part of a cluster"});
  }
  /// GET /api/rooms/{id}/ingest?region=R (region may be empty: the caller's node's region).
  virtual void room_ingest(caller, std::string, std::string, reply<ingest_view> done) {
    done(error{404, "not_found", "this node is not part of a cluster"});
  }
  /// POST /api/nodes/{id}/drain (admin): takes node `id` out of service (docs/cluster.md, "Drain").
  virtual void drain_node(caller, std::string, reply<drain_view> done) {
    done(error{404, "not_found", "this node is not part of a cluster"});
  }
};

}  // namespace onair::net::api
