// store's chat history and moderation (issue #3; docs/storage.md, "Chat history").
#include <algorithm>
#include <limits>

#include "storage/chat_codec.hpp"
#include "storage/store_impl.hpp"

namespace onair::storage {

namespace {

std::error_code invalid_argument() { return std::make_error_code(std::errc::invalid_argument); }

/// An iterator confined to one room's chat range. RocksDB stops at the bounds itself, so a scan never
/// reads (or skips over range tombstones of) the next room's keys, and SeekToLast lands on the room's
/// newest message instead of the keyspace's last key.
struct room_iterator {
  std::string lower;
  std::string upper;
  rocksdb::Slice lower_slice;
  rocksdb::Slice upper_slice;
  std::unique_ptr<rocksdb::Iterator> it;

  room_iterator(rocksdb::DB& db, std::string_view room, std::string lower_key = {})
      : lower(lower_key.empty() ? keys::chat_room_prefix(room) : std::move(lower_key)),
        upper(keys::chat_room_end(room)),
        lower_slice(lower),
        upper_slice(upper) {
    rocksdb::ReadOptions ro;
    ro.iterate_lower_bound = &lower_slice;
    ro.iterate_upper_bound = &upper_slice;
    it.reset(db.NewIterator(ro));
  }
  rocksdb::Iterator* operator->() const { return it.get(); }
};

std::string_view view(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

/// Decodes the message at the iterator; a value that does not decode, or whose seq is not its key's,
/// is corrupt, and last_error() names the key.
std::error_code decode_at(const store::impl& impl, const rocksdb::Iterator& it, chat_record& out) {
  std::uint64_t key_seq = 0;
  if (!keys::parse_chat_seq(view(it.key()), key_seq) || decode_chat(view(it.value()), out) ||
      out.seq != key_seq) {
    impl.note(it.key().ToString() + ": value does not decode as a chat record of this key");
    return errc::corrupt;
  }
  return {};
}

/// The room's highest stored sequence number (0 when it has none), from its last key.
std::error_code read_last_seq(const store::impl& impl, std::string_view room, std::uint64_t& seq) {
  seq = 0;
  room_iterator it(*impl.db, room);
  it->SeekToLast();
  if (!it->Valid()) return impl.fail(it->status());
  if (!keys::parse_chat_seq(view(it->key()), seq)) {
    impl.note(it->key().ToString() + ": not a chat key");
    return errc::corrupt;
  }
  return {};
}

}  // namespace

std::error_code store::append_chat(const std::string& room, const std::vector<chat_record>& batch) {
  if (!keys::valid_chat_room(room)) return invalid_argument();
  if (batch.empty()) return {};
  for (std::size_t i = 1; i < batch.size(); ++i)
    if (batch[i].seq <= batch[i - 1].seq) return invalid_argument();

  // Encode outside the lock: the lock only orders sequence numbers.
  rocksdb::WriteBatch wb;
  for (const auto& m : batch) {
    if (auto ec = impl_->fail(wb.Put(keys::chat(room, m.seq), encode_chat(m)))) return ec;
  }

  std::uint64_t previous = 0;
  {
    std::lock_guard lock(impl_->chat_mu);
    auto [it, inserted] = impl_->chat_last_seq.try_emplace(room, 0);
    if (inserted) {
      if (auto ec = read_last_seq(*impl_, room, it->second)) {
        impl_->chat_last_seq.erase(it);
        return ec;
      }
    }
    // A sequence number is never reused: a client that saw seq N must never see another message N.
    // This also refuses seq 0 in an empty room, so 0 can mean "none" in chat_bounds.
    if (batch.front().seq <= it->second) return invalid_argument();
    previous = it->second;
    it->second = batch.back().seq;  // reserved: a concurrent append for this room must go above it
  }

  // One batch, one fsync for every message in it (group commit): 16 messages cost about as much as
  // one (docs/storage.md, "Chat history").
  const auto ec = impl_->fail(impl_->db->Write(impl_->sync_write, &wb));
  if (ec) {
    // Nothing was written: give the numbers back so the channel can retry the same batch, unless a
    // later append already reserved above them.
    std::lock_guard lock(impl_->chat_mu);
    auto it = impl_->chat_last_seq.find(room);
    if (it != impl_->chat_last_seq.end() && it->second == batch.back().seq) it->second = previous;
  }
  return ec;
}

std::error_code store::fill_chat(const std::string& room, const std::vector<chat_record>& batch) {
  if (!keys::valid_chat_room(room)) return invalid_argument();
  for (std::size_t i = 0; i < batch.size(); ++i)
    if (batch[i].seq == 0 || (i > 0 && batch[i].seq <= batch[i - 1].seq)) return invalid_argument();
  if (batch.empty()) return {};
  // Under the chat lock: an append or a trim must not interleave between the reads and the write.
  std::lock_guard lock(impl_->chat_mu);
  rocksdb::WriteBatch wb;
  for (const auto& m : batch) {
    const std::string key = keys::chat(room, m.seq);
    std::string value;
    const auto st = impl_->db->Get(rocksdb::ReadOptions(), key, &value);
    if (st.ok()) continue;  // held already (perhaps marked deleted since): ours stays
    if (!st.IsNotFound()) return impl_->fail(st);
    if (auto ec = impl_->fail(wb.Put(key, encode_chat(m)))) return ec;
  }
  if (wb.Count() == 0) return {};
  if (auto ec = impl_->fail(impl_->db->Write(impl_->sync_write, &wb))) return ec;
  // Later appends must go above what was filled in.
  if (auto it = impl_->chat_last_seq.find(room); it != impl_->chat_last_seq.end())
    it->second = std::max(it->second, batch.back().seq);
  return {};
}

std::error_code store::chat_after(const std::string& room, std::uint64_t after_seq, std::size_t limit,
                                  std::vector<chat_record>& out) const {
  out.clear();
  if (!keys::valid_chat_room(room)) return invalid_argument();
  if (limit == 0 || after_seq == std::numeric_limits<std::uint64_t>::max()) return {};
  room_iterator it(*impl_->db, room, keys::chat(room, after_seq + 1));
  out.reserve(std::min<std::size_t>(limit, 1024));  // limit may be "everything" (SIZE_MAX)
  for (it->SeekToFirst(); it->Valid() && out.size() < limit; it->Next()) {
    chat_record m;
    if (auto ec = decode_at(*impl_, *it.it, m)) return ec;  // out keeps the messages before it
    out.push_back(std::move(m));
  }
  return impl_->fail(it->status());
}

std::error_code store::chat_last(const std::string& room, std::size_t n,
                                 std::vector<chat_record>& out) const {
  out.clear();
  if (!keys::valid_chat_room(room)) return invalid_argument();
  if (n == 0) return {};
  room_iterator it(*impl_->db, room);
  out.reserve(std::min<std::size_t>(n, 1024));
  std::error_code ec;
  for (it->SeekToLast(); it->Valid() && out.size() < n; it->Prev()) {
    chat_record m;
    if ((ec = decode_at(*impl_, *it.it, m))) break;  // out keeps the messages after it
    out.push_back(std::move(m));
  }
  std::reverse(out.begin(), out.end());
  if (ec) return ec;
  return impl_->fail(it->status());
}

std::error_code store::chat_bounds(const std::string& room, std::uint64_t& first_seq,
                                   std::uint64_t& last_seq) const {
  first_seq = 0;
  last_seq = 0;
  if (!keys::valid_chat_room(room)) return invalid_argument();
  // From the keys alone: a corrupt value does not hide how far the history reaches.
  room_iterator it(*impl_->db, room);
  it->SeekToFirst();
  if (!it->Valid()) return impl_->fail(it->status());
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  bool ok = keys::parse_chat_seq(view(it->key()), first);
  it->SeekToLast();
  if (!it->Valid()) return impl_->fail(it->status());
  ok = ok && keys::parse_chat_seq(view(it->key()), last);
  if (!ok) {
    impl_->note(keys::chat_room_prefix(room) + ": a key without a 16-digit hex sequence number");
    return errc::corrupt;
  }
  first_seq = first;
  last_seq = last;
  return {};
}

std::error_code store::chat_mark_deleted(const std::string& room, std::uint64_t seq) {
  if (!keys::valid_chat_room(room)) return invalid_argument();
  const std::string key = keys::chat(room, seq);
  std::lock_guard lock(impl_->chat_mu);  // a trim must not remove it between our read and write
  std::string value;
  if (auto ec = impl_->fail(impl_->db->Get(rocksdb::ReadOptions(), key, &value))) return ec;
  chat_record m;
  if (decode_chat(value, m) || m.seq != seq) {
    impl_->note(key + ": value does not decode as a chat record of this key");
    return errc::corrupt;
  }
  m.deleted = true;
  m.text.clear();  // the moderator removed it: the words must not stay on disk or reach a reconnect
  return impl_->fail(impl_->db->Put(impl_->sync_write, key, encode_chat(m)));
}

std::error_code store::chat_trim(const std::string& room, std::size_t keep_count,
                                 std::int64_t min_ts_ms, std::size_t& removed) {
  removed = 0;
  if (!keys::valid_chat_room(room)) return invalid_argument();
  std::lock_guard lock(impl_->chat_mu);

  // Walk from the newest message back to the first one that goes; it and everything older go. The
  // retained history therefore stays one contiguous seq range (first..last of chat_bounds): a message
  // whose clock stamp is out of order does not punch a hole, and a reconnecting client's chat_after
  // never sees a gap that is not a deleted message.
  std::uint64_t cut = 0;
  bool cutting = false;
  {
    room_iterator it(*impl_->db, room);
    std::size_t i = 0;
    for (it->SeekToLast(); it->Valid(); it->Prev(), ++i) {
      if (i == 0) continue;  // the newest always stays, so the sequence survives (and bounds with it)
      bool goes = i >= keep_count;
      if (!goes && min_ts_ms != 0) {
        chat_record m;
        if (auto ec = decode_at(*impl_, *it.it, m)) return ec;
        goes = m.ts_ms < min_ts_ms;
      }
      if (goes) {
        if (!keys::parse_chat_seq(view(it->key()), cut)) {
          impl_->note(it->key().ToString() + ": not a chat key");
          return errc::corrupt;
        }
        cutting = true;
        break;
      }
    }
    if (auto ec = impl_->fail(it->status())) return ec;
  }
  if (!cutting) return {};

  // cut < the newest seq, so cut + 1 cannot overflow.
  const std::string begin = keys::chat_room_prefix(room);
  const std::string end = keys::chat(room, cut + 1);
  std::size_t count = 0;
  {
    room_iterator it(*impl_->db, room);
    const rocksdb::Slice end_slice(end);
    for (it->SeekToFirst(); it->Valid() && it->key().compare(end_slice) < 0; it->Next()) ++count;
    if (auto ec = impl_->fail(it->status())) return ec;
  }
  // One range tombstone instead of `count` point deletes: a trim of a long history is one small write.
  rocksdb::WriteBatch wb;
  if (auto ec = impl_->fail(wb.DeleteRange(begin, end))) return ec;
  if (auto ec = impl_->fail(impl_->db->Write(impl_->sync_write, &wb))) return ec;
  removed = count;
  return {};
}

std::error_code store::chat_drop(const std::string& room) {
  if (!keys::valid_chat_room(room)) return invalid_argument();
  std::lock_guard lock(impl_->chat_mu);
  rocksdb::WriteBatch wb;
  if (auto ec = impl_->fail(wb.DeleteRange(keys::chat_room_prefix(room), keys::chat_room_end(room))))
    return ec;
  if (auto ec = impl_->fail(wb.Delete(keys::chat_moderation(room)))) return ec;
  if (auto ec = impl_->fail(impl_->db->Write(impl_->sync_write, &wb))) return ec;
  // The room is gone: a room created later under the same id starts its sequence afresh.
  impl_->chat_last_seq.erase(room);
  return {};
}

std::error_code store::put_chat_moderation(const std::string& room, const chat_moderation& m) {
  if (!keys::valid_chat_room(room)) return invalid_argument();
  // Synced: a ban the moderator saw take effect must still hold after a power loss.
  return impl_->fail(
      impl_->db->Put(impl_->sync_write, keys::chat_moderation(room), encode_chat_moderation(m)));
}

std::error_code store::get_chat_moderation(const std::string& room, chat_moderation& out) const {
  if (!keys::valid_chat_room(room)) return invalid_argument();
  const std::string key = keys::chat_moderation(room);
  std::string value;
  const auto s = impl_->db->Get(rocksdb::ReadOptions(), key, &value);
  if (s.IsNotFound()) {
    out = chat_moderation{};  // never moderated: no bans, no mutes, no slow mode
    return {};
  }
  if (auto ec = impl_->fail(s)) return ec;
  if (auto ec = decode_chat_moderation(value, out)) {
    impl_->note(key + ": value does not decode as chat moderation");
    return ec;
  }
  return {};
}

}  // namespace onair::storage
