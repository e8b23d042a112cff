#pragma once
/// RocksDB key layout (docs/storage.md, "Key layout"). One keyspace, one prefix per record kind, so a
/// prefix scan lists one kind in key (byte) order.
#include <cstddef>
#include <cstdint>
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

/// `chat/<room>/<seq as 16 lower-case hex digits>` → chat message value. Fixed-width hex makes byte
/// order equal numeric order, so a room's history is one contiguous, seq-ordered key range.
inline constexpr std::string_view chat_prefix = "chat/";
/// `chatmod/<room>` → the room's moderation value. Never inside a `chat/` scan: byte 4 is `m`, not `/`.
inline constexpr std::string_view chat_moderation_prefix = "chatmod/";
/// Width of the sequence number in a chat key.
inline constexpr std::size_t chat_seq_digits = 16;

/// A room id usable in chat keys: non-empty and without '/'. A '/' would let room "a/x" share the key
/// range of room "a", so the store refuses such ids (std::errc::invalid_argument) rather than escape them.
inline bool valid_chat_room(std::string_view room) {
  return !room.empty() && room.find('/') == std::string_view::npos;
}
/// `chat/<room>/`: every message of the room, and nothing of any other room (room "a" vs "ab": the
/// trailing '/' ends the id).
inline std::string chat_room_prefix(std::string_view room) {
  std::string k(chat_prefix);
  k.append(room).push_back('/');
  return k;
}
/// The first key after the room's range (`chat/<room>0`, '0' being the byte after '/'): the exclusive
/// upper bound for iterators and DeleteRange.
inline std::string chat_room_end(std::string_view room) {
  std::string k(chat_prefix);
  k.append(room).push_back('/' + 1);
  return k;
}
/// Key of message `seq` of `room`.
inline std::string chat(std::string_view room, std::uint64_t seq) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string k = chat_room_prefix(room);
  const std::size_t at = k.size();
  k.resize(at + chat_seq_digits);
  for (std::size_t i = chat_seq_digits; i-- > 0; seq >>= 4) k[at + i] = hex[seq & 0xf];
  return k;
}
/// Reads the sequence number from the last 16 bytes of a chat key; false if they are not 16
/// lower-case hex digits (a key this code did not write).
inline bool parse_chat_seq(std::string_view key, std::uint64_t& seq) {
  if (key.size() < chat_seq_digits) return false;
  std::uint64_t v = 0;
  for (char c : key.substr(key.size() - chat_seq_digits)) {
    int d = 0;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else return false;
    v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  seq = v;
  return true;
}
/// Key of the room's moderation state.
inline std::string chat_moderation(std::string_view room) {
  return std::string(chat_moderation_prefix).append(room);
}

}  // namespace onair::storage::keys
