#pragma once
/// Durable records kept in RocksDB (encoded with msgpack; docs/architecture.md lists the key layout).
#include <cstdint>
#include <string>
#include <vector>

namespace onair::storage {

/// A room's durable metadata. Secrets are kept only as SHA-256 hex digests.
struct room_record {
  std::string id;                 ///< public id, URL-safe
  std::string owner;              ///< name of the token that created it
  std::string title;
  std::string description;
  std::uint8_t kind = 0;          ///< 0 video, 1 audio (net::api::room_kind)
  std::vector<std::string> tags;
  std::uint8_t status = 0;        ///< 0 ready, 1 live, 2 ended (net::api::room_status)
  std::string stream_key_hash;    ///< sha256 hex of the stream key
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::uint64_t next_msn = 0;     ///< HLS media sequence to continue from after a restart (never resets)
  std::uint64_t discontinuity_seq = 0;  ///< EXT-X-DISCONTINUITY-SEQUENCE to continue from
  // ---- cluster (format v2; a v1 value decodes with these at their defaults) ----
  std::uint64_t version = 0;      ///< bumped by the owner on every change; replicas keep the newest
  std::string home_region;        ///< placement prefers nodes here (given at creation or the creator's)
  std::string owner_node;         ///< node id whose room actor is the authority ("" = this node, v1 data)
  std::uint64_t owner_epoch = 0;  ///< bumped whenever ownership moves; (owner_epoch, version) orders copies
  std::string origin_node;        ///< node the live stream runs on ("" when not live)
  bool deleted = false;           ///< tombstone: kept so anti-entropy never brings a deleted room back
  // ---- transcoding (format v2) ----
  bool ladder_set = false;        ///< false: the node's default ladder; true: `ladder` (possibly empty)
  std::vector<std::string> ladder;      ///< rung names chosen for this room ([] = passthrough only)
  std::vector<std::string> renditions;  ///< renditions live now, in master playlist order
  std::string transcode_status;   ///< why the room serves fewer renditions than asked ("" = all well)
  bool operator==(const room_record&) const = default;
};

/// True when `a` is a newer copy of the same room than `b` (replication keeps the newest). A higher
/// epoch always wins (fencing: whatever an old owner wrote loses to the new owner's first record). Two
/// owners with the same epoch only arise when two nodes took over from views that disagreed for a
/// moment; the smaller node id wins then, on every node alike, and the other one yields.
inline bool newer_than(const room_record& a, const room_record& b) {
  if (a.owner_epoch != b.owner_epoch) return a.owner_epoch > b.owner_epoch;
  if (a.owner_node != b.owner_node && !a.owner_node.empty() && !b.owner_node.empty())
    return a.owner_node < b.owner_node;
  return a.version > b.version;
};

/// An API token. The token itself is shown once by `onair token create`; only its hash is stored.
struct token_record {
  std::string name;
  std::string role;               ///< "dj" or "admin"
  std::string token_hash;         ///< sha256 hex of the token
  std::int64_t created_at_ms = 0;
  bool operator==(const token_record&) const = default;
};

}  // namespace onair::storage
