#pragma once
/// Atoms and message types exchanged by the node's actors.
///
/// Types that cross nodes have `inspect` overloads (actors/cluster_types.hpp, principal below) and are
/// registered by add_cluster_types(); the rest stay inside one node (sinks, kick functions, frames with
/// shared buffers) and are whitelisted with CAF_ALLOW_UNSAFE_MESSAGE_TYPE.
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "media/frame.hpp"
#include "media/hls_packager.hpp"
#include "actors/cluster_types.hpp"
#include "cluster/gossip_node.hpp"
#include "cluster/swim.hpp"
#include "net/chat/chat_handler.hpp"
#include "net/http/api_types.hpp"
#include "storage/chat_records.hpp"
#include "storage/records.hpp"

namespace onair::actors {

// Atoms are at most 10 characters (CAF 0.17).
using create_atom = caf::atom_constant<caf::atom("create")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using get_atom = caf::atom_constant<caf::atom("get")>;
using patch_atom = caf::atom_constant<caf::atom("patch")>;
using end_atom = caf::atom_constant<caf::atom("end")>;
using rotate_atom = caf::atom_constant<caf::atom("rotate")>;
using delete_atom = caf::atom_constant<caf::atom("delete")>;
using put_atom = caf::atom_constant<caf::atom("put")>;
using token_atom = caf::atom_constant<caf::atom("token")>;
using publish_atom = caf::atom_constant<caf::atom("publish")>;
using unpub_atom = caf::atom_constant<caf::atom("unpublish")>;
using update_atom = caf::atom_constant<caf::atom("update")>;
using removed_atom = caf::atom_constant<caf::atom("removed")>;
using viewer_atom = caf::atom_constant<caf::atom("viewer")>;
using activity_atom = caf::atom_constant<caf::atom("activity")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using begin_atom = caf::atom_constant<caf::atom("begin")>;
using config_atom = caf::atom_constant<caf::atom("config")>;
using meta_atom = caf::atom_constant<caf::atom("meta")>;
using frame_atom = caf::atom_constant<caf::atom("frame")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using sequence_atom = caf::atom_constant<caf::atom("sequence")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;
// Chat (issue #3).
using chat_atom = caf::atom_constant<caf::atom("chat")>;
using join_atom = caf::atom_constant<caf::atom("join")>;
using leave_atom = caf::atom_constant<caf::atom("leave")>;
using cframe_atom = caf::atom_constant<caf::atom("cframe")>;
using system_atom = caf::atom_constant<caf::atom("system")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using presence_atom = caf::atom_constant<caf::atom("presence")>;
using loaded_atom = caf::atom_constant<caf::atom("loaded")>;
using chat_app_atom = caf::atom_constant<caf::atom("chatapp")>;
using chat_after_atom = caf::atom_constant<caf::atom("chatafter")>;
using chat_fill_atom = caf::atom_constant<caf::atom("chatfill")>;  ///< store what is missing (drain)
using chat_last_atom = caf::atom_constant<caf::atom("chatlast")>;
using chat_bnd_atom = caf::atom_constant<caf::atom("chatbnd")>;
using chat_del_atom = caf::atom_constant<caf::atom("chatdel")>;
using chat_trim_atom = caf::atom_constant<caf::atom("chattrim")>;
using chat_drop_atom = caf::atom_constant<caf::atom("chatdrop")>;
using mod_put_atom = caf::atom_constant<caf::atom("modput")>;
using mod_get_atom = caf::atom_constant<caf::atom("modget")>;
// Cluster (issue #4).
using rooms_atom = caf::atom_constant<caf::atom("rooms")>;
using cluster_atom = caf::atom_constant<caf::atom("cluster")>;
using ingest_atom = caf::atom_constant<caf::atom("ingest")>;
using linked_atom = caf::atom_constant<caf::atom("linked")>;
using link_fail_atom = caf::atom_constant<caf::atom("linkfail")>;
using replicate_atom = caf::atom_constant<caf::atom("replicate")>;  ///< room records, newest wins
using digest_atom = caf::atom_constant<caf::atom("digest")>;        ///< anti-entropy: id -> (epoch, version)
using pull_atom = caf::atom_constant<caf::atom("pull")>;            ///< anti-entropy: send me these ids
using peer_up_atom = caf::atom_constant<caf::atom("peerup")>;
using peer_down_atom = caf::atom_constant<caf::atom("peerdown")>;
using members_atom = caf::atom_constant<caf::atom("members")>;
using owner_atom = caf::atom_constant<caf::atom("owner")>;          ///< a request forwarded to the owner
using origin_atom = caf::atom_constant<caf::atom("origin")>;        ///< stream started/stopped on a node
using viewers_atom = caf::atom_constant<caf::atom("viewers")>;      ///< per-node viewer counts
using dir_atom = caf::atom_constant<caf::atom("directory")>;
using hls_sub_atom = caf::atom_constant<caf::atom("hlssub")>;
using hls_unsub_atom = caf::atom_constant<caf::atom("hlsunsub")>;
using hls_upd_atom = caf::atom_constant<caf::atom("hlsupd")>;
using relay_atom = caf::atom_constant<caf::atom("relay")>;          ///< a chat relay registers with a channel
using rjoin_atom = caf::atom_constant<caf::atom("rjoin")>;
using rleave_atom = caf::atom_constant<caf::atom("rleave")>;
using rcframe_atom = caf::atom_constant<caf::atom("rcframe")>;
using rframe_atom = caf::atom_constant<caf::atom("rframe")>;        ///< channel -> relay: a rendered frame
using rclose_atom = caf::atom_constant<caf::atom("rclose")>;
/// channel -> relay: a connection's welcome and history are out; it gets broadcasts from now on.
using rlive_atom = caf::atom_constant<caf::atom("rlive")>;
// Failover and drain (issue #13).
using backup_atom = caf::atom_constant<caf::atom("backup")>;  ///< the chat's second copy, on another node
using moved_atom = caf::atom_constant<caf::atom("moved")>;    ///< the room's owner changed: chat reconnects
using drain_atom = caf::atom_constant<caf::atom("drain")>;    ///< take this node out of service
using handoff_atom = caf::atom_constant<caf::atom("handoff")>;  ///< a draining owner gives a room away
using hello_atom = caf::atom_constant<caf::atom("hello")>;  ///< a node that dialed names itself to the peer
// Transcoding (issue #5).
using rungs_atom = caf::atom_constant<caf::atom("rungs")>;      ///< transcoder -> room: live rungs + status
using variant_atom = caf::atom_constant<caf::atom("variant")>;  ///< packager -> room: its master line
using thumb_atom = caf::atom_constant<caf::atom("thumb")>;      ///< a new JPEG thumbnail
using transcode_atom = caf::atom_constant<caf::atom("transcode")>;  ///< place a transcoder on another node
using warn_atom = caf::atom_constant<caf::atom("warn")>;        ///< media the node cannot use (room status)

/// Who is acting: resolved from an API token by the API gateway.
struct principal {
  std::string name;  ///< token name ("" for anonymous)
  std::string role;  ///< "admin", "dj" or "" (anonymous)
  bool is_admin() const { return role == "admin"; }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, principal& x) {
  return f(caf::meta::type_name("onair_principal"), x.name, x.role);
}

/// A publish attempt, forwarded from the RTMP seam to the room that owns the key.
struct publish_attempt {
  std::uint64_t connection_id = 0;
  std::string peer;
  std::function<void()> kick;  ///< closes the RTMP connection (thread-safe)
  /// Set only in open-publish mode (a trusted network): the publish name, which then names the room
  /// when no room has it as a key, like nginx-rtmp, SRS and MediaMTX by default.
  std::string open_name;
};

/// A frame plus when ingest received it (steady clock, ns) for the ingest→part latency metric.
struct timed_frame {
  media::frame f;
  std::int64_t received_ns = 0;  ///< the ingest node's steady clock: meaningful on that node only
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, timed_frame& x) {
  return f(caf::meta::type_name("onair_timed_frame"), x.f, x.received_ns);
}

/// What the directory shows in lists: a room's record plus its live viewer count.
struct room_summary {
  storage::room_record record;
  std::uint64_t viewers = 0;
};

/// Node-wide counters for GET /api/node and /metrics.
struct node_stats {
  std::uint64_t rooms = 0;
  std::uint64_t live = 0;
  std::uint64_t viewers = 0;
};

/// Error categories carried in caf::error: the API gateway maps them to HTTP statuses.
enum class api_errc : std::uint8_t {
  bad_request = 1,
  unauthorized,
  forbidden,
  not_found,
  conflict,
  invalid_argument,
  internal,
  unavailable,  ///< the node that must act (a room's owner) cannot be reached now: retry
};

/// A caf::error in the "onair" category with a human-readable message in its context.
inline caf::error make_api_error(api_errc code, std::string message) {
  return caf::error{static_cast<std::uint8_t>(code), caf::atom("onair"), caf::make_message(std::move(message))};
}

}  // namespace onair::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(onair::actors::publish_attempt)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(onair::actors::room_summary)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(onair::actors::node_stats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(onair::media::stream_metadata)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<onair::media::video_config>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<onair::media::audio_config>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(onair::media::sequence_state)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(onair::media::variant_info)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(onair::media::shared_bytes)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(onair::net::api::room_page)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(onair::net::api::list_rooms_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<onair::net::chat::session_sink>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<std::uint64_t>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(onair::cluster::member_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(onair::cluster::member)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<onair::cluster::member>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<onair::cluster::gossip_node>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(onair::net::api::cluster_view)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(onair::net::api::ingest_view)
