#pragma once
/// Typed requests and responses of the REST API (docs/api.md). net/ turns JSON into these and back;
/// actors/ implements the behaviour, so no JSON library crosses the folder boundary.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace onair::net::api {

enum class room_kind : std::uint8_t { video, audio };
enum class room_status : std::uint8_t { ready, live, ended };

/// A room as the API shows it.
struct room_view {
  std::string id;
  std::string title;
  std::string description;
  room_kind kind = room_kind::video;
  std::vector<std::string> tags;
  room_status status = room_status::ready;
  std::string owner;                      ///< name of the token that created it
  std::int64_t created_at_ms = 0;         ///< Unix ms; rendered as RFC 3339 UTC
  std::int64_t updated_at_ms = 0;
  std::uint64_t viewers = 0;              ///< live HLS viewer sessions
  std::optional<std::string> stream_key;  ///< only in create and rotate-key responses
  std::string rtmp_url;                   ///< rtmp://HOST:PORT/live/ (+ key when stream_key is set)
  std::string hls_url;                    ///< http://HOST:PORT/hls/ID/master.m3u8
  std::optional<std::vector<std::string>> ladder;  ///< rungs chosen for the room; nullopt = node default
  std::vector<std::string> renditions;    ///< renditions live now ("source", "480p", ...)
  std::string transcoding;                ///< "" or why fewer renditions than asked are served
  std::string thumbnail_url;              ///< video rooms: http://HOST:PORT/api/rooms/ID/thumbnail.jpg
  bool has_stream = false;                ///< ingest statistics below are known (the room is live)
  std::uint32_t ingest_kbps = 0;          ///< publisher's bitrate over the last 2 s
  double fps = 0;                         ///< publisher's video frames per second over the last 2 s
  std::uint64_t dropped_frames = 0;       ///< source frames the server could not package
};

struct create_room_request {
  std::string title;             ///< 1..200 characters
  std::string description;       ///< up to 2000 characters
  room_kind kind = room_kind::video;
  std::vector<std::string> tags; ///< up to 20 tags of 1..40 characters
  std::string region;            ///< home region (1..64 characters); "" = the creating node's region
  std::optional<std::vector<std::string>> ladder;  ///< rung names ([] = passthrough only); nullopt = default
};

struct patch_room_request {
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::vector<std::string>> ladder;  ///< takes effect at the next publish
};

struct list_rooms_request {
  std::optional<room_status> status;
  std::string q;              ///< case-insensitive substring of title, description or a tag
  std::size_t limit = 50;     ///< 1..200
  std::string cursor;         ///< opaque, from a previous next_cursor
};

struct room_page {
  std::vector<room_view> rooms;
  std::string next_cursor;    ///< empty on the last page
};

/// An API error: rendered as {"error": {"code": code, "message": message}} with `status`.
struct error {
  int status = 500;
  std::string code;           ///< e.g. "not_found", "invalid_argument", "unauthorized"
  std::string message;
};

template <class T>
using result = std::variant<T, error>;

/// Who is calling, as far as HTTP can tell.
struct caller {
  std::string bearer_token;   ///< from "Authorization: Bearer ..." (empty if absent)
  std::string host;           ///< the Host header without the port, for building URLs
};

/// Node-level information for GET /api/node (and the URLs printed at start).
struct node_info {
  std::string node_id;
  std::string version;
  std::uint64_t rooms = 0;
  std::uint64_t live_streams = 0;
  std::uint64_t viewers = 0;
};

/// One node as GET /api/cluster shows it.
struct cluster_node {
  std::string node_id;
  std::string region;
  std::string zone;
  std::string state;        ///< alive, suspect, dead, left
  std::string host;         ///< advertised address
  std::uint16_t rtmp_port = 0, http_port = 0, caf_port = 0, gossip_port = 0;
  std::uint32_t rooms = 0, streams = 0, viewers = 0;
  std::uint16_t cpu_pct = 0;
  bool draining = false;
  bool self = false;        ///< the node answering
  bool linked = false;      ///< a direct CAF connection to it is up (always true for self)
};

/// Which node owns a room (its room actor) and where its stream is ingested (origin).
struct cluster_room {
  std::string id;
  std::string title;
  std::string status;       ///< ready, live, ended
  std::string owner_node;
  std::string origin_node;  ///< empty when nobody publishes
};

struct cluster_view {
  std::string node_id;      ///< the node answering
  std::vector<cluster_node> nodes;
  std::vector<cluster_room> rooms;
  std::vector<std::string> unreachable;  ///< nodes whose rooms could not be listed in time
};

/// GET /api/rooms/{id}/ingest?region=R: where a DJ in region R should publish.
struct ingest_view {
  std::string node_id;
  std::string region;
  std::string rtmp_url;     ///< rtmp://HOST:PORT/live (append "/" + stream key)
};

/// POST /api/nodes/{id}/drain: the node's drain (docs/cluster.md, "Drain").
struct drain_view {
  std::string node_id;
  std::uint64_t rooms = 0;       ///< rooms the node still owns (they go to the next node one by one)
  std::uint64_t publishers = 0;  ///< streams ingested there (they may end until the deadline)
  std::uint64_t deadline_s = 0;  ///< seconds until the remaining publishers are closed
};

}  // namespace onair::net::api
