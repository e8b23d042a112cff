#pragma once
/// The chat relay actor: one per room on every node that does not own the room (docs/cluster.md,
/// "Chat relay"). Local chat sessions talk to it exactly as to a chat channel; it forwards their joins,
/// frames and leaves to the owner's channel and fans the channel's broadcasts out to its local members,
/// so a chat message crosses to each node once, not once per viewer.
#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <string>

namespace onair::actors {

/// Handles the chat channel's session interface (join_atom, leave_atom, cframe_atom, system_atom,
/// delete_atom) and, from the owner's channel, (rframe_atom, conn, text, droppable) and
/// (rclose_atom, conn, code, reason); conn 0 means every member. `directory` finds the owner's channel.
caf::actor spawn_chat_relay(caf::actor_system& sys, std::string room_id, caf::actor directory);

}  // namespace onair::actors
