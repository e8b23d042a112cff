// Chat values are durable across onair versions: golden byte vectors pin the v1 layout, and every
// malformed shape must come back as errc::corrupt rather than an exception or a crash.
#include "storage/chat_codec.hpp"

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

chat_record full_chat() {
  chat_record m;
  m.seq = std::numeric_limits<std::uint64_t>::max();
  m.ts_ms = -7;  // a negative int64 survives too
  m.user_id = "u-1_abc";
  m.user_name = "DJ \xE2\x99\xAB";  // UTF-8 as-is
  m.user_role = "moderator";
  m.text = std::string("with\0nul and a long enough tail to need str8", 44);
  m.deleted = true;
  return m;
}

// Golden message: [1, 1, 1700000000000, "u1", "Ann", "viewer", "hi", false].
const std::string golden_chat = bytes({
    0x98,                                            // fixarray, 8 elements
    0x01,                                            // format version 1
    0x01,                                            // seq 1
    0xcf, 0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00,  // ts_ms 1700000000000 (uint64)
    0xa2, 'u', '1',                                  // user_id
    0xa3, 'A', 'n', 'n',                             // user_name
    0xa6, 'v', 'i', 'e', 'w', 'e', 'r',              // user_role
    0xa2, 'h', 'i',                                  // text
    0xc2,                                            // deleted false
});

chat_record golden_chat_record() {
  chat_record m;
  m.seq = 1;
  m.ts_ms = 1'700'000'000'000;
  m.user_id = "u1";
  m.user_name = "Ann";
  m.user_role = "viewer";
  m.text = "hi";
  return m;
}

// Golden moderation: [1, ["x"], [["y", 5]], 10, 3].
const std::string golden_moderation = bytes({
    0x95,                          // fixarray, 5 elements
    0x01,                          // format version 1
    0x91, 0xa1, 'x',               // banned ["x"]
    0x91, 0x92, 0xa1, 'y', 0x05,   // muted [["y", until_ms 5]]
    0x0a,                          // slow_mode_s 10
    0x03,                          // cleared_up_to 3
});

chat_moderation golden_moderation_record() {
  chat_moderation m;
  m.banned = {"x"};
  m.muted = {{"y", 5}};
  m.slow_mode_s = 10;
  m.cleared_up_to = 3;
  return m;
}

TEST(ChatCodec, ChatRoundTripKeepsEveryField) {
  const auto in = full_chat();
  chat_record out;
  ASSERT_FALSE(decode_chat(encode_chat(in), out));
  EXPECT_EQ(out, in);
  chat_record empty;
  ASSERT_FALSE(decode_chat(encode_chat(chat_record{}), empty));
  EXPECT_EQ(empty, chat_record{});
}

TEST(ChatCodec, ChatEncodingMatchesGoldenBytes) {
  EXPECT_EQ(encode_chat(golden_chat_record()), golden_chat);
  chat_record out;
  ASSERT_FALSE(decode_chat(golden_chat, out));
  EXPECT_EQ(out, golden_chat_record());
}

TEST(ChatCodec, ModerationRoundTripKeepsEveryField) {
  chat_moderation in;
  in.banned = {"a", "", "b\xE2\x99\xAB"};
  in.muted = {{"m1", -1}, {"m2", std::numeric_limits<std::int64_t>::max()}};
  in.slow_mode_s = std::numeric_limits<std::uint32_t>::max();
  in.cleared_up_to = std::numeric_limits<std::uint64_t>::max();
  chat_moderation out;
  ASSERT_FALSE(decode_chat_moderation(encode_chat_moderation(in), out));
  EXPECT_EQ(out, in);
  chat_moderation empty;
  ASSERT_FALSE(decode_chat_moderation(encode_chat_moderation(chat_moderation{}), empty));
  EXPECT_EQ(empty, chat_moderation{});
}

TEST(ChatCodec, ModerationEncodingMatchesGoldenBytes) {
  EXPECT_EQ(encode_chat_moderation(golden_moderation_record()), golden_moderation);
  chat_moderation out;
  ASSERT_FALSE(decode_chat_moderation(golden_moderation, out));
  EXPECT_EQ(out, golden_moderation_record());
}

TEST(ChatCodec, LongBanListDecodes) {
  // More than the 4096-element cap of room values: a big room may ban many users.
  chat_moderation in;
  for (int i = 0; i < 10'000; ++i) in.banned.push_back("user-" + std::to_string(i));
  chat_moderation out;
  ASSERT_FALSE(decode_chat_moderation(encode_chat_moderation(in), out));
  EXPECT_EQ(out, in);
}

TEST(ChatCodec, EveryTruncationIsCorrupt) {
  const std::string chat = encode_chat(full_chat());
  for (std::size_t n = 0; n < chat.size(); ++n) {
    chat_record out;
    EXPECT_EQ(decode_chat(std::string_view(chat).substr(0, n), out), errc::corrupt) << "prefix " << n;
  }
  for (std::size_t n = 0; n < golden_moderation.size(); ++n) {
    chat_moderation out;
    EXPECT_EQ(decode_chat_moderation(std::string_view(golden_moderation).substr(0, n), out),
              errc::corrupt)
        << "prefix " << n;
  }
}

TEST(ChatCodec, TrailingBytesAreCorrupt) {
  chat_record m;
  EXPECT_EQ(decode_chat(golden_chat + '\x00', m), errc::corrupt);
  chat_moderation mod;
  EXPECT_EQ(decode_chat_moderation(golden_moderation + '\xc0', mod), errc::corrupt);
}

TEST(ChatCodec, UnknownVersionIsCorrupt) {
  for (int v : {0x00, 0x02, 0x7f}) {
    std::string chat = golden_chat;
    chat[1] = static_cast<char>(v);
    chat_record m;
    EXPECT_EQ(decode_chat(chat, m), errc::corrupt) << "version " << v;
    std::string mod = golden_moderation;
    mod[1] = static_cast<char>(v);
    chat_moderation cm;
    EXPECT_EQ(decode_chat_moderation(mod, cm), errc::corrupt) << "version " << v;
  }
}

TEST(ChatCodec, WrongShapesAreCorrupt) {
  chat_record m;
  chat_moderation mod;
  EXPECT_EQ(decode_chat("", m), errc::corrupt);
  EXPECT_EQ(decode_chat("not msgpack at all", m), errc::corrupt);
  EXPECT_EQ(decode_chat(bytes({0x90}), m), errc::corrupt);                  // empty array
  EXPECT_EQ(decode_chat(bytes({0x81, 0x01, 0x01}), m), errc::corrupt);      // a map
  // A moderation value read as a message and the reverse: right version, wrong element count.
  EXPECT_EQ(decode_chat(golden_moderation, m), errc::corrupt);
  EXPECT_EQ(decode_chat_moderation(golden_chat, mod), errc::corrupt);

  const chat_record before = full_chat();
  m = before;
  std::string chat = golden_chat;
  chat[2] = '\xff';  // seq -1
  EXPECT_EQ(decode_chat(chat, m), errc::corrupt);
  EXPECT_EQ(m, before) << "a failed decode leaves the output untouched";
  chat = golden_chat;
  chat.back() = '\x00';  // deleted as integer 0 instead of false
  EXPECT_EQ(decode_chat(chat, m), errc::corrupt);
  chat = golden_chat;
  chat[12] = '\x92';  // user_id as an array
  EXPECT_EQ(decode_chat(chat, m), errc::corrupt);
  chat = golden_chat;  // ts_ms above INT64_MAX
  chat.replace(3, 9, bytes({0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(decode_chat(chat, m), errc::corrupt);

  // The well-formed shape the next three cases break, so they fail for the reason they name.
  ASSERT_FALSE(decode_chat_moderation(
      bytes({0x95, 0x01, 0x91, 0xa1, 'x', 0x91, 0x92, 0xa1, 'y', 0x05, 0x0a, 0x03}), mod));
  // A mute of one element instead of [user_id, until_ms].
  EXPECT_EQ(decode_chat_moderation(bytes({0x95, 0x01, 0x90, 0x91, 0x91, 0xa1, 'y', 0x0a, 0x03}), mod),
            errc::corrupt);
  // A mute that is a string, not a pair.
  EXPECT_EQ(decode_chat_moderation(bytes({0x95, 0x01, 0x90, 0x91, 0xa1, 'y', 0x0a, 0x03}), mod),
            errc::corrupt);
  // A ban that is a number.
  EXPECT_EQ(decode_chat_moderation(bytes({0x95, 0x01, 0x91, 0x07, 0x90, 0x0a, 0x03}), mod),
            errc::corrupt);
  std::string bad = golden_moderation;
  bad.replace(10, 1, bytes({0xcf, 0, 0, 0, 1, 0, 0, 0, 0}));  // slow_mode_s 2^32: out of uint32 range
  EXPECT_EQ(decode_chat_moderation(bad, mod), errc::corrupt);
}

TEST(ChatCodec, HugeLengthHeadersAreCorruptWithoutAllocating) {
  chat_record m;
  chat_moderation mod;
  EXPECT_EQ(decode_chat(bytes({0xdd, 0xff, 0xff, 0xff, 0xff}), m), errc::corrupt);
  EXPECT_EQ(decode_chat(bytes({0x98, 0x01, 0x01, 0x00, 0xdb, 0xff, 0xff, 0xff, 0xff}), m),
            errc::corrupt);
  EXPECT_EQ(decode_chat_moderation(bytes({0x95, 0x01, 0xdd, 0xff, 0xff, 0xff, 0xff}), mod),
            errc::corrupt);
  EXPECT_EQ(decode_chat_moderation(std::string(1000, '\x91') + '\x01', mod), errc::corrupt);
}

}  // namespace
}  // namespace onair::storage
