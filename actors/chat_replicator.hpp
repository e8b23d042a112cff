#pragma once
/// The chat replicator: one per node, between the room's chat channel and RocksDB. It answers the chat
/// part of the storage actor's protocol, so the channel does not know it is there: reads go to this
/// node's storage, and every write goes to this node's storage and to the room's backup node, the next
/// node of the room's succession order (cluster/succession.hpp), which is the node that takes the room
/// over if this one dies. A batch is confirmed (and so acknowledged to its senders) only once both hold
/// it: an acknowledged message survives the loss of any one node (docs/chat-protocol.md, "Failover").
#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <memory>

namespace onair::actors {

struct node_metrics;

/// Handles what the chat channel sends its storage:
///   (chat_app_atom, room, vector<chat_record>) -> unit once stored here AND on the backup node
///                                                 (here only when no other node is linked)
///   (chat_del_atom, room, seq), (mod_put_atom, room, moderation) -> this node's answer; the backup
///                                                 gets the same change (best effort, logged)
///   (chat_trim_atom, ...) -> here and on the backup; (chat_drop_atom, room) -> here only (the backup
///   keeps its copy: a known gap, docs/cluster.md "Known limits")
///   (chat_bnd_atom / chat_last_atom / chat_after_atom / mod_get_atom, ...) -> this node's storage
/// `directory` answers (backup_atom, room) with the backup node's directory.
caf::actor spawn_chat_replicator(caf::actor_system& sys, caf::actor storage, caf::actor directory,
                                 std::shared_ptr<node_metrics> metrics);

}  // namespace onair::actors
