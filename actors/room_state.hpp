#pragma once
/// The room actor's state and what its parts share: the behavior (room_actor.cpp) and the handoff of
/// its ownership by a draining node (room_handoff.cpp). Private to those files.
#include <caf/message_handler.hpp>
#include <caf/stateful_actor.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/room_actor.hpp"
#include "media/hls_packager.hpp"
#include "storage/records.hpp"

namespace onair::actors {

inline constexpr auto storage_timeout = std::chrono::seconds(10);

struct current_publisher {
  caf::actor stream;
  std::function<void()> kick;
  std::uint64_t connection_id = 0;
};

struct room_state {
  storage::room_record rec;
  room_deps deps;
  std::uint64_t viewers = 0;
  std::optional<current_publisher> publisher;
  std::map<std::string, caf::actor> packagers;  ///< by rendition: the source's and each rung's
  std::map<std::string, media::variant_info> variants;  ///< master playlist lines reported by packagers
  std::vector<std::string> live_rungs;  ///< rungs the transcoder feeds now (ladder order)
  std::string transcode_status;
  std::string media_warning;  ///< this publish session's unusable media (e.g. a codec other than H.264)
  std::uint64_t dropped_frames = 0;  ///< source frames the packager rejected (all sessions)
  std::string master;
  std::vector<caf::actor> edges;  ///< edge nodes' room actors following this node's renditions
  caf::actor chat;  ///< the room's chat channel (owner) or chat relay (other nodes), spawned on first join
  /// HLS edge: the origin node this node follows (one upstream flow per node), and its copy per rendition.
  std::string edge_origin;
  std::map<std::string, media::rendition_snapshot_ptr> edge_snaps;
  bool is_owner() const { return rec.owner_node.empty() || rec.owner_node == deps.node_id; }
};

using room_actor = caf::stateful_actor<room_state>;

/// Installs a newer record: a copy from the owner (through the directory), or this node's own
/// handoff. Moves the chat actor when the owner changed, follows the origin, reports to the directory.
void apply_replica(room_actor* self, const storage::room_record& rec);

/// (handoff_atom, std::string node) -> room_record: the owner gives the room to `node` (drain).
caf::message_handler room_handoff_handlers(room_actor* self);

}  // namespace onair::actors
