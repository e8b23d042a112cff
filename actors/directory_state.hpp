#pragma once
/// The directory actor's state and the helpers its parts share: the behavior (directory_actor.cpp),
/// replication and anti-entropy (directory_replication.cpp), and ownership, failover and fencing
/// (ownership.cpp). Private to those files.
#include <caf/event_based_actor.hpp>
#include <caf/message_handler.hpp>
#include <caf/stateful_actor.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/cluster_types.hpp"
#include "actors/messages.hpp"
#include "actors/room_actor.hpp"
#include "cluster/member.hpp"
#include "storage/records.hpp"

namespace onair::actors {

struct room_entry {
  caf::actor actor;
  room_summary summary;  ///< viewers = this node's viewers
};

struct directory_state {
  room_deps deps;
  std::unordered_map<std::string, room_entry> rooms;
  std::unordered_map<std::string, storage::room_record> tombstones;  ///< deleted rooms, never revived
  std::unordered_map<std::string, std::string> by_key_hash;          ///< sha256(stream key) -> room id
  std::unordered_map<std::string, caf::actor> peers;                 ///< node id -> its directory
  std::vector<cluster::member> members;                              ///< gossip view, for placement
  std::unordered_map<std::string, std::map<std::string, std::uint64_t>> remote_viewers;  ///< node -> room -> n
  std::map<std::string, std::uint64_t> viewers_sent;
  /// Ingest statistics: of this node's streams (with the tick they were last refreshed), and per peer.
  struct stream_stats {
    std::uint32_t kbps = 0;
    double fps = 0;
    std::uint64_t dropped = 0;
    std::uint64_t tick = 0;
  };
  std::map<std::string, stream_stats> local_stats;
  std::unordered_map<std::string, std::map<std::string, stream_stats>> remote_stats;
  std::uint64_t ticks = 0;
  /// This node sees a strict majority of the cluster's last known non-left members alive (always true
  /// on a standalone node). Without it the node neither takes over rooms nor changes the ones it owns.
  bool majority = true;
  /// Drain (drain.cpp): started by POST /api/nodes/{id}/drain; this node takes no new rooms or
  /// publishers, hands the rooms it owns on, and ends the process once it holds nothing.
  struct drain_progress {
    bool active = false;
    bool finished = false;
    std::chrono::steady_clock::time_point deadline{};  ///< publishers still here then are closed
  } drain;
  /// Rooms a drain is handing on (chat being copied, then the handoff): id -> the node taking it.
  std::map<std::string, std::string> handing_off;
  caf::actor cluster;  ///< this node's cluster actor (registered by the node; told when a drain starts)
  std::minstd_rand rng{std::random_device{}()};
};

using directory_actor = caf::stateful_actor<directory_state>;

/// True when this node owns the record (or the record predates the cluster fields).
bool is_mine(const directory_state& st, const storage::room_record& r);
/// A room's viewers over every node: `local` plus what each peer reported.
std::uint64_t total_viewers(const directory_state& st, const std::string& id, std::uint64_t local);
/// Keeps the stream-key index in step with a record that changed from `old` to `rec`.
void index_key(directory_state& st, const storage::room_record& old, const storage::room_record& rec);
/// Spawns the room's actor and indexes it.
void add_room(directory_actor* self, storage::room_record rec);
/// Sends records to every linked peer (a change made here by the owner, or a new room).
void replicate(directory_actor* self, std::vector<storage::room_record> recs);
/// Stores a record without anyone waiting for it (errors are logged).
void persist(directory_actor* self, const storage::room_record& rec);
/// Applies a copy of a room from a peer when it is newer than ours (storage::newer_than).
void apply_remote(directory_actor* self, const storage::room_record& rec);
/// Anti-entropy digest: (id, epoch, version, owner) of every room and tombstone.
room_digest make_digest(const directory_state& st);
/// A room or tombstone by id, or nullptr.
const storage::room_record* find_any(const directory_state& st, const std::string& id);

/// Ownership (ownership.cpp): after every membership change and on every tick, takes over the rooms
/// whose owner is gone when this node is their successor and sees a majority (epoch + 1), and clears
/// the origin of rooms it owns whose origin node is gone.
void check_ownership(directory_actor* self);
/// The node that would take `rec` over from this one: the first alive node of the room's succession
/// order other than this node that has a CAF link here (its id and directory). It keeps the second
/// copy of the room's chat, and a drain hands the room to it.
std::optional<std::pair<std::string, caf::actor>> linked_heir(const directory_state& st, const storage::room_record& rec);
/// True when the room's stream is ingested on this node.
bool streams_here(const directory_state& st, const storage::room_record& rec);
/// Drain (drain.cpp): hands the next rooms on and ends the process when done; called every tick.
void drain_tick(directory_actor* self);
/// (drain_atom, principal, node id) -> drain_view: starts draining this node or forwards to `node`;
/// (cluster_atom, actor) registers the node's cluster actor.
caf::message_handler drain_handlers(directory_actor* self);
/// Handlers for ownership and the chat backup: (backup_atom, id) -> the peer directory that keeps the
/// second copy of the room's chat, (backup_atom, <storage request>) from a peer's chat channel.
caf::message_handler ownership_handlers(directory_actor* self);

}  // namespace onair::actors
