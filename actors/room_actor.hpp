#pragma once
/// The room actor: one per room, on its owner node. Owns the room's metadata and lifecycle
/// READY → LIVE → ENDED, the stream-key lease (which publisher is current), the viewer count, and the
/// room's packager. Every change is written through the storage actor before it is acknowledged.
#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "actors/chat_options.hpp"
#include "actors/transcode_options.hpp"
#include "media/hls_packager.hpp"
#include "storage/records.hpp"

namespace onair::net::hls {
class index;
}

namespace onair::actors {

struct node_metrics;

/// What a room needs from its node.
struct room_deps {
  std::string node_id;  ///< this node (owner_node / origin_node values name nodes by id)
  std::string region;   ///< this node's region: the home region of rooms created here without one
  caf::actor storage;
  caf::actor directory;
  /// Where the room's chat channel writes: the chat replicator (a second copy on the backup node), or
  /// null to write to `storage` alone (deterministic tests). Filled in by the directory.
  caf::actor chat_store;
  std::shared_ptr<net::hls::index> index;
  std::shared_ptr<node_metrics> metrics;
  media::packager_options packager;  ///< part/segment/window (name and audio_only set per room)
  std::shared_ptr<const chat_options> chat = std::make_shared<chat_options>();
  /// Ladders and thumbnails (null: no transcoder at all, e.g. deterministic tests) and the node's budget.
  std::shared_ptr<const transcode_options> transcode;
  std::shared_ptr<transcode_budget> budget;
  /// Drain (actors/drain.cpp): how long to wait for publishers, and what ends the process once the
  /// node holds nothing (the node's graceful shutdown; empty in tests, which watch the metrics).
  std::chrono::seconds drain_timeout{60};
  std::function<void()> on_drained;
};

/// Rung names a room of `kind` (0 video, 1 audio) may choose on this node.
std::vector<std::string> offered_rungs(const room_deps& deps, std::uint8_t kind);

/// Handles:
///   (get_atom)                                  -> room_view
///   (patch_atom, principal, patch_room_request) -> room_view
///   (end_atom, principal)                       -> room_view     (409 if already ended)
///   (rotate_atom, principal)                    -> room_view with the new stream_key
///   (delete_atom, principal)                    -> unit, then the room quits
///   (publish_atom, publish_attempt)             -> stream actor | error (ended room)
///   (unpub_atom, caf::actor stream), (sequence_atom, sequence_state), (viewer_atom, int delta)
///   (chat_atom)                                 -> (chat channel actor, owner name)
///   (shutdown_atom)                             -> unit once the room's state is durable
/// Reports (update_atom, room_record, viewers) and (removed_atom, id) to the directory.
caf::actor spawn_room_actor(caf::actor_system& sys, storage::room_record rec, room_deps deps);

}  // namespace onair::actors
