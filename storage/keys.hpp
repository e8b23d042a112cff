#pragma once
/// RocksDB key layout (docs/storage.md, "Key layout"). One keyspace, one prefix per record kind, so a
/// prefix scan lists one kind in key (byte) order.
#include <string>
#include <string_view>

namespace onair::storage::keys {

/// `room/<id>` → room value.
inline constexpr std::string_view room_prefix = "room/";
/// `roomkey/<sha256 hex of stream key>` → room id (the ingest lookup, kept in the room's write batch).
inline constexpr std::string_view room_key_prefix = "roomkey/";
/// `token/<sha256 hex of token>` → token value.
inline constexpr std::string_view token_prefix = "token/";

/// Key of the room with this id.
inline std::string room(std::string_view id) { return std::string(room_prefix).append(id); }
/// Key of the stream-key index entry for this key hash.
inline std::string room_key(std::string_view key_hash) {
  return std::string(room_key_prefix).append(key_hash);
}
/// Key of the token with this hash.
inline std::string token(std::string_view token_hash) {
  return std::string(token_prefix).append(token_hash);
}

}  // namespace onair::storage::keys
