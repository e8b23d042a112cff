// The value format is the durable contract between onair versions: golden byte vectors pin it, and
// every malformed shape must come back as errc::corrupt rather than an exception or a crash.
#include "storage/record_codec.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "storage/errc.hpp"

namespace onair::storage {
namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

room_record full_room() {
  room_record r;
  r.id = "r-1_abc";
  r.owner = "alice";
  r.title = "Friday night \xE2\x99\xAB";  // UTF-8 survives as-is
  r.description = std::string("with\0nul", 8);
  r.kind = 1;
  r.tags = {"house", "", "techno"};
  r.status = 2;
  r.stream_key_hash = std::string(64, 'f');
  r.created_at_ms = 1'700'000'000'123;
  r.updated_at_ms = -5;  // before the epoch: a negative int64 must survive too
  r.next_msn = std::numeric_limits<std::uint64_t>::max();
  r.discontinuity_seq = 42;
  r.version = std::numeric_limits<std::uint64_t>::max() - 1;
  r.home_region = "eu-west";
  r.owner_node = "node-abc";
  r.owner_epoch = 7;
  r.origin_node = "node-def";
  r.ladder_set = true;
  r.ladder = {"720p", "480p"};
  r.renditions = {"source", "720p"};
  r.transcode_status = "passthrough only: no transcoding capacity";
  return r;
}

// Golden room: ["r1","o","T","",1,["a"],2,"h",5,-1,300,0] under version 1.
const std::string golden_room = bytes({
    0x9d,                    // fixarray, 13 elements
    0x01,                    // format version 1
    0xa2, 'r', '1',          // id
    0xa1, 'o',               // owner
    0xa1, 'T',               // title
    0xa0,                    // description ""
    0x01,                    // kind 1 (audio)
    0x91, 0xa1, 'a',         // tags ["a"]
    0x02,                    // status 2 (ended)
    0xa1, 'h',               // stream_key_hash
    0x05,                    // created_at_ms 5
    0xff,                    // updated_at_ms -1 (negative fixint)
    0xcd, 0x01, 0x2c,        // next_msn 300 (uint16)
    0x00,                    // discontinuity_seq 0
});

// Golden room v2 (the format written today): the v1 fields, then
// version 9, home_region "eu", owner_node "n1", owner_epoch 2, origin_node "n2", deleted false.
const std::string golden_room_v2 = bytes({
    0xdc, 0x00, 0x17,        // array16, 23 elements
    0x02,                    // format version 2
    0xa2, 'r', '1',          // id
    0xa1, 'o',               // owner
    0xa1, 'T',               // title
    0xa0,                    // description ""
    0x01,                    // kind 1 (audio)
    0x91, 0xa1, 'a',         // tags ["a"]
    0x02,                    // status 2 (ended)
    0xa1, 'h',               // stream_key_hash
    0x05,                    // created_at_ms 5
    0xff,                    // updated_at_ms -1 (negative fixint)
    0xcd, 0x01, 0x2c,        // next_msn 300 (uint16)
    0x00,                    // discontinuity_seq 0
    0x09,                    // version 9
    0xa2, 'e', 'u',          // home_region
    0xa2, 'n', '1',          // owner_node
    0x02,                    // owner_epoch 2
    0xa2, 'n', '2',          // origin_node
    0x00,                    // deleted: false
    0x01,                    // ladder_set: true
    0x91, 0xa4, '4', '8', '0', 'p',  // ladder ["480p"]
    0x92, 0xa6, 's', 'o', 'u', 'r', 'c', 'e', 0xa4, '4', '8', '0', 'p',  // renditions ["source","480p"]
    0xa0,                    // transcode_status ""
});

room_record golden_room_record() {
  room_record r;
  r.id = "r1";
  r.owner = "o";
  r.title = "T";
  r.kind = 1;
  r.tags = {"a"};
  r.status = 2;
  r.stream_key_hash = "h";
  r.created_at_ms = 5;
  r.updated_at_ms = -1;
  r.next_msn = 300;
  return r;
}

// Golden token: ["n","dj","h",7] under version 1.
const std::string golden_token = bytes({
    0x95,                    // fixarray, 5 elements
    0x01,                    // format version 1
    0xa1, 'n',               // name
    0xa2, 'd', 'j',          // role
    0xa1, 'h',               // token_hash
    0x07,                    // created_at_ms 7
});

TEST(RecordCodec, RoomRoundTripKeepsEveryField) {
  const room_record in = full_room();
  room_record out;
  ASSERT_FALSE(decode_room(encode_room(in), out));
  EXPECT_EQ(out.id, in.id);
  EXPECT_EQ(out.owner, in.owner);
  EXPECT_EQ(out.title, in.title);
  EXPECT_EQ(out.description, in.description);
  EXPECT_EQ(out.kind, in.kind);
  EXPECT_EQ(out.tags, in.tags);
  EXPECT_EQ(out.status, in.status);
  EXPECT_EQ(out.stream_key_hash, in.stream_key_hash);
  EXPECT_EQ(out.created_at_ms, in.created_at_ms);
  EXPECT_EQ(out.updated_at_ms, in.updated_at_ms);
  EXPECT_EQ(out.next_msn, in.next_msn);
  EXPECT_EQ(out.discontinuity_seq, in.discontinuity_seq);
  EXPECT_EQ(out, in);
}

TEST(RecordCodec, DefaultRoomRoundTrips) {
  room_record out = full_room();
  ASSERT_FALSE(decode_room(encode_room(room_record{}), out));
  EXPECT_EQ(out, room_record{});
}

TEST(RecordCodec, TokenRoundTripKeepsEveryField) {
  token_record in{"ci-bot", "admin", std::string(64, 'a'), std::numeric_limits<std::int64_t>::min()};
  token_record out;
  ASSERT_FALSE(decode_token(encode_token(in), out));
  EXPECT_EQ(out.name, in.name);
  EXPECT_EQ(out.role, in.role);
  EXPECT_EQ(out.token_hash, in.token_hash);
  EXPECT_EQ(out.created_at_ms, in.created_at_ms);
}

TEST(RecordCodec, RoomEncodingMatchesGoldenBytes) {
  auto rec = golden_room_record();
  rec.version = 9;
  rec.home_region = "eu";
  rec.owner_node = "n1";
  rec.owner_epoch = 2;
  rec.origin_node = "n2";
  rec.ladder_set = true;
  rec.ladder = {"480p"};
  rec.renditions = {"source", "480p"};
  EXPECT_EQ(encode_room(rec), golden_room_v2);
  room_record out;
  ASSERT_FALSE(decode_room(golden_room_v2, out));
  EXPECT_EQ(out, rec);
}

TEST(RecordCodec, VersionOneRoomsStillDecodeWithClusterFieldsAtDefaults) {
  room_record out;
  ASSERT_FALSE(decode_room(golden_room, out));
  EXPECT_EQ(out, golden_room_record());
  EXPECT_EQ(out.version, 0u);
  EXPECT_TRUE(out.owner_node.empty());
  EXPECT_FALSE(out.deleted);
}

TEST(RecordCodec, TombstoneFlagRoundTripsAndRejectsOtherValues) {
  room_record in = full_room();
  in.deleted = true;
  room_record out;
  ASSERT_FALSE(decode_room(encode_room(in), out));
  EXPECT_TRUE(out.deleted);
  std::string bad = golden_room_v2;
  bad[bad.size() - 22] = 0x02;  // deleted must be 0 or 1
  EXPECT_EQ(decode_room(bad, out), errc::corrupt);
}

TEST(RecordCodec, NewerThanOrdersByEpochThenVersion) {
  room_record a, b;
  a.version = 5;
  b.version = 4;
  EXPECT_TRUE(newer_than(a, b));
  EXPECT_FALSE(newer_than(b, a));
  b.owner_epoch = 1;  // a new owner's first change beats any version of the old epoch
  EXPECT_TRUE(newer_than(b, a));
  EXPECT_FALSE(newer_than(a, a));
}

TEST(RecordCodec, TokenEncodingMatchesGoldenBytes) {
  const token_record t{"n", "dj", "h", 7};
  EXPECT_EQ(encode_token(t), golden_token);
  token_record out;
  ASSERT_FALSE(decode_token(golden_token, out));
  EXPECT_EQ(out, t);
}

TEST(RecordCodec, EveryTruncationIsCorrupt) {
  const std::string room = encode_room(full_room());
  for (std::size_t n = 0; n < room.size(); ++n) {
    room_record out;
    EXPECT_EQ(decode_room(std::string_view(room).substr(0, n), out), errc::corrupt) << "prefix " << n;
  }
  const std::string token = golden_token;
  for (std::size_t n = 0; n < token.size(); ++n) {
    token_record out;
    EXPECT_EQ(decode_token(std::string_view(token).substr(0, n), out), errc::corrupt) << "prefix " << n;
  }
}

TEST(RecordCodec, TrailingBytesAreCorrupt) {
  room_record r;
  EXPECT_EQ(decode_room(golden_room + '\x00', r), errc::corrupt);
  token_record t;
  EXPECT_EQ(decode_token(golden_token + '\xc0', t), errc::corrupt);
}

TEST(RecordCodec, UnknownVersionIsCorrupt) {
  for (int v : {0x00, 0x02, 0x63, 0x7f}) {
    std::string room = golden_room;
    room[1] = static_cast<char>(v);  // the version element is a positive fixint right after the header
    room_record r;
    EXPECT_EQ(decode_room(room, r), errc::corrupt) << "version " << v;
    std::string token = golden_token;
    token[1] = static_cast<char>(v);
    token_record t;
    EXPECT_EQ(decode_token(token, t), errc::corrupt) << "version " << v;
  }
  // A version that is not a number at all.
  std::string room = golden_room;
  room[1] = '\xc0';  // nil
  room_record r;
  EXPECT_EQ(decode_room(room, r), errc::corrupt);
}

TEST(RecordCodec, WrongShapesAreCorrupt) {
  room_record r;
  token_record t;
  EXPECT_EQ(decode_room("", r), errc::corrupt);
  EXPECT_EQ(decode_room("garbage that is no msgpack", r), errc::corrupt);
  EXPECT_EQ(decode_room(bytes({0x90}), r), errc::corrupt);        // empty array
  EXPECT_EQ(decode_room(bytes({0x81, 0x01, 0x01}), r), errc::corrupt);  // a map {1: 1}
  EXPECT_EQ(decode_room(bytes({0x01}), r), errc::corrupt);        // a bare number
  // A token value read as a room (and the reverse): right version, wrong element count.
  EXPECT_EQ(decode_room(golden_token, r), errc::corrupt);
  EXPECT_EQ(decode_token(golden_room, t), errc::corrupt);
  // Right count, wrong type: id as a number.
  std::string room = golden_room;
  room.replace(2, 3, bytes({0x07}));
  room_record before = full_room();
  r = before;
  EXPECT_EQ(decode_room(room, r), errc::corrupt);
  EXPECT_EQ(r, before) << "a failed decode leaves the output untouched";
  // kind out of uint8 range: 256 as uint16.
  room = golden_room;
  room.replace(10, 1, bytes({0xcd, 0x01, 0x00}));
  EXPECT_EQ(decode_room(room, r), errc::corrupt);
  // created_at_ms above INT64_MAX: uint64 0xffff...
  room = golden_room;
  room.replace(17, 1, bytes({0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(decode_room(room, r), errc::corrupt);
  // next_msn negative.
  room = golden_room;
  room.replace(19, 3, bytes({0xff}));
  EXPECT_EQ(decode_room(room, r), errc::corrupt);
  // A tag that is not a string.
  room = golden_room;
  room.replace(12, 2, bytes({0x01}));
  EXPECT_EQ(decode_room(room, r), errc::corrupt);
}

TEST(RecordCodec, HugeLengthHeadersAreCorruptWithoutAllocating) {
  room_record r;
  // array32 claiming 2^32-1 elements, then nothing: msgpack-c would allocate before reading.
  EXPECT_EQ(decode_room(bytes({0xdd, 0xff, 0xff, 0xff, 0xff}), r), errc::corrupt);
  // str32 claiming 4 GiB inside a plausible room.
  EXPECT_EQ(decode_room(bytes({0x9d, 0x01, 0xdb, 0xff, 0xff, 0xff, 0xff}), r), errc::corrupt);
  // Deep nesting.
  EXPECT_EQ(decode_room(std::string(1000, '\x91') + '\x01', r), errc::corrupt);
}

}  // namespace
}  // namespace onair::storage
