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
};

/// Handles the stream's (begin_atom, v, a), (config_atom, v, a), (frame_atom, timed_frame), (end_atom, bool).
/// Sends the room (rungs_atom, vector<string> live rungs, std::string status) whenever they change and
/// (thumb_atom, shared_bytes jpeg) every thumbnail interval.
caf::actor spawn_transcoder_actor(caf::actor_system& sys, transcoder_setup setup);

}  // namespace onair::actors
