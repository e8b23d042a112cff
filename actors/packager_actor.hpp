#pragma once
/// The packager actor: one per room and rendition. Wraps media::hls_packager, publishes every new
/// snapshot into the node's HLS index (read by HTTP threads without a round trip) and reports the
/// sequence state and its variant line to its room (which renders the master playlist).
///
/// It lives as long as its room (not one publish session), because a re-publish continues the same
/// playlist: the window keeps the previous session's segments and the media sequence carries on after an
/// EXT-X-DISCONTINUITY (DESIGN.md section 4).
#include <caf/fwd.hpp>
#include <memory>
#include <string>

#include "media/hls_packager.hpp"

namespace onair::net::hls {
class index;
}

namespace onair::actors {

struct node_metrics;

/// Handles (from the stream actor):
///   (begin_atom, optional<video_config>, optional<audio_config>)   a publish session starts
///   (config_atom, optional<video_config>, optional<audio_config>)  new sequence headers mid-session
///   (frame_atom, timed_frame)
///   (end_atom, bool final)          session over; final = room ended (EXT-X-ENDLIST)
///   (delete_atom)                   room deleted: drop its HLS files and quit
/// From its room: (meta_atom, master playlist) and (thumb_atom, jpeg), passed on to edges; from edges:
/// (subscribe_atom, edge) / (hls_unsub_atom, edge) (docs/cluster.md, "HLS edge path").
/// Sends `room` (sequence_atom, sequence_state) whenever a segment completes and
/// (variant_atom, name, variant_info) when its master playlist line changes.
caf::actor spawn_packager_actor(caf::actor_system& sys, std::string room_id, media::packager_options opts,
                                media::sequence_state start, caf::actor room, std::shared_ptr<net::hls::index> index,
                                std::shared_ptr<node_metrics> metrics);

}  // namespace onair::actors
