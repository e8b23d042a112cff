#pragma once
/// HLS Content Steering (RFC 8216bis 4.4.6.6 and 7; docs/hls-steering.md): which nodes a player may
/// fetch a room from, in which order. The cluster actor fills the table on every membership change; HTTP
/// threads read it to steer master playlists, to serve the steering manifest and to send new viewers of a
/// draining node elsewhere. No Beast and no cluster types here: actors/ converts gossip members.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace onair::net::hls {

/// Seconds a player keeps a steering manifest before it reloads it (the manifest's TTL). Short, so that a
/// drain moves players within a few seconds; each reload is one small JSON request per player.
inline constexpr int steering_ttl_s = 5;

/// One cluster node as gossip describes it: the input of steering_table::update.
struct steering_member {
  std::string node_id;
  std::string region;
  std::string host;             ///< advertised address (--advertise): what viewers dial
  std::uint16_t http_port = 0;  ///< 0 = not known yet
  bool alive = false;           ///< gossip says alive (not suspect, dead or left)
  bool draining = false;
};

/// A node a player may fetch a room's playlists and media from.
struct pathway {
  std::string id;        ///< PATHWAY-ID: the node id with characters outside [A-Za-z0-9._-] as '_'
  std::string node_id;
  std::string region;
  std::string base_url;  ///< "http://{host}:{http port}"
  bool operator==(const pathway&) const = default;
};

/// One immutable state of the table.
struct steering_view {
  std::string self_id;       ///< this node's id (empty before the first update)
  std::string self_region;
  bool self_draining = false;
  /// Alive, non-draining nodes with a known HTTP port, in priority order: this node first (when it is
  /// one of them), then its region's nodes, then the others (each group by region, then node id).
  std::vector<pathway> pathways;

  /// This node's pathway, or nullptr when it is draining (or the table is empty).
  const pathway* self() const;
  /// The first pathway that is not this node, or nullptr.
  const pathway* first_other() const;
  /// More than one pathway: master playlists carry steering. A lone node's stay as the packager wrote them.
  bool steered() const { return pathways.size() > 1; }
};

/// Thread-safe: update() swaps in a new view under a mutex; readers copy the shared_ptr and never hold
/// the lock while they use it.
class steering_table {
 public:
  steering_table();

  /// Rebuilds the view from this node and the other members (any state: the dead, the left, the
  /// draining and those without an HTTP port are dropped here).
  void update(const steering_member& self, const std::vector<steering_member>& others);
  /// The current view; never null (an empty view before the first update).
  std::shared_ptr<const steering_view> view() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const steering_view> view_;
};

/// A legal Pathway ID for a node id (RFC 8216bis 7.1: characters [a-z], [A-Z], [0-9], '.', '-', '_').
std::string pathway_id(std::string_view node_id);

/// `uri` with "sid={sid}" appended to its query.
std::string with_session_id(std::string_view uri, std::string_view sid);

/// The master playlist a viewer of this node gets when `v.steered()`: EXT-X-CONTENT-STEERING naming the
/// steering manifest (relative, in `room_dir`) and the first pathway, then every variant and rendition once
/// per pathway in priority order, each with PATHWAY-ID, its own rendition GROUP-IDs and, for other nodes,
/// absolute URIs. Every URI keeps `sid`. `room_dir` is the raw request path up to the master's name
/// ("/hls/{room}/"). A master that already carries steering is only given sids.
std::string steer_master(std::string_view master, std::string_view sid, const steering_view& v,
                         std::string_view room_dir);

/// The steering manifest (RFC 8216bis 7.1) of `v`: VERSION 1, TTL, PATHWAY-PRIORITY in the table's order
/// and RELOAD-URI on the first pathway's node (relative when that is this node), carrying `sid` when
/// non-empty. With no healthy pathway at all, the priority is this node alone: it still serves.
std::string steering_manifest(const steering_view& v, std::string_view room_dir, std::string_view sid);

}  // namespace onair::net::hls
