#pragma once
/// The chat channel actor: one per room, owned by the room. Holds the room's chat members (their
/// WebSocket sinks), sequence numbers, recent history, moderation state and reaction counts. Every
/// accepted message is written to RocksDB (group commit: one synced batch per write round) before it is
/// acknowledged and broadcast; every outgoing frame is rendered once and shared by every member; a slow
/// member is handled by its own bounded queue (net/), so the channel never waits for anyone.
#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <memory>
#include <string>

#include "actors/chat_options.hpp"

namespace onair::actors {

struct node_metrics;

/// Handles:
///   (join_atom, conn_id, user_info, shared_ptr<session_sink>, optional<uint64_t> since)
///   (leave_atom, conn_id)
///   (cframe_atom, conn_id, client_frame)   msg, reaction and moderation frames of a joined member
///   (system_atom, std::string event)       "live", "ready", "ended" from the room
///   (delete_atom)                          room deleted: close every member (4004), drop history, quit
caf::actor spawn_chat_channel(caf::actor_system& sys, std::string room_id, std::shared_ptr<const chat_options> opts,
                              caf::actor storage, std::shared_ptr<node_metrics> metrics);

}  // namespace onair::actors
