#pragma once
/// The node's room directory: spawns one room actor per room, keeps the summaries that lists and search
/// read, and the stream-key index that routes a publish to its room.
#include <caf/fwd.hpp>
#include <vector>

#include "actors/room_actor.hpp"
#include "storage/records.hpp"

namespace onair::actors {

/// Handles:
///   (create_atom, principal, create_room_request)  -> room_view with stream_key
///   (list_atom, list_rooms_request)                -> room_page
///   (get_atom, id) / (patch_atom, principal, id, patch) / (end_atom, principal, id) /
///   (rotate_atom, principal, id) / (delete_atom, principal, id)   -> delegated to the room
///   (publish_atom, std::string key_hash, publish_attempt)         -> delegated to the room | not_found
///   (viewer_atom, std::string id, int delta)       -> forwarded to the room
///   (stats_atom)                                   -> node_stats
///   (shutdown_atom)                                -> unit once every room is durable
/// `deps.directory` is filled in by the directory itself.
caf::actor spawn_directory_actor(caf::actor_system& sys, std::vector<storage::room_record> rooms, room_deps deps);

}  // namespace onair::actors
