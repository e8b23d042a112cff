#pragma once
/// Internal to storage/: the state behind store's pimpl, shared by store.cpp (rooms, tokens) and
/// chat_store.cpp (chat history). The only header that includes RocksDB; no public header includes it.
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "storage/errc.hpp"
#include "storage/keys.hpp"
#include "storage/record_codec.hpp"
#include "storage/store.hpp"

namespace onair::storage {

struct store::impl {
  std::unique_ptr<rocksdb::DB> db;
  /// sync=true: an API write is acknowledged only after the WAL is fsync'ed, so it survives power
  /// loss, not just a process crash (docs/storage.md, "Durability").
  rocksdb::WriteOptions sync_write;
  /// put_room and delete_room read the old record to find its index entry, then write a batch; this
  /// keeps two such read-modify-writes from interleaving and leaving a stale or missing index entry.
  std::mutex write_mu;
  mutable std::mutex error_mu;
  mutable std::string last_error;

  /// Chat (chat_store.cpp). Guards chat_last_seq, and serializes the read-modify-writes of chat
  /// history (mark deleted, trim, drop) so that, e.g., a mark cannot re-create a message a trim removed.
  /// append_chat holds it only to check and reserve sequence numbers, never across its fsync, so one
  /// room's slow append does not hold up another's (RocksDB may then merge them into one write group;
  /// measured here that gains little: batching inside one append is what scales, docs/storage.md).
  std::mutex chat_mu;
  /// Per room with history touched since open: the highest sequence number written or reserved by an
  /// append in flight. Loaded from the last key on first use, so it survives restarts through the data.
  std::unordered_map<std::string, std::uint64_t> chat_last_seq;

  impl() { sync_write.sync = true; }

  /// Maps a RocksDB status to an errc, remembering its text for last_error().
  std::error_code fail(const rocksdb::Status& s) const {
    if (s.ok()) return {};
    if (s.IsNotFound()) return errc::not_found;
    note(s.ToString());
    return errc::io_error;
  }

  void note(std::string text) const {
    std::lock_guard lock(error_mu);
    last_error = std::move(text);
  }

  /// Reads and decodes the room stored under `id`.
  std::error_code read_room(const std::string& id, room_record& out) const {
    std::string value;
    if (auto ec = fail(db->Get(rocksdb::ReadOptions(), keys::room(id), &value))) return ec;
    if (auto ec = decode_room(value, out)) {
      note(keys::room(id) + ": value does not decode as a room record");
      return ec;
    }
    return {};
  }

  /// Adds to `batch` the removal of the index entry for `key_hash`, if it still names room `id`. An
  /// entry naming another room is left alone: that room took the key over (see put_room).
  std::error_code unindex(rocksdb::WriteBatch& batch, const std::string& key_hash,
                          const std::string& id) const {
    if (key_hash.empty()) return {};
    std::string indexed;
    const auto s = db->Get(rocksdb::ReadOptions(), keys::room_key(key_hash), &indexed);
    if (s.IsNotFound()) return {};
    if (auto ec = fail(s)) return ec;
    if (indexed == id) {
      if (auto ec = fail(batch.Delete(keys::room_key(key_hash)))) return ec;
    }
    return {};
  }

  /// Visits every key with `prefix`, in key order, until `fn` returns an error.
  template <class Fn>
  std::error_code scan(std::string_view prefix, Fn&& fn) const {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
      const auto key = it->key();
      if (!key.starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) break;
      if (auto ec = fn(key, it->value())) return ec;
    }
    return fail(it->status());
  }
};

}  // namespace onair::storage
