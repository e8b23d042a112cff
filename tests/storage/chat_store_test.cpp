// Chat history and moderation on the store, against a real RocksDB in a fresh /tmp directory per test.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "storage/chat_codec.hpp"
#include "storage/errc.hpp"
#include "storage/keys.hpp"
#include "storage/store.hpp"
#include "temp_dir.hpp"

namespace onair::storage {
namespace {

using test::temp_dir;

const std::error_code invalid = std::make_error_code(std::errc::invalid_argument);

chat_record msg(std::uint64_t seq, std::int64_t ts_ms = 0) {
  chat_record m;
  m.seq = seq;
  m.ts_ms = ts_ms == 0 ? static_cast<std::int64_t>(1000 + seq) : ts_ms;
  m.user_id = "u" + std::to_string(seq % 3);
  m.user_name = "User " + std::to_string(seq % 3);
  m.user_role = seq % 2 ? "viewer" : "moderator";
  m.text = "message " + std::to_string(seq);
  return m;
}

std::vector<chat_record> msgs(std::uint64_t from, std::uint64_t to) {
  std::vector<chat_record> v;
  for (auto s = from; s <= to; ++s) v.push_back(msg(s));
  return v;
}

std::vector<std::uint64_t> seqs(const std::vector<chat_record>& v) {
  std::vector<std::uint64_t> out;
  for (const auto& m : v) out.push_back(m.seq);
  return out;
}

std::unique_ptr<store> open_ok(const std::string& dir) {
  std::error_code ec;
  auto s = store::open(dir, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_NE(s, nullptr);
  return s;
}

/// Writes a raw value under `key`, bypassing the codec, as a torn or foreign write would. The store
/// must be closed (RocksDB's LOCK).
void put_raw(const std::string& dir, const std::string& key, const std::string& value) {
  rocksdb::Options o;
  o.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(o, dir, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), key, value).ok());
}

std::vector<chat_record> all(store& s, const std::string& room) {
  std::vector<chat_record> out;
  EXPECT_FALSE(s.chat_after(room, 0, std::numeric_limits<std::size_t>::max(), out));
  return out;
}

TEST(ChatKeys, HexSeqSortsNumerically) {
  EXPECT_EQ(keys::chat("r", 0x1a), "chat/r/000000000000001a");
  EXPECT_EQ(keys::chat("r", std::numeric_limits<std::uint64_t>::max()), "chat/r/ffffffffffffffff");
  EXPECT_LT(keys::chat("r", 9), keys::chat("r", 10));
  EXPECT_LT(keys::chat("r", 0xff), keys::chat("r", 0x100));
  EXPECT_EQ(keys::chat_moderation("r"), "chatmod/r");
  std::uint64_t seq = 0;
  ASSERT_TRUE(keys::parse_chat_seq(keys::chat("r", 0xdeadbeef), seq));
  EXPECT_EQ(seq, 0xdeadbeefu);
  EXPECT_FALSE(keys::parse_chat_seq("chat/r/000000000000001A", seq));  // upper case: not ours
  EXPECT_FALSE(keys::parse_chat_seq("short", seq));
}

TEST(ChatStore, AppendKeepsEveryField) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  chat_record m;
  m.seq = 7;
  m.ts_ms = -12;
  m.user_id = "user-\xE2\x99\xAB";
  m.user_name = std::string("nul\0inside", 10);
  m.user_role = "owner";
  m.text = std::string(5000, 'x');
  m.deleted = true;  // stored as given: a channel may persist an already-deleted message
  ASSERT_FALSE(s->append_chat("room", {m}));
  const auto got = all(*s, "room");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], m);
}

TEST(ChatStore, BatchesAppendInOrder) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  ASSERT_FALSE(s->append_chat("room", msgs(1, 16)));
  ASSERT_FALSE(s->append_chat("room", {msg(17)}));
  ASSERT_FALSE(s->append_chat("room", {msg(20), msg(30), msg(31)}));  // gaps are allowed
  const auto got = all(*s, "room");
  ASSERT_EQ(got.size(), 20u);
  EXPECT_EQ(got[0], msg(1));
  EXPECT_EQ(got[16], msg(17));
  EXPECT_EQ(got.back(), msg(31));
  EXPECT_FALSE(s->append_chat("room", {}));  // an empty batch writes nothing and is no error
  EXPECT_EQ(all(*s, "room").size(), 20u);
}

TEST(ChatStore, NonIncreasingSeqIsRefusedAndWritesNothing) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  EXPECT_EQ(s->append_chat("room", {msg(1), msg(3), msg(2)}), invalid);
  EXPECT_EQ(s->append_chat("room", {msg(1), msg(1)}), invalid);
  EXPECT_EQ(s->append_chat("room", {msg(0)}), invalid) << "seq 0 would read as 'none' in bounds";
  EXPECT_TRUE(all(*s, "room").empty()) << "a refused batch leaves no message behind";

  ASSERT_FALSE(s->append_chat("room", msgs(1, 5)));
  EXPECT_EQ(s->append_chat("room", {msg(5)}), invalid) << "a sequence number is never reused";
  EXPECT_EQ(s->append_chat("room", {msg(3), msg(6)}), invalid);
  EXPECT_EQ(s->append_chat("room", {msg(6), msg(7), msg(4)}), invalid);
  EXPECT_EQ(seqs(all(*s, "room")), (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_FALSE(s->append_chat("room", {msg(6)}));
}

TEST(ChatStore, FillStoresOnlyWhatIsMissingAndAppendsGoAboveIt) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  // A backup that holds 4..5 (it became the backup then), one of them deleted since.
  ASSERT_FALSE(s->append_chat("room", msgs(4, 5)));
  ASSERT_FALSE(s->chat_mark_deleted("room", 5));
  EXPECT_EQ(s->fill_chat("room", {msg(2), msg(1)}), invalid);
  EXPECT_EQ(s->fill_chat("room", {msg(0)}), invalid);
  ASSERT_FALSE(s->fill_chat("room", msgs(1, 7)));  // the draining owner's whole history
  const auto got = all(*s, "room");
  EXPECT_EQ(seqs(got), (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_TRUE(got[4].deleted) << "a message held already is kept as it is";
  EXPECT_TRUE(got[4].text.empty());
  EXPECT_EQ(got[0], msg(1));
  EXPECT_EQ(s->append_chat("room", {msg(7)}), invalid) << "filled numbers are never reused";
  EXPECT_FALSE(s->append_chat("room", {msg(8)}));
  EXPECT_FALSE(s->fill_chat("room", {}));
}

TEST(ChatStore, ChatAfterRespectsSeqAndLimit) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  ASSERT_FALSE(s->append_chat("room", msgs(1, 300)));  // crosses the 0xff → 0x100 key boundary
  std::vector<chat_record> out;
  ASSERT_FALSE(s->chat_after("room", 0, 3, out));
  EXPECT_EQ(seqs(out), (std::vector<std::uint64_t>{1, 2, 3}));
  ASSERT_FALSE(s->chat_after("room", 254, 4, out));
  EXPECT_EQ(seqs(out), (std::vector<std::uint64_t>{255, 256, 257, 258}));
  ASSERT_FALSE(s->chat_after("room", 298, 10, out));
  EXPECT_EQ(seqs(out), (std::vector<std::uint64_t>{299, 300}));
  ASSERT_FALSE(s->chat_after("room", 300, 10, out));
  EXPECT_TRUE(out.empty());
  ASSERT_FALSE(s->chat_after("room", 5, 0, out));
  EXPECT_TRUE(out.empty());
  ASSERT_FALSE(s->chat_after("room", std::numeric_limits<std::uint64_t>::max(), 10, out));
  EXPECT_TRUE(out.empty());
  ASSERT_FALSE(s->chat_after("nobody-here", 0, 10, out));
  EXPECT_TRUE(out.empty());
}

TEST(ChatStore, ChatLastIsAscendingAndLimited) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  std::vector<chat_record> out;
  ASSERT_FALSE(s->chat_last("room", 5, out));
  EXPECT_TRUE(out.empty());
  ASSERT_FALSE(s->append_chat("room", msgs(1, 20)));
  ASSERT_FALSE(s->chat_last("room", 3, out));
  EXPECT_EQ(seqs(out), (std::vector<std::uint64_t>{18, 19, 20}));
  EXPECT_EQ(out.back(), msg(20));
  ASSERT_FALSE(s->chat_last("room", 100, out));
  EXPECT_EQ(out.size(), 20u);
  EXPECT_EQ(out.front().seq, 1u);
  ASSERT_FALSE(s->chat_last("room", 0, out));
  EXPECT_TRUE(out.empty());
}

TEST(ChatStore, BoundsAreFirstAndLastRetained) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  std::uint64_t first = 9, last = 9;
  ASSERT_FALSE(s->chat_bounds("room", first, last));
  EXPECT_EQ(first, 0u);
  EXPECT_EQ(last, 0u);
  ASSERT_FALSE(s->append_chat("room", msgs(3, 8)));
  ASSERT_FALSE(s->chat_bounds("room", first, last));
  EXPECT_EQ(first, 3u);
  EXPECT_EQ(last, 8u);
}

TEST(ChatStore, RoomsDoNotSeeEachOther) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  // "a" is a byte prefix of "ab" and "a0": only the '/' after the id keeps their ranges apart.
  ASSERT_FALSE(s->append_chat("a", msgs(1, 3)));
  ASSERT_FALSE(s->append_chat("ab", msgs(1, 5)));
  ASSERT_FALSE(s->append_chat("a0", msgs(10, 12)));
  ASSERT_FALSE(s->append_chat("-", msgs(1, 2)));  // sorts before "a"
  EXPECT_EQ(seqs(all(*s, "a")), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(all(*s, "ab").size(), 5u);
  std::vector<chat_record> out;
  ASSERT_FALSE(s->chat_last("a", 10, out));
  EXPECT_EQ(seqs(out), (std::vector<std::uint64_t>{1, 2, 3}));
  std::uint64_t first = 0, last = 0;
  ASSERT_FALSE(s->chat_bounds("a", first, last));
  EXPECT_EQ(last, 3u);
  // Sequence numbers are per room: 4 is fresh in "a" although "ab" has it.
  ASSERT_FALSE(s->append_chat("a", {msg(4)}));

  std::size_t removed = 0;
  ASSERT_FALSE(s->chat_trim("a", 1, 0, removed));
  EXPECT_EQ(removed, 3u);
  EXPECT_EQ(all(*s, "ab").size(), 5u);
  ASSERT_FALSE(s->put_chat_moderation("ab", chat_moderation{{"x"}, {}, 5, 0}));
  ASSERT_FALSE(s->chat_drop("a"));
  EXPECT_EQ(all(*s, "ab").size(), 5u);
  EXPECT_EQ(all(*s, "a0").size(), 3u);
  EXPECT_EQ(all(*s, "-").size(), 2u);
  chat_moderation mod;
  ASSERT_FALSE(s->get_chat_moderation("ab", mod));
  EXPECT_EQ(mod.slow_mode_s, 5u);
}

TEST(ChatStore, RoomIdsThatCouldCollideAreRefused) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  // "a/0000000000000001" would otherwise land inside room "a"'s key range.
  std::vector<chat_record> out;
  std::uint64_t first = 0, last = 0;
  std::size_t removed = 0;
  chat_moderation mod;
  for (const std::string room : {"", "a/b", "a/", "/"}) {
    EXPECT_EQ(s->append_chat(room, {msg(1)}), invalid) << room;
    EXPECT_EQ(s->chat_after(room, 0, 10, out), invalid) << room;
    EXPECT_EQ(s->chat_last(room, 10, out), invalid) << room;
    EXPECT_EQ(s->chat_bounds(room, first, last), invalid) << room;
    EXPECT_EQ(s->chat_mark_deleted(room, 1), invalid) << room;
    EXPECT_EQ(s->chat_trim(room, 1, 0, removed), invalid) << room;
    EXPECT_EQ(s->chat_drop(room), invalid) << room;
    EXPECT_EQ(s->put_chat_moderation(room, mod), invalid) << room;
    EXPECT_EQ(s->get_chat_moderation(room, mod), invalid) << room;
  }
}

TEST(ChatStore, MarkDeletedClearsTextAndKeepsSeq) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  ASSERT_FALSE(s->append_chat("room", msgs(1, 3)));
  ASSERT_FALSE(s->chat_mark_deleted("room", 2));
  const auto got = all(*s, "room");
  ASSERT_EQ(got.size(), 3u);
  chat_record want = msg(2);
  want.deleted = true;
  want.text.clear();
  EXPECT_EQ(got[1], want) << "seq, time and author stay; only the text goes";
  EXPECT_EQ(got[0], msg(1));
  EXPECT_EQ(got[2], msg(3));
  EXPECT_FALSE(s->chat_mark_deleted("room", 2)) << "idempotent";
  EXPECT_EQ(s->chat_mark_deleted("room", 4), errc::not_found);
  EXPECT_EQ(s->chat_mark_deleted("other", 1), errc::not_found);
}

TEST(ChatStore, TrimByCountKeepsTheNewest) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  ASSERT_FALSE(s->append_chat("room", msgs(1, 10)));
  std::size_t removed = 99;
  ASSERT_FALSE(s->chat_trim("room", 4, 0, removed));
  EXPECT_EQ(removed, 6u);
  EXPECT_EQ(seqs(all(*s, "room")), (std::vector<std::uint64_t>{7, 8, 9, 10}));
  ASSERT_FALSE(s->chat_trim("room", 4, 0, removed));
  EXPECT_EQ(removed, 0u);
  ASSERT_FALSE(s->chat_trim("room", 100, 0, removed));
  EXPECT_EQ(removed, 0u);
  // keep_count 0 still keeps the newest, so the sequence (and the bounds) survive.
  ASSERT_FALSE(s->chat_trim("room", 0, 0, removed));
  EXPECT_EQ(removed, 3u);
  EXPECT_EQ(seqs(all(*s, "room")), (std::vector<std::uint64_t>{10}));
  std::uint64_t first = 0, last = 0;
  ASSERT_FALSE(s->chat_bounds("room", first, last));
  EXPECT_EQ(first, 10u);
  EXPECT_EQ(last, 10u);
  EXPECT_EQ(s->append_chat("room", {msg(9)}), invalid);
  ASSERT_FALSE(s->chat_trim("empty-room", 0, 0, removed));
  EXPECT_EQ(removed, 0u);
}

TEST(ChatStore, TrimByAgeKeepsTheNewest) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  std::vector<chat_record> batch;
  for (std::uint64_t seq = 1; seq <= 10; ++seq) batch.push_back(msg(seq, static_cast<std::int64_t>(seq * 100)));
  ASSERT_FALSE(s->append_chat("room", batch));
  std::size_t removed = 0;
  // Older than 450 ms: 1..4 go; the count limit is not what binds here.
  ASSERT_FALSE(s->chat_trim("room", 1000, 450, removed));
  EXPECT_EQ(removed, 4u);
  EXPECT_EQ(seqs(all(*s, "room")), (std::vector<std::uint64_t>{5, 6, 7, 8, 9, 10}));
  // Both limits: whichever removes more wins.
  ASSERT_FALSE(s->chat_trim("room", 2, 600, removed));
  EXPECT_EQ(removed, 4u);
  EXPECT_EQ(seqs(all(*s, "room")), (std::vector<std::uint64_t>{9, 10}));
  // Everything is too old: the newest stays anyway.
  ASSERT_FALSE(s->chat_trim("room", 1000, 1'000'000, removed));
  EXPECT_EQ(removed, 1u);
  EXPECT_EQ(seqs(all(*s, "room")), (std::vector<std::uint64_t>{10}));
}

TEST(ChatStore, TrimByAgeCutsAtTheFirstOldMessageSoHistoryHasNoHoles) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  // Seq 3 carries a newer stamp than seq 4 (a clock step between senders).
  ASSERT_FALSE(s->append_chat("room", {msg(1, 100), msg(2, 200), msg(3, 900), msg(4, 300), msg(5, 950)}));
  std::size_t removed = 0;
  ASSERT_FALSE(s->chat_trim("room", 100, 500, removed));
  EXPECT_EQ(removed, 4u) << "3 goes with 4: retained history stays one contiguous range";
  EXPECT_EQ(seqs(all(*s, "room")), (std::vector<std::uint64_t>{5}));
}

TEST(ChatStore, MarkDeletedAfterTrimIsNotFound) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  ASSERT_FALSE(s->append_chat("room", msgs(1, 5)));
  std::size_t removed = 0;
  ASSERT_FALSE(s->chat_trim("room", 2, 0, removed));
  EXPECT_EQ(s->chat_mark_deleted("room", 1), errc::not_found);
  EXPECT_EQ(seqs(all(*s, "room")), (std::vector<std::uint64_t>{4, 5})) << "no message came back";
}

TEST(ChatStore, DropRemovesHistoryAndModeration) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  ASSERT_FALSE(s->append_chat("room", msgs(1, 50)));
  chat_moderation mod;
  mod.banned = {"troll"};
  ASSERT_FALSE(s->put_chat_moderation("room", mod));
  ASSERT_FALSE(s->chat_drop("room"));
  EXPECT_TRUE(all(*s, "room").empty());
  std::uint64_t first = 9, last = 9;
  ASSERT_FALSE(s->chat_bounds("room", first, last));
  EXPECT_EQ(first, 0u);
  EXPECT_EQ(last, 0u);
  chat_moderation got;
  got.slow_mode_s = 9;
  ASSERT_FALSE(s->get_chat_moderation("room", got));
  EXPECT_EQ(got, chat_moderation{});
  EXPECT_FALSE(s->chat_drop("room")) << "dropping an absent room is no error";
  // A room created later under the same id starts afresh.
  ASSERT_FALSE(s->append_chat("room", {msg(1)}));
  EXPECT_EQ(all(*s, "room").size(), 1u);
}

TEST(ChatStore, ModerationRoundTripAndDefault) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  chat_moderation got;
  got.banned = {"stale"};
  ASSERT_FALSE(s->get_chat_moderation("room", got));
  EXPECT_EQ(got, chat_moderation{}) << "never moderated: the default, and no error";

  chat_moderation m;
  m.banned = {"a", "b"};
  m.muted = {{"c", 1'700'000'000'000}, {"d", -1}};
  m.slow_mode_s = 30;
  m.cleared_up_to = 1234;
  ASSERT_FALSE(s->put_chat_moderation("room", m));
  ASSERT_FALSE(s->get_chat_moderation("room", got));
  EXPECT_EQ(got, m);
  m.banned.clear();
  ASSERT_FALSE(s->put_chat_moderation("room", m));  // replaces
  ASSERT_FALSE(s->get_chat_moderation("room", got));
  EXPECT_EQ(got, m);
  // Moderation keys never show up as history.
  EXPECT_TRUE(all(*s, "room").empty());
}

TEST(ChatStore, ReopenKeepsHistoryBoundsAndModeration) {
  temp_dir tmp;
  chat_moderation m;
  m.muted = {{"x", 42}};
  {
    auto s = open_ok(tmp.path());
    ASSERT_FALSE(s->append_chat("room", msgs(1, 40)));
    ASSERT_FALSE(s->chat_mark_deleted("room", 7));
    std::size_t removed = 0;
    ASSERT_FALSE(s->chat_trim("room", 30, 0, removed));
    ASSERT_FALSE(s->put_chat_moderation("room", m));
  }
  auto s = open_ok(tmp.path());
  std::uint64_t first = 0, last = 0;
  ASSERT_FALSE(s->chat_bounds("room", first, last));
  EXPECT_EQ(first, 11u);
  EXPECT_EQ(last, 40u);
  const auto got = all(*s, "room");
  ASSERT_EQ(got.size(), 30u);
  EXPECT_EQ(got.back(), msg(40));
  chat_moderation mod;
  ASSERT_FALSE(s->get_chat_moderation("room", mod));
  EXPECT_EQ(mod, m);
  // The last sequence number comes back from disk: reuse stays refused after a restart.
  EXPECT_EQ(s->append_chat("room", {msg(40)}), invalid);
  ASSERT_FALSE(s->append_chat("room", {msg(41)}));
}

TEST(ChatStore, CorruptChatValueIsCorrupt) {
  temp_dir tmp;
  {
    auto s = open_ok(tmp.path());
    ASSERT_FALSE(s->append_chat("room", msgs(1, 5)));
  }
  put_raw(tmp.path(), keys::chat("room", 3), "\x98\x01garbage");
  auto s = open_ok(tmp.path());
  std::vector<chat_record> out;
  EXPECT_EQ(s->chat_after("room", 0, 10, out), errc::corrupt);
  EXPECT_EQ(seqs(out), (std::vector<std::uint64_t>{1, 2})) << "the messages before the bad one";
  EXPECT_NE(s->last_error().find(keys::chat("room", 3)), std::string::npos) << s->last_error();
  ASSERT_FALSE(s->chat_after("room", 3, 10, out)) << "history past it still reads";
  EXPECT_EQ(seqs(out), (std::vector<std::uint64_t>{4, 5}));
  EXPECT_EQ(s->chat_last("room", 10, out), errc::corrupt);
  EXPECT_EQ(seqs(out), (std::vector<std::uint64_t>{4, 5})) << "the messages after the bad one";
  EXPECT_EQ(s->chat_mark_deleted("room", 3), errc::corrupt);
  std::uint64_t first = 0, last = 0;
  ASSERT_FALSE(s->chat_bounds("room", first, last)) << "bounds come from keys, not values";
  EXPECT_EQ(last, 5u);
  // Trimming past it by count needs no decode and removes it.
  std::size_t removed = 0;
  ASSERT_FALSE(s->chat_trim("room", 2, 0, removed));
  EXPECT_EQ(removed, 3u);
  ASSERT_FALSE(s->chat_after("room", 0, 10, out));
  EXPECT_EQ(seqs(out), (std::vector<std::uint64_t>{4, 5}));
}

TEST(ChatStore, ValueUnderTheWrongKeyIsCorrupt) {
  temp_dir tmp;
  {
    auto s = open_ok(tmp.path());
    ASSERT_FALSE(s->append_chat("room", msgs(1, 2)));
  }
  put_raw(tmp.path(), keys::chat("room", 2), encode_chat(msg(9)));  // a well-formed value, seq 9
  auto s = open_ok(tmp.path());
  std::vector<chat_record> out;
  EXPECT_EQ(s->chat_after("room", 0, 10, out), errc::corrupt);
  EXPECT_EQ(seqs(out), (std::vector<std::uint64_t>{1}));
}

TEST(ChatStore, CorruptModerationIsCorrupt) {
  temp_dir tmp;
  { open_ok(tmp.path()); }
  put_raw(tmp.path(), keys::chat_moderation("room"), "\x95\x02");
  auto s = open_ok(tmp.path());
  chat_moderation got;
  got.slow_mode_s = 77;
  EXPECT_EQ(s->get_chat_moderation("room", got), errc::corrupt);
  EXPECT_EQ(got.slow_mode_s, 77u) << "a failed read leaves the output untouched";
  EXPECT_NE(s->last_error().find("chatmod/room"), std::string::npos) << s->last_error();
  ASSERT_FALSE(s->put_chat_moderation("room", chat_moderation{})) << "a put repairs it";
  ASSERT_FALSE(s->get_chat_moderation("room", got));
}

TEST(ChatStore, ChatKeysDoNotDisturbRoomsAndTokens) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  ASSERT_FALSE(s->append_chat("room", msgs(1, 3)));
  ASSERT_FALSE(s->put_chat_moderation("room", chat_moderation{}));
  room_record r;
  r.id = "room";
  ASSERT_FALSE(s->put_room(r));
  std::vector<room_record> rooms;
  ASSERT_FALSE(s->list_rooms(rooms));
  ASSERT_EQ(rooms.size(), 1u);
  std::vector<token_record> tokens;
  ASSERT_FALSE(s->list_tokens(tokens));
  EXPECT_TRUE(tokens.empty());
}

}  // namespace
}  // namespace onair::storage
