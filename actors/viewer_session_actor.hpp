#pragma once
/// HLS viewer sessions. A viewer is a session that fetched a playlist within the idle timeout; each
/// one is an actor that tells its room when it arrives and when it goes idle, so the room's `viewers`
/// counts people, not requests. Never on the per-part path: HTTP reports activity at most once a second.
#include <caf/fwd.hpp>
#include <chrono>

namespace onair::actors {

/// The per-node registry: handles (activity_atom, std::string room_id, std::string session) and spawns
/// or refreshes one viewer-session actor per (room, session). Sessions send (viewer_atom, room, +1/-1)
/// to `directory`. `idle_timeout` is how long a session counts without fetching.
caf::actor spawn_viewer_registry(caf::actor_system& sys, caf::actor directory, std::chrono::milliseconds idle_timeout);

}  // namespace onair::actors
