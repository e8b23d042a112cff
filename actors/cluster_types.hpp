#pragma once
/// CAF inspectors for the types that cross nodes, and the wire-only types of the cluster paths. Every
/// type a message carries between nodes is registered under a stable name by add_cluster_types() on
/// every node (CAF 0.17 serializes by registered name; an unregistered type fails at the sender).
///
/// std::optional and enums have no inspector in CAF 0.17: they travel as a flag + value (or the
/// underlying integer) copied out on save and written back by a load_callback on load.
#include <caf/actor.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/sec.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "media/bytes.hpp"
#include "media/frame.hpp"
#include "media/transcoder.hpp"
#include "net/chat/chat_frames.hpp"
#include "net/http/api_types.hpp"
#include "storage/chat_records.hpp"
#include "storage/records.hpp"

namespace onair::actors {

/// One HLS change from an origin's packager to an edge (docs/cluster.md, "HLS edge path"): the new
/// playlist and counters of the rendition, the files added since the previous update (bytes copied
/// once into the message, which CAF sends unchanged to every edge) and the file names that left the
/// window. `full` replaces everything the edge holds (first update of a subscription).
struct hls_update {
  std::string room;
  std::string master;  ///< master playlist ("" = unchanged)
  std::string rendition;
  std::string playlist;
  std::uint64_t first_msn = 0;
  std::uint64_t next_msn = 0;
  std::uint32_t next_part = 0;
  double target_duration_s = 2;
  double part_target_s = 0.333;
  bool audio_only = false;
  bool ended = false;
  bool full = false;
  std::vector<std::string> added_names;
  std::vector<std::string> added_bytes;
  std::vector<std::string> removed;
  std::int64_t origin_sent_ns = 0;  ///< origin's system clock when sent (edge latency metric, same host)
  std::string thumbnail;            ///< a new JPEG thumbnail of the room ("" = unchanged)
};

/// Anti-entropy digest: which version of every room (tombstones included) a node holds.
struct room_digest {
  std::vector<std::string> ids;
  std::vector<std::uint64_t> epochs;
  std::vector<std::uint64_t> versions;
  std::vector<std::string> owners;  ///< owner_node per id: breaks a tie between two owners of one epoch
};

/// One node's live viewer count per room (rooms with none are left out); totals are summed per room.
struct node_viewers {
  std::string node;
  std::vector<std::string> rooms;
  std::vector<std::uint64_t> counts;
  /// Ingest statistics of the streams this node is the origin of (admin page), per room.
  std::vector<std::string> stream_rooms;
  std::vector<std::uint32_t> ingest_kbps;
  std::vector<double> fps;
  std::vector<std::uint64_t> dropped_frames;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, room_digest& x) {
  return f(caf::meta::type_name("onair_room_digest"), x.ids, x.epochs, x.versions, x.owners);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_viewers& x) {
  return f(caf::meta::type_name("onair_node_viewers"), x.node, x.rooms, x.counts, x.stream_rooms, x.ingest_kbps, x.fps,
           x.dropped_frames);
}

/// Source or rung configs as they cross nodes (std::optional has no CAF 0.17 inspector).
struct wire_configs {
  bool has_video = false;
  media::video_config video;
  bool has_audio = false;
  media::audio_config audio;

  static wire_configs from(const std::optional<media::video_config>& v, const std::optional<media::audio_config>& a) {
    return {v.has_value(), v.value_or(media::video_config{}), a.has_value(), a.value_or(media::audio_config{})};
  }
  std::optional<media::video_config> v() const { return has_video ? std::optional(video) : std::nullopt; }
  std::optional<media::audio_config> a() const { return has_audio ? std::optional(audio) : std::nullopt; }
};

/// Asks a node to transcode a room whose stream runs elsewhere (issue #5, "Placement"): the rungs, the
/// origin's packager of each rung (the encoded frames go back to them) and the origin's room actor
/// (status and thumbnails).
struct transcode_request {
  std::string room_id;
  caf::actor room;
  bool audio_room = false;
  std::vector<media::video_rung> video_rungs;
  std::vector<media::audio_rung> audio_rungs;
  std::vector<std::string> packager_names;
  std::vector<caf::actor> packagers;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, wire_configs& x) {
  return f(caf::meta::type_name("onair_wire_configs"), x.has_video, x.video, x.has_audio, x.audio);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, transcode_request& x) {
  return f(caf::meta::type_name("onair_transcode_request"), x.room_id, x.room, x.audio_room, x.video_rungs,
           x.audio_rungs, x.packager_names, x.packagers);
}

/// Registers every cross-node type with `cfg` (call before the actor system starts, on every node).
void add_cluster_types(caf::actor_system_config& cfg);

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, hls_update& x) {
  return f(caf::meta::type_name("onair_hls_update"), x.room, x.master, x.rendition, x.playlist, x.first_msn,
           x.next_msn, x.next_part, x.target_duration_s, x.part_target_s, x.audio_only, x.ended, x.full,
           x.added_names, x.added_bytes, x.removed, x.origin_sent_ns, x.thumbnail);
}

}  // namespace onair::actors

namespace onair::media {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, video_config& x) {
  return f(caf::meta::type_name("onair_video_config"), x.avcc, x.width, x.height, x.profile, x.constraints, x.level,
           x.frame_rate);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audio_config& x) {
  return f(caf::meta::type_name("onair_audio_config"), x.asc, x.object_type, x.sample_rate, x.channels);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, video_rung& x) {
  return f(caf::meta::type_name("onair_video_rung"), x.name, x.height, x.video_kbps);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audio_rung& x) {
  return f(caf::meta::type_name("onair_audio_rung"), x.name, x.kbps);
}

/// A frame crosses nodes with its bytes copied once into the message (a bytes_view is a pointer into a
/// buffer of this process); on load it owns a fresh buffer.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, frame& x) {
  auto kind = static_cast<std::uint8_t>(x.kind);
  std::string data;
  if constexpr (Inspector::reads_state) {
    const auto sp = x.data.span();
    data.assign(reinterpret_cast<const char*>(sp.data()), sp.size());
  }
  return f(caf::meta::type_name("onair_frame"), kind, x.dts_ms, x.cts_ms, x.keyframe, data,
           caf::meta::load_callback([&]() -> caf::error {
             x.kind = static_cast<track_kind>(kind);
             x.data = whole(make_shared_bytes(std::vector<std::uint8_t>(data.begin(), data.end())));
             return caf::none;
           }));
}

}  // namespace onair::media

namespace onair::storage {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, token_record& x) {
  return f(caf::meta::type_name("onair_token_record"), x.name, x.role, x.token_hash, x.created_at_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_record& x) {
  return f(caf::meta::type_name("onair_chat_record"), x.seq, x.ts_ms, x.user_id, x.user_name, x.user_role, x.text,
           x.deleted);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_moderation::mute& x) {
  return f(caf::meta::type_name("onair_chat_mute"), x.user_id, x.until_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_moderation& x) {
  return f(caf::meta::type_name("onair_chat_moderation"), x.banned, x.muted, x.slow_mode_s, x.cleared_up_to);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, room_record& x) {
  return f(caf::meta::type_name("onair_room_record"), x.id, x.owner, x.title, x.description, x.kind, x.tags,
           x.status, x.stream_key_hash, x.created_at_ms, x.updated_at_ms, x.next_msn, x.discontinuity_seq,
           x.version, x.home_region, x.owner_node, x.owner_epoch, x.origin_node, x.deleted, x.ladder_set, x.ladder,
           x.renditions, x.transcode_status);
}

}  // namespace onair::storage

namespace onair::net::api {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_room& x) {
  return f(caf::meta::type_name("onair_cluster_room"), x.id, x.title, x.status, x.owner_node, x.origin_node);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, create_room_request& x) {
  auto kind = static_cast<std::uint8_t>(x.kind);
  bool has_ladder = x.ladder.has_value();
  std::vector<std::string> ladder = x.ladder.value_or(std::vector<std::string>{});
  return f(caf::meta::type_name("onair_create_room"), x.title, x.description, kind, x.tags, x.region, has_ladder,
           ladder, caf::meta::load_callback([&]() -> caf::error {
             x.kind = static_cast<room_kind>(kind);
             x.ladder = has_ladder ? std::optional<std::vector<std::string>>(ladder) : std::nullopt;
             return caf::none;
           }));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, patch_room_request& x) {
  bool has_title = x.title.has_value(), has_desc = x.description.has_value(), has_tags = x.tags.has_value();
  std::string title = x.title.value_or(""), desc = x.description.value_or("");
  std::vector<std::string> tags = x.tags.value_or(std::vector<std::string>{});
  bool has_ladder = x.ladder.has_value();
  std::vector<std::string> ladder = x.ladder.value_or(std::vector<std::string>{});
  return f(caf::meta::type_name("onair_patch_room"), has_title, title, has_desc, desc, has_tags, tags, has_ladder,
           ladder, caf::meta::load_callback([&]() -> caf::error {
             x.ladder = has_ladder ? std::optional<std::vector<std::string>>(ladder) : std::nullopt;
             x.title = has_title ? std::optional<std::string>(title) : std::nullopt;
             x.description = has_desc ? std::optional<std::string>(desc) : std::nullopt;
             x.tags = has_tags ? std::optional<std::vector<std::string>>(tags) : std::nullopt;
             return caf::none;
           }));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, drain_view& x) {
  return f(caf::meta::type_name("onair_drain_view"), x.node_id, x.rooms, x.publishers, x.deadline_s);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, room_view& x) {
  auto kind = static_cast<std::uint8_t>(x.kind);
  auto status = static_cast<std::uint8_t>(x.status);
  bool has_key = x.stream_key.has_value();
  std::string key = x.stream_key.value_or("");
  bool has_ladder = x.ladder.has_value();
  std::vector<std::string> ladder = x.ladder.value_or(std::vector<std::string>{});
  return f(caf::meta::type_name("onair_room_view"), x.id, x.title, x.description, kind, x.tags, status, x.owner,
           x.created_at_ms, x.updated_at_ms, x.viewers, has_key, key, x.rtmp_url, x.hls_url, has_ladder, ladder,
           x.renditions, x.transcoding, x.thumbnail_url, x.has_stream, x.ingest_kbps, x.fps, x.dropped_frames,
           caf::meta::load_callback([&]() -> caf::error {
             x.ladder = has_ladder ? std::optional<std::vector<std::string>>(ladder) : std::nullopt;
             x.kind = static_cast<room_kind>(kind);
             x.status = static_cast<room_status>(status);
             x.stream_key = has_key ? std::optional<std::string>(key) : std::nullopt;
             return caf::none;
           }));
}

}  // namespace onair::net::api

namespace onair::net::chat {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_info& x) {
  return f(caf::meta::type_name("onair_user_info"), x.id, x.name, x.role);
}

/// A chat client frame crosses nodes (chat relay → owner's channel) as its alternative's index plus
/// that alternative's fields; every alternative's fields are listed, unused ones stay empty.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, client_frame& x) {
  std::uint8_t idx = static_cast<std::uint8_t>(x.index());
  std::string s1, s2;
  std::uint64_t n = 0;
  bool has_n = false;
  std::visit(
      [&](auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, join_frame>) {
          s1 = v.nick, s2 = v.token, has_n = v.since.has_value(), n = v.since.value_or(0);
        } else if constexpr (std::is_same_v<T, msg_frame>) {
          s1 = v.text, s2 = v.client_id;
        } else if constexpr (std::is_same_v<T, reaction_frame>) {
          s1 = v.emoji;
        } else if constexpr (std::is_same_v<T, delete_frame>) {
          n = v.seq;
        } else if constexpr (std::is_same_v<T, mute_frame>) {
          s1 = v.user, n = v.seconds;
        } else if constexpr (std::is_same_v<T, ban_frame> || std::is_same_v<T, unban_frame>) {
          s1 = v.user;
        } else if constexpr (std::is_same_v<T, slow_mode_frame>) {
          n = v.seconds;
        }
      },
      x);
  return f(caf::meta::type_name("onair_client_frame"), idx, s1, s2, n, has_n,
           caf::meta::load_callback([&]() -> caf::error {
             switch (idx) {
               case 0: x = join_frame{s1, s2, has_n ? std::optional<std::uint64_t>(n) : std::nullopt}; break;
               case 1: x = msg_frame{s1, s2}; break;
               case 2: x = reaction_frame{s1}; break;
               case 3: x = delete_frame{n}; break;
               case 4: x = mute_frame{s1, static_cast<std::uint32_t>(n)}; break;
               case 5: x = ban_frame{s1}; break;
               case 6: x = unban_frame{s1}; break;
               case 7: x = slow_mode_frame{static_cast<std::uint32_t>(n)}; break;
               case 8: x = clear_frame{}; break;
               case 9: x = ping_frame{}; break;
               default: return caf::make_error(caf::sec::invalid_argument, "unknown chat frame index");
             }
             return caf::none;
           }));
}

}  // namespace onair::net::chat
