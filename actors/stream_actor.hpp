#pragma once
/// The stream actor: one per live publish session, on the ingest node. Owns the session's configs, its
/// GOP cache (so a subscriber that joins mid-stream starts on a keyframe) and its subscribers
/// (the room's packager today; transcoders and edge relays later).
#include <caf/fwd.hpp>
#include <cstddef>
#include <string>

namespace onair::actors {

struct stream_options {
  bool audio_only = false;               ///< radio room: video from the publisher is ignored
  std::size_t gop_cache_max_frames = 1024;    ///< bound of the GOP cache; the oldest frames go first
  std::size_t gop_cache_max_bytes = 8 << 20;
};

/// Handles (from the ingest sink, in publish order):
///   (meta_atom, stream_metadata), (config_atom, video_config), (config_atom, audio_config),
///   (frame_atom, timed_frame), (end_atom)  -> tells subscribers (end_atom, false), the room
///                                              (unpub_atom, self) and quits
///   (subscribe_atom, caf::actor)           -> replays begin + GOP cache, then live frames
caf::actor spawn_stream_actor(caf::actor_system& sys, std::string room_id, caf::actor room, caf::actor first_subscriber,
                              stream_options opts);

}  // namespace onair::actors
