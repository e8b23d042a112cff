#pragma once
/// The node's room directory: a replica of every room in the cluster (docs/cluster.md, "Room
/// directory"). Spawns one room actor per room, keeps the summaries that lists and search read and the
/// stream-key index that routes a publish to its room, sends requests that change a room to the room's
/// owner, replicates the owner's changes to every peer (newest (epoch, version) wins, tombstones for
/// deletions) and runs anti-entropy with digests.
#include <caf/fwd.hpp>
#include <vector>

#include "actors/room_actor.hpp"
#include "storage/records.hpp"

namespace onair::actors {

/// Handles:
///   (create_atom, principal, create_room_request)  -> room_view with stream_key
///   (list_atom, list_rooms_request)                -> room_page
///   (get_atom, id)                                 -> room_view (viewers summed over nodes)
///   (patch_atom, principal, id, patch) / (end_atom, principal, id) /
///   (rotate_atom, principal, id) / (delete_atom, principal, id)   -> done by the owner's room actor
///   (owner_atom, ...)                              the same, forwarded from another node
///   (origin_atom, id, node, live, msn, disc, renditions, status, routed)  a stream started/stopped or
///                                                  its renditions changed; recorded by the owner
///   (hls_sub_atom / hls_unsub_atom, id, origin, edge room, routed)  HLS edge subscriptions
///   (relay_atom, id)                               -> (owner's chat channel, owner name)
///   (replicate_atom, records) / (digest_atom, from, digest) / (pull_atom, from, ids)  replication
///   (peer_up_atom, node, directory) / (peer_down_atom, node) / (members_atom, members)  from the cluster
///   (viewers_atom, node_viewers)                   a peer's viewer counts
///   (rooms_atom)                                   -> vector<cluster_room> (owner and origin per room)
///   (publish_atom, std::string key_hash, publish_attempt)         -> delegated to the room | not_found
///   (viewer_atom, std::string id, int delta)       -> forwarded to the room
///   (stats_atom)                                   -> node_stats
///   (shutdown_atom)                                -> unit once every room is durable
/// `deps.directory` is filled in by the directory itself.
caf::actor spawn_directory_actor(caf::actor_system& sys, std::vector<storage::room_record> rooms, room_deps deps);

}  // namespace onair::actors
