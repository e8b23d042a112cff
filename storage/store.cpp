#include "storage/store.hpp"

#include <utility>

#include "storage/keys.hpp"
#include "storage/record_codec.hpp"
#include "storage/store_impl.hpp"

namespace onair::storage {

namespace {

/// RocksDB reports a held LOCK file only as an IOError; its text is the one way to tell it apart.
/// Same process: "lock hold by current process ... /LOCK: No locks available"; another process:
/// "While lock file: <dir>/LOCK: Resource temporarily unavailable" (fcntl F_SETLK, EAGAIN).
bool is_lock_held(const rocksdb::Status& s) {
  if (!s.IsIOError()) return false;
  const std::string text = s.ToString();
  return text.find("lock hold by current process") != std::string::npos ||
         text.find("While lock file") != std::string::npos;
}

}  // namespace

store::store(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

store::~store() {
  if (impl_ && impl_->db) impl_->db->Close();  // status ignored: every write was already synced
}

std::unique_ptr<store> store::open(const std::string& dir, std::error_code& ec) {
  std::string detail;
  return open(dir, ec, detail);
}

std::unique_ptr<store> store::open(const std::string& dir, std::error_code& ec, std::string& detail) {
  rocksdb::Options options;
  // The node's directory is a few thousand small records: small memtables and block cache.
  options.OptimizeForSmallDb();
  options.create_if_missing = true;
  // Every open starts a new info LOG and renames the old one; keep a few, not RocksDB's 1000.
  options.keep_log_file_num = 5;

  rocksdb::DB* raw = nullptr;
  const auto s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) {
    detail = s.ToString();
    ec = is_lock_held(s) ? errc::locked : errc::io_error;
    if (ec == errc::locked)
      detail = "data directory " + dir + " is in use by another onair process (" + detail + ")";
    return nullptr;
  }
  auto i = std::make_unique<impl>();
  i->db.reset(raw);
  ec.clear();
  detail.clear();
  return std::unique_ptr<store>(new store(std::move(i)));
}

std::string store::last_error() const {
  std::lock_guard lock(impl_->error_mu);
  return impl_->last_error;
}

std::error_code store::put_room(const room_record& r) {
  if (r.id.empty()) return std::make_error_code(std::errc::invalid_argument);
  std::lock_guard lock(impl_->write_mu);
  rocksdb::WriteBatch batch;

  room_record old;
  const auto old_ec = impl_->read_room(r.id, old);
  if (!old_ec) {
    if (old.stream_key_hash != r.stream_key_hash) {
      // Key rotation: the old key must stop finding the room in the same atomic write.
      if (auto ec = impl_->unindex(batch, old.stream_key_hash, r.id)) return ec;
    }
  } else if (old_ec != errc::not_found && old_ec != errc::corrupt) {
    return old_ec;  // a corrupt old value is overwritten: writing a good one repairs it
  }

  if (auto ec = impl_->fail(batch.Put(keys::room(r.id), encode_room(r)))) return ec;
  if (!r.stream_key_hash.empty()) {
    // Overwrites an entry naming another room: the newest room to claim a key owns it.
    if (auto ec = impl_->fail(batch.Put(keys::room_key(r.stream_key_hash), r.id))) return ec;
  }
  return impl_->fail(impl_->db->Write(impl_->sync_write, &batch));
}

std::error_code store::get_room(const std::string& id, room_record& out) const {
  return impl_->read_room(id, out);
}

std::error_code store::delete_room(const std::string& id) {
  std::lock_guard lock(impl_->write_mu);
  rocksdb::WriteBatch batch;
  room_record old;
  const auto old_ec = impl_->read_room(id, old);
  if (old_ec == errc::not_found) return old_ec;
  if (!old_ec) {
    if (auto ec = impl_->unindex(batch, old.stream_key_hash, id)) return ec;
  } else if (old_ec != errc::corrupt) {
    return old_ec;  // a corrupt room can still be deleted; its index entry, if any, goes stale and
                    // find_room_by_key_hash ignores it (the room it names is gone)
  }
  if (auto ec = impl_->fail(batch.Delete(keys::room(id)))) return ec;
  return impl_->fail(impl_->db->Write(impl_->sync_write, &batch));
}

std::error_code store::list_rooms(std::vector<room_record>& out) const {
  out.clear();
  return impl_->scan(keys::room_prefix, [&](const rocksdb::Slice& key, const rocksdb::Slice& value) {
    room_record r;
    if (auto ec = decode_room(std::string_view(value.data(), value.size()), r)) {
      impl_->note(key.ToString() + ": value does not decode as a room record");
      return ec;
    }
    out.push_back(std::move(r));
    return std::error_code{};
  });
}

std::error_code store::find_room_by_key_hash(const std::string& key_hash, room_record& out) const {
  if (key_hash.empty()) return errc::not_found;
  std::string id;
  if (auto ec = impl_->fail(impl_->db->Get(rocksdb::ReadOptions(), keys::room_key(key_hash), &id)))
    return ec;
  room_record r;
  if (auto ec = impl_->read_room(id, r)) return ec;
  // Defence in depth: the index and the room are written in one batch, so they agree; if they ever do
  // not (a room deleted while corrupt), the room's own hash is the truth.
  if (r.stream_key_hash != key_hash) return errc::not_found;
  out = std::move(r);
  return {};
}

std::error_code store::put_token(const token_record& t) {
  if (t.token_hash.empty()) return std::make_error_code(std::errc::invalid_argument);
  return impl_->fail(impl_->db->Put(impl_->sync_write, keys::token(t.token_hash), encode_token(t)));
}

std::error_code store::find_token_by_hash(const std::string& token_hash, token_record& out) const {
  if (token_hash.empty()) return errc::not_found;
  std::string value;
  if (auto ec = impl_->fail(impl_->db->Get(rocksdb::ReadOptions(), keys::token(token_hash), &value)))
    return ec;
  if (auto ec = decode_token(value, out)) {
    impl_->note(keys::token(token_hash) + ": value does not decode as a token record");
    return ec;
  }
  return {};
}

std::error_code store::list_tokens(std::vector<token_record>& out) const {
  out.clear();
  return impl_->scan(keys::token_prefix, [&](const rocksdb::Slice& key, const rocksdb::Slice& value) {
    token_record t;
    if (auto ec = decode_token(std::string_view(value.data(), value.size()), t)) {
      impl_->note(key.ToString() + ": value does not decode as a token record");
      return ec;
    }
    out.push_back(std::move(t));
    return std::error_code{};
  });
}

}  // namespace onair::storage
