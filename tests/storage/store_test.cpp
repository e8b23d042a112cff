// The store against a real RocksDB in a fresh /tmp directory per test.
#include "storage/store.hpp"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "storage/errc.hpp"
#include "storage/keys.hpp"
#include "storage/record_codec.hpp"
#include "temp_dir.hpp"

extern char** environ;

namespace onair::storage {
namespace {

using test::temp_dir;

room_record make_room(const std::string& id, const std::string& key_hash) {
  room_record r;
  r.id = id;
  r.owner = "dj-token";
  r.title = "Room " + id;
  r.description = "described";
  r.kind = 1;
  r.tags = {"house", "live"};
  r.status = 1;
  r.stream_key_hash = key_hash;
  r.created_at_ms = 1000;
  r.updated_at_ms = 2000;
  r.next_msn = 77;
  r.discontinuity_seq = 3;
  return r;
}

std::unique_ptr<store> open_ok(const std::string& dir) {
  std::error_code ec;
  auto s = store::open(dir, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_NE(s, nullptr);
  return s;
}

/// Writes a raw value under `key`, bypassing the codec, as a torn or foreign write would.
void put_raw(const std::string& dir, const std::string& key, const std::string& value) {
  rocksdb::Options o;
  o.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(o, dir, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), key, value).ok());
}

std::vector<std::string> ids(const std::vector<room_record>& rooms) {
  std::vector<std::string> out;
  for (const auto& r : rooms) out.push_back(r.id);
  return out;
}

TEST(Store, OpenCreatesMissingDirectory) {
  temp_dir tmp;
  auto s = open_ok(tmp.sub("data"));
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(std::filesystem::exists(tmp.sub("data/CURRENT")));
  EXPECT_EQ(s->last_error(), "");
}

TEST(Store, PutGetRoomKeepsEveryField) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  const auto in = make_room("abc", "hash-1");
  ASSERT_FALSE(s->put_room(in));
  room_record out;
  ASSERT_FALSE(s->get_room("abc", out));
  EXPECT_EQ(out, in);
}

TEST(Store, GetMissingRoomIsNotFound) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  room_record out;
  EXPECT_EQ(s->get_room("nope", out), errc::not_found);
  EXPECT_EQ(s->delete_room("nope"), errc::not_found);
  EXPECT_EQ(s->find_room_by_key_hash("nope", out), errc::not_found);
  EXPECT_EQ(s->find_room_by_key_hash("", out), errc::not_found);
}

TEST(Store, PutRoomWithoutIdIsRejected) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  EXPECT_EQ(s->put_room(make_room("", "h")), std::errc::invalid_argument);
  std::vector<room_record> rooms;
  ASSERT_FALSE(s->list_rooms(rooms));
  EXPECT_TRUE(rooms.empty());
}

TEST(Store, PutReplacesRoom) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  auto r = make_room("a", "h");
  ASSERT_FALSE(s->put_room(r));
  r.status = 2;
  r.next_msn = 1234;
  ASSERT_FALSE(s->put_room(r));
  room_record out;
  ASSERT_FALSE(s->get_room("a", out));
  EXPECT_EQ(out, r);
}

TEST(Store, ListRoomsIsOrderedById) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  for (const char* id : {"m", "b", "z", "a", "ab"}) ASSERT_FALSE(s->put_room(make_room(id, std::string("h") + id)));
  ASSERT_FALSE(s->put_token({"t", "dj", "tokhash", 1}));  // other prefixes must not show up
  std::vector<room_record> rooms{make_room("stale", "x")};  // out is replaced, not appended to
  ASSERT_FALSE(s->list_rooms(rooms));
  EXPECT_EQ(ids(rooms), (std::vector<std::string>{"a", "ab", "b", "m", "z"}));
  EXPECT_EQ(rooms[0], make_room("a", "ha"));
}

TEST(Store, DeleteRemovesRoomAndKeyIndex) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  ASSERT_FALSE(s->put_room(make_room("a", "ka")));
  ASSERT_FALSE(s->put_room(make_room("b", "kb")));
  ASSERT_FALSE(s->delete_room("a"));
  room_record out;
  EXPECT_EQ(s->get_room("a", out), errc::not_found);
  EXPECT_EQ(s->find_room_by_key_hash("ka", out), errc::not_found);
  ASSERT_FALSE(s->find_room_by_key_hash("kb", out));
  EXPECT_EQ(out.id, "b");
  std::vector<room_record> rooms;
  ASSERT_FALSE(s->list_rooms(rooms));
  EXPECT_EQ(ids(rooms), std::vector<std::string>{"b"});
  EXPECT_EQ(s->delete_room("a"), errc::not_found);
}

TEST(Store, DeleteRemovesIndexEntryFromDisk) {
  temp_dir tmp;
  {
    auto s = open_ok(tmp.path());
    ASSERT_FALSE(s->put_room(make_room("a", "ka")));
    ASSERT_FALSE(s->delete_room("a"));
  }
  // Not just unreachable through the API: the index key itself is gone.
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), tmp.path(), &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string v;
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), keys::room_key("ka"), &v).IsNotFound());
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), keys::room("a"), &v).IsNotFound());
}

TEST(Store, FindRoomByKeyHash) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  const auto r = make_room("a", "key-hash-a");
  ASSERT_FALSE(s->put_room(r));
  room_record out;
  ASSERT_FALSE(s->find_room_by_key_hash("key-hash-a", out));
  EXPECT_EQ(out, r);
}

TEST(Store, RotatingStreamKeyMovesIndex) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  auto r = make_room("a", "old-hash");
  ASSERT_FALSE(s->put_room(r));
  r.stream_key_hash = "new-hash";
  ASSERT_FALSE(s->put_room(r));
  room_record out;
  EXPECT_EQ(s->find_room_by_key_hash("old-hash", out), errc::not_found);
  ASSERT_FALSE(s->find_room_by_key_hash("new-hash", out));
  EXPECT_EQ(out.id, "a");
  EXPECT_EQ(out.stream_key_hash, "new-hash");
}

TEST(Store, ClearingStreamKeyRemovesIndex) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  auto r = make_room("a", "h");
  ASSERT_FALSE(s->put_room(r));
  r.stream_key_hash.clear();
  ASSERT_FALSE(s->put_room(r));
  room_record out;
  EXPECT_EQ(s->find_room_by_key_hash("h", out), errc::not_found);
}

TEST(Store, KeyTakenOverByAnotherRoomStaysWithIt) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  ASSERT_FALSE(s->put_room(make_room("a", "shared")));
  ASSERT_FALSE(s->put_room(make_room("b", "shared")));  // the newest claim owns the index entry
  room_record out;
  ASSERT_FALSE(s->find_room_by_key_hash("shared", out));
  EXPECT_EQ(out.id, "b");
  // Rotating or deleting "a" must not remove the entry that now names "b".
  auto a = make_room("a", "other");
  ASSERT_FALSE(s->put_room(a));
  ASSERT_FALSE(s->delete_room("a"));
  ASSERT_FALSE(s->find_room_by_key_hash("shared", out));
  EXPECT_EQ(out.id, "b");
}

TEST(Store, TokensPutFindList) {
  temp_dir tmp;
  auto s = open_ok(tmp.path());
  const token_record t1{"alice", "dj", "h2", 10};
  const token_record t2{"root", "admin", "h1", 20};
  ASSERT_FALSE(s->put_token(t1));
  ASSERT_FALSE(s->put_token(t2));
  ASSERT_FALSE(s->put_room(make_room("h0", "h0")));  // rooms must not show up among tokens
  token_record out;
  ASSERT_FALSE(s->find_token_by_hash("h2", out));
  EXPECT_EQ(out, t1);
  EXPECT_EQ(s->find_token_by_hash("h3", out), errc::not_found);
  EXPECT_EQ(s->find_token_by_hash("", out), errc::not_found);
  std::vector<token_record> tokens;
  ASSERT_FALSE(s->list_tokens(tokens));
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0], t2);  // ordered by hash
  EXPECT_EQ(tokens[1], t1);
  EXPECT_EQ(s->put_token({"x", "dj", "", 0}), std::errc::invalid_argument);
}

TEST(Store, ReopenKeepsEverything) {
  temp_dir tmp;
  auto r = make_room("a", "ka");
  const token_record t{"alice", "dj", "th", 5};
  {
    auto s = open_ok(tmp.path());
    ASSERT_FALSE(s->put_room(make_room("b", "kb")));
    ASSERT_FALSE(s->put_room(r));
    r.stream_key_hash = "ka2";
    ASSERT_FALSE(s->put_room(r));
    ASSERT_FALSE(s->delete_room("b"));
    ASSERT_FALSE(s->put_token(t));
  }  // closed: the restart of a node
  auto s = open_ok(tmp.path());
  room_record out;
  ASSERT_FALSE(s->get_room("a", out));
  EXPECT_EQ(out, r);
  ASSERT_FALSE(s->find_room_by_key_hash("ka2", out));
  EXPECT_EQ(out.id, "a");
  EXPECT_EQ(s->find_room_by_key_hash("ka", out), errc::not_found);
  EXPECT_EQ(s->get_room("b", out), errc::not_found);
  EXPECT_EQ(s->find_room_by_key_hash("kb", out), errc::not_found);
  token_record tout;
  ASSERT_FALSE(s->find_token_by_hash("th", tout));
  EXPECT_EQ(tout, t);
  std::vector<room_record> rooms;
  ASSERT_FALSE(s->list_rooms(rooms));
  EXPECT_EQ(ids(rooms), std::vector<std::string>{"a"});
}

TEST(Store, SecondOpenInSameProcessIsLocked) {
  temp_dir tmp;
  auto first = open_ok(tmp.path());
  std::error_code ec;
  std::string detail;
  auto second = store::open(tmp.path(), ec, detail);
  EXPECT_EQ(second, nullptr);
  EXPECT_EQ(ec, errc::locked);
  EXPECT_NE(detail.find("in use"), std::string::npos) << detail;
  EXPECT_NE(detail.find(tmp.path()), std::string::npos) << detail;
  // The first handle is unharmed, and closing it frees the directory.
  ASSERT_FALSE(first->put_room(make_room("a", "h")));
  first.reset();
  auto third = open_ok(tmp.path());
  room_record out;
  EXPECT_FALSE(third->get_room("a", out));
}

// The real case: a second onair process on the same data dir. Runs this binary again with only the
// child test below selected; the child reports through its exit status.
TEST(Store, SecondOpenFromAnotherProcessIsLocked) {
  temp_dir tmp;
  auto first = open_ok(tmp.sub("db"));
  std::string self = std::filesystem::read_symlink("/proc/self/exe");
  std::string filter = "--gtest_filter=StoreChild.DISABLED_OpenHeldDirectory";
  std::string also = "--gtest_also_run_disabled_tests";
  std::string env = "ONAIR_STORAGE_LOCK_TEST_DIR=" + tmp.sub("db");
  std::string mark = "ONAIR_STORAGE_LOCK_TEST_MARK=" + tmp.sub("child-ran");
  std::vector<char*> argv{self.data(), filter.data(), also.data(), nullptr};
  std::vector<char*> envp{env.data(), mark.data(), nullptr};
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv.data(), envp.data()), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the child's open was not reported as errc::locked";
  EXPECT_TRUE(std::filesystem::exists(tmp.sub("child-ran"))) << "the child test did not run";
}

TEST(StoreChild, DISABLED_OpenHeldDirectory) {
  const char* dir = std::getenv("ONAIR_STORAGE_LOCK_TEST_DIR");
  if (dir == nullptr) GTEST_SKIP() << "only run by Store.SecondOpenFromAnotherProcessIsLocked";
  std::error_code ec;
  std::string detail;
  auto s = store::open(dir, ec, detail);
  EXPECT_EQ(s, nullptr);
  EXPECT_EQ(ec, errc::locked) << ec.message() << ": " << detail;
  if (const char* mark = std::getenv("ONAIR_STORAGE_LOCK_TEST_MARK")) std::ofstream(mark) << "ran";
}

TEST(Store, OpenFailureIsIoErrorWithDetail) {
  temp_dir tmp;
  const std::string file = tmp.sub("not-a-dir");
  std::ofstream(file) << "x";
  std::error_code ec;
  std::string detail;
  auto s = store::open(file + "/db", ec, detail);
  EXPECT_EQ(s, nullptr);
  EXPECT_EQ(ec, errc::io_error);
  EXPECT_NE(detail.find("not-a-dir"), std::string::npos) << detail;
  // The two-argument form reports the same code.
  s = store::open(file + "/db", ec);
  EXPECT_EQ(ec, errc::io_error);
}

TEST(Store, CorruptRoomValueIsCorrupt) {
  temp_dir tmp;
  put_raw(tmp.path(), keys::room("bad"), "\xc1 not msgpack");
  auto s = open_ok(tmp.path());
  ASSERT_FALSE(s->put_room(make_room("good", "hg")));
  room_record out;
  EXPECT_EQ(s->get_room("bad", out), errc::corrupt);
  EXPECT_NE(s->last_error().find("room/bad"), std::string::npos) << s->last_error();
  std::vector<room_record> rooms;
  EXPECT_EQ(s->list_rooms(rooms), errc::corrupt);
  // A corrupt room can be repaired by a put, or deleted.
  ASSERT_FALSE(s->put_room(make_room("bad", "hb")));
  ASSERT_FALSE(s->get_room("bad", out));
  ASSERT_FALSE(s->list_rooms(rooms));
  EXPECT_EQ(ids(rooms), (std::vector<std::string>{"bad", "good"}));
}

TEST(Store, CorruptRoomCanBeDeleted) {
  temp_dir tmp;
  put_raw(tmp.path(), keys::room("bad"), std::string(3, '\0'));
  auto s = open_ok(tmp.path());
  EXPECT_FALSE(s->delete_room("bad"));
  room_record out;
  EXPECT_EQ(s->get_room("bad", out), errc::not_found);
}

TEST(Store, UnknownVersionValueIsCorrupt) {
  temp_dir tmp;
  std::string room = encode_room(make_room("future", "hf"));
  ASSERT_EQ(room[3], '\x02');  // the version follows the array16 header (3 bytes)
  room[3] = '\x09';
  std::string token = encode_token({"n", "dj", "th", 1});
  token[1] = '\x09';
  put_raw(tmp.path(), keys::room("future"), room);
  put_raw(tmp.path(), keys::room_key("hf"), "future");
  put_raw(tmp.path(), keys::token("th"), token);
  auto s = open_ok(tmp.path());
  room_record out;
  EXPECT_EQ(s->get_room("future", out), errc::corrupt);
  EXPECT_EQ(s->find_room_by_key_hash("hf", out), errc::corrupt);
  token_record t;
  EXPECT_EQ(s->find_token_by_hash("th", t), errc::corrupt);
  std::vector<token_record> tokens;
  EXPECT_EQ(s->list_tokens(tokens), errc::corrupt);
}

TEST(Store, StaleIndexEntryIsNotFound) {
  temp_dir tmp;
  // An index entry naming a room that is gone, or whose key has since changed, finds nothing.
  put_raw(tmp.path(), keys::room_key("ghost"), "nobody");
  put_raw(tmp.path(), keys::room_key("old"), "a");
  auto s = open_ok(tmp.path());
  ASSERT_FALSE(s->put_room(make_room("a", "new")));
  room_record out;
  EXPECT_EQ(s->find_room_by_key_hash("ghost", out), errc::not_found);
  EXPECT_EQ(s->find_room_by_key_hash("old", out), errc::not_found);
}

}  // namespace
}  // namespace onair::storage
