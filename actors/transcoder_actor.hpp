#pragma once
/// The transcoder actor: one per live publish session of a room with a ladder, on the ingest node,
/// detached (libav calls block for milliseconds). It subscribes to the stream actor like a packager,
/// decodes the source once, feeds each rung's packager its encoded frames (keyframes aligned with the
/// source's), makes the room's thumbnails, and drops to passthrough — saying why — when the node has no
/// capacity left or the transcoder falls behind real time.
#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <map>
#include <memory>
#include <string>

#include "actors/transcode_options.hpp"

namespace onair::actors {

struct node_metrics;

struct transcoder_setup {
  std::string room_id;
  caf::actor room;
  bool audio_room = false;
  std::vector<media::video_rung> video_rungs;  ///< the room's rungs (video rooms); skipped at/above source
  std::vector<media::audio_rung> audio_rungs;  ///< the room's rungs (audio rooms)
  std::map<std::string, caf::actor> packagers;  ///< one per rung name
  std::shared_ptr<const transcode_options> opts;
  std::shared_ptr<transcode_budget> budget;
  std::shared_ptr<node_metrics> metrics;
  bool budget_taken = false;  ///< a remote placement took the budget before spawning
  bool thumbnails = true;     ///< false for a transcoder placed on another node (the origin makes them)
};

/// Handles the stream's (begin_atom, v, a), (config_atom, v, a), (frame_atom, timed_frame), (end_atom, bool),
/// and the same with wire_configs from a transcode link (another node). Sends each rung's packager
/// (begin_atom / config_atom, wire_configs), (frame_atom, timed_frame), (end_atom, false); sends the room
/// (rungs_atom, vector<string> live rungs, std::string status) whenever they change, (thumb_atom,
/// std::string jpeg) every thumbnail interval, and (transcode_atom) when this node has no capacity left
/// (the room then asks for a placement on another node of its region).
caf::actor spawn_transcoder_actor(caf::actor_system& sys, transcoder_setup setup);

/// On the ingest node, for a transcoder placed on another node: subscribes to the stream like a
/// packager and forwards the session to `remote` in wire form. If the remote transcoder goes away, ends
/// the rung packagers' sessions and tells the room (passthrough only, with the reason).
caf::actor spawn_transcode_link(caf::actor_system& sys, std::string room_id, caf::actor room, caf::actor remote,
                                std::vector<caf::actor> packagers);

}  // namespace onair::actors
