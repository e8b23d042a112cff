#pragma once
/// The node's RocksDB database: rooms (with a stream-key index) and API tokens.
/// Blocking calls: actors/ uses it only from a detached storage actor.
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "storage/chat_records.hpp"
#include "storage/errc.hpp"
#include "storage/records.hpp"

namespace onair::storage {

class store {
 public:
  /// Opens (creating if missing) the database in `dir`. A second open of the same directory fails
  /// with errc::locked (RocksDB's LOCK file), which the node reports as "data dir in use".
  static std::unique_ptr<store> open(const std::string& dir, std::error_code& ec);
  /// As above; on failure `detail` receives RocksDB's status text (e.g. the path and errno of an I/O
  /// error) for the operator's log line.
  static std::unique_ptr<store> open(const std::string& dir, std::error_code& ec, std::string& detail);
  ~store();

  /// RocksDB's status text of the most recent failed call on this store (empty if none failed yet):
  /// an errc::io_error alone does not say which file or why.
  std::string last_error() const;

  /// Inserts or replaces a room and keeps the stream-key index in the same atomic write batch.
  std::error_code put_room(const room_record& r);
  /// errc::not_found when absent.
  std::error_code get_room(const std::string& id, room_record& out) const;
  /// Removes a room and its key index entry; errc::not_found when absent.
  std::error_code delete_room(const std::string& id);
  /// All rooms, ordered by id (the directory of one node is small enough to hold in memory).
  std::error_code list_rooms(std::vector<room_record>& out) const;
  /// Looks up a room by the hash of its stream key; errc::not_found when no room has it.
  std::error_code find_room_by_key_hash(const std::string& key_hash, room_record& out) const;

  std::error_code put_token(const token_record& t);
  /// errc::not_found when no token has this hash.
  std::error_code find_token_by_hash(const std::string& token_hash, token_record& out) const;
  std::error_code list_tokens(std::vector<token_record>& out) const;

  // ---- chat history (issue #3): keys chat/<room>/<seq as 16 hex digits>, synced writes ----------

  /// Appends messages of one room in ONE synced write batch (group commit: the channel acks them all
  /// once this returns). Sequence numbers must be increasing.
  std::error_code append_chat(const std::string& room, const std::vector<chat_record>& batch);
  /// Stores the messages of `batch` (increasing seqs) that this store does not hold yet, in one synced
  /// write; held ones are kept as they are (a deletion mark stays). A node taking a room over from a
  /// draining one gets the whole history this way, also what is older than its own copies.
  std::error_code fill_chat(const std::string& room, const std::vector<chat_record>& batch);
  /// Messages with seq > after_seq in ascending order, at most `limit`.
  std::error_code chat_after(const std::string& room, std::uint64_t after_seq, std::size_t limit,
                             std::vector<chat_record>& out) const;
  /// The last `n` messages in ascending order.
  std::error_code chat_last(const std::string& room, std::size_t n, std::vector<chat_record>& out) const;
  /// Highest stored sequence number and the lowest still retained (both 0 when the room has none).
  std::error_code chat_bounds(const std::string& room, std::uint64_t& first_seq, std::uint64_t& last_seq) const;
  /// Marks one message deleted (text removed, seq kept); errc::not_found when absent.
  std::error_code chat_mark_deleted(const std::string& room, std::uint64_t seq);
  /// Retention: keeps at most `keep_count` messages and none older than `min_ts_ms` (0 = no age limit),
  /// but always keeps the newest message so the sequence survives. Returns how many were removed.
  std::error_code chat_trim(const std::string& room, std::size_t keep_count, std::int64_t min_ts_ms,
                            std::size_t& removed);
  /// Removes a room's whole history and moderation state (room deleted).
  std::error_code chat_drop(const std::string& room);
  /// Moderation state (bans, mutes, slow mode, clear mark); a room without one gets a default value.
  std::error_code put_chat_moderation(const std::string& room, const chat_moderation& m);
  std::error_code get_chat_moderation(const std::string& room, chat_moderation& out) const;

  struct impl;

 private:
  explicit store(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

}  // namespace onair::storage
