// Chunk stream parsing and writing (RTMP spec 5.3), byte vectors commented per field.
#include "net/rtmp/chunk_parser.hpp"

#include <gtest/gtest.h>

#include <random>

#include "net/rtmp/chunk_writer.hpp"
#include "net/rtmp/errc.hpp"

namespace {

using namespace onair::net::rtmp;
using bytes = std::vector<std::uint8_t>;

struct parsed {
  std::vector<message> messages;
  std::error_code ec;
};

/// Feeds `in` in pieces cut at `splits` (byte offsets), collecting messages.
parsed parse(chunk_parser& p, const bytes& in, std::vector<std::size_t> splits = {}) {
  parsed out;
  splits.push_back(in.size());
  std::size_t from = 0;
  for (const std::size_t to : splits) {
    std::span<const std::uint8_t> piece(in.data() + from, to - from);
    from = to;
    while (!piece.empty()) {
      auto r = p.feed(piece);
      piece = piece.subspan(r.consumed);
      if (r.status == feed_status::error) {
        out.ec = r.ec;
        return out;
      }
      if (r.status == feed_status::ok) out.messages.push_back(p.take_message());
      else EXPECT_TRUE(piece.empty());
    }
  }
  return out;
}

parsed parse(const bytes& in, std::vector<std::size_t> splits = {}) {
  chunk_parser p;
  return parse(p, in, std::move(splits));
}

bytes payload_of(const message& m) { return *m.payload; }

TEST(rtmp_chunk_parser, type0_single_chunk) {
  const bytes in = {
      0x03,              // basic header: fmt 0, csid 3                          5.3.1.1
      0x00, 0x03, 0xe8,  // timestamp 1000                                        5.3.1.2.1
      0x00, 0x00, 0x02,  // message length 2
      0x14,              // message type 20 (AMF0 command)
      0x01, 0x00, 0x00, 0x00,  // message stream id 1, little-endian
      0xaa, 0xbb,        // payload
  };
  auto r = parse(in);
  ASSERT_FALSE(r.ec);
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].csid, 3u);
  EXPECT_EQ(r.messages[0].timestamp, 1000u);
  EXPECT_EQ(r.messages[0].type_id, 20);
  EXPECT_EQ(r.messages[0].stream_id, 1u);
  EXPECT_EQ(payload_of(r.messages[0]), (bytes{0xaa, 0xbb}));
}

TEST(rtmp_chunk_parser, type3_continuation_at_default_chunk_size) {
  bytes in = {0x04, 0, 0, 0, 0x00, 0x00, 200, 0x09, 1, 0, 0, 0};  // fmt 0 csid 4, length 200, video
  for (int i = 0; i < 128; ++i) in.push_back(static_cast<std::uint8_t>(i));  // first chunk: 128 bytes
  in.push_back(0xc4);                                               // fmt 3 csid 4: continuation
  for (int i = 128; i < 200; ++i) in.push_back(static_cast<std::uint8_t>(i));
  auto r = parse(in);
  ASSERT_EQ(r.messages.size(), 1u);
  ASSERT_EQ(r.messages[0].payload->size(), 200u);
  EXPECT_EQ((*r.messages[0].payload)[199], 199);
}

TEST(rtmp_chunk_parser, type1_type2_type3_deltas) {
  // In the spirit of RTMP spec 5.3.2.1: audio messages with a constant delta.
  const bytes in = {
      0x06, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x01, 0x08, 0x01, 0, 0, 0, 0xa1,  // fmt 0: ts 1000, len 1
      0x46, 0x00, 0x00, 0x14, 0x00, 0x00, 0x02, 0x08, 0xb1, 0xb2,          // fmt 1: delta 20, len 2
      0x86, 0x00, 0x00, 0x1e, 0xc1, 0xc2,                                  // fmt 2: delta 30
      0xc6, 0xd1, 0xd2,                                                    // fmt 3: new msg, delta 30 again
  };
  auto r = parse(in);
  ASSERT_FALSE(r.ec);
  ASSERT_EQ(r.messages.size(), 4u);
  EXPECT_EQ(r.messages[0].timestamp, 1000u);
  EXPECT_EQ(r.messages[1].timestamp, 1020u);
  EXPECT_EQ(r.messages[2].timestamp, 1050u);
  EXPECT_EQ(r.messages[3].timestamp, 1080u);
  EXPECT_EQ(r.messages[3].stream_id, 1u);  // inherited
  EXPECT_EQ(payload_of(r.messages[3]), (bytes{0xd1, 0xd2}));
}

TEST(rtmp_chunk_parser, type3_after_type0_uses_the_type0_field_as_delta) {
  // ffmpeg's writer and reader treat a type 0 timestamp as the delta a following type 3 repeats.
  const bytes in = {0x06, 0x00, 0x00, 0x21, 0x00, 0x00, 0x01, 0x08, 0, 0, 0, 0, 0xa1,  // ts 33
                    0xc6, 0xa2};                                                      // new msg
  auto r = parse(in);
  ASSERT_EQ(r.messages.size(), 2u);
  EXPECT_EQ(r.messages[1].timestamp, 66u);
}

TEST(rtmp_chunk_parser, extended_timestamp_repeated_in_type3) {
  bytes in = {
      0x07,                    // fmt 0, csid 7
      0xff, 0xff, 0xff,        // timestamp field 0xFFFFFF: extended timestamp follows (5.3.1.3)
      0x00, 0x00, 0x82,        // length 130 (two chunks)
      0x09, 0x01, 0, 0, 0,     // video, stream 1
      0x01, 0x00, 0x00, 0x00,  // extended timestamp 0x01000000
  };
  in.insert(in.end(), 128, 0x11);
  in.insert(in.end(), {0xc7, 0x01, 0x00, 0x00, 0x00});  // fmt 3 repeating the extended timestamp
  in.insert(in.end(), {0x22, 0x33});
  auto r = parse(in);
  ASSERT_FALSE(r.ec);
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].timestamp, 0x01000000u);
  ASSERT_EQ(r.messages[0].payload->size(), 130u);
  EXPECT_EQ((*r.messages[0].payload)[128], 0x22);
}

TEST(rtmp_chunk_parser, extended_timestamp_omitted_in_type3_quirk) {
  bytes in = {0x07, 0xff, 0xff, 0xff, 0x00, 0x00, 0x88, 0x09, 0x01, 0, 0, 0, 0x01, 0x00, 0x00, 0x00};
  in.insert(in.end(), 128, 0x11);
  in.push_back(0xc7);  // fmt 3 WITHOUT the extended timestamp (non-conforming encoders)
  in.insert(in.end(), {0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28});
  in.insert(in.end(), {0x07, 0xff, 0xff, 0xff, 0x00, 0x00, 0x01, 0x09, 0x01, 0, 0, 0, 0x01, 0x00, 0x00, 0x28, 0x99});
  for (std::size_t split = 0; split <= in.size(); ++split) {
    auto r = parse(in, {split});
    ASSERT_FALSE(r.ec) << split;
    ASSERT_EQ(r.messages.size(), 2u) << split;
    const auto& p = *r.messages[0].payload;
    ASSERT_EQ(p.size(), 136u);
    EXPECT_EQ(bytes(p.begin() + 128, p.end()), (bytes{0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28}));
    EXPECT_EQ(r.messages[1].timestamp, 0x01000028u);
  }
}

TEST(rtmp_chunk_parser, extended_timestamp_delta_on_type1) {
  const bytes in = {
      0x08, 0x00, 0x00, 0x10, 0x00, 0x00, 0x01, 0x08, 0, 0, 0, 0, 0xa0,  // fmt 0 ts 16
      0x48, 0xff, 0xff, 0xff, 0x00, 0x00, 0x01, 0x08,                    // fmt 1, delta extended
      0x01, 0x00, 0x00, 0x00,                                            // delta 0x01000000
      0xa1,
      0xc8, 0x01, 0x00, 0x00, 0x00, 0xa2,  // fmt 3 new message: same delta, extended field repeated
  };
  auto r = parse(in);
  ASSERT_FALSE(r.ec) << r.ec.message();
  ASSERT_EQ(r.messages.size(), 3u);
  EXPECT_EQ(r.messages[1].timestamp, 0x01000010u);
  EXPECT_EQ(r.messages[2].timestamp, 0x02000010u);
  EXPECT_EQ(payload_of(r.messages[2]), bytes{0xa2});
}

TEST(rtmp_chunk_parser, timestamp_delta_wraps_at_32_bits) {
  const bytes in = {
      0x08, 0xff, 0xff, 0xff, 0x00, 0x00, 0x01, 0x08, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xf0, 0xa0,  // ts 0xFFFFFFF0
      0x88, 0x00, 0x00, 0x20, 0xa1,  // fmt 2 delta 32
  };
  auto r = parse(in);
  ASSERT_EQ(r.messages.size(), 2u);
  EXPECT_EQ(r.messages[0].timestamp, 0xfffffff0u);
  EXPECT_EQ(r.messages[1].timestamp, 0x10u);  // wrapped; the session unwraps it
}

TEST(rtmp_chunk_parser, set_chunk_size_mid_stream) {
  bytes in = {
      0x02, 0, 0, 0, 0x00, 0x00, 0x04, 0x01, 0, 0, 0, 0,  // fmt 0 csid 2: Set Chunk Size (5.4.1)
      0x00, 0x00, 0x01, 0x00,                             // new chunk size 256
      0x04, 0, 0, 0, 0x00, 0x01, 0x2c, 0x09, 1, 0, 0, 0,  // video, length 300
  };
  in.insert(in.end(), 256, 0x01);  // first chunk now 256 bytes
  in.push_back(0xc4);
  in.insert(in.end(), 44, 0x02);
  chunk_parser p;
  auto r = parse(p, in);
  ASSERT_FALSE(r.ec);
  ASSERT_EQ(r.messages.size(), 2u);
  EXPECT_EQ(r.messages[0].type_id, 1);
  EXPECT_EQ(p.chunk_size(), 256u);
  EXPECT_EQ(r.messages[1].payload->size(), 300u);
  EXPECT_EQ(r.messages[1].payload->back(), 0x02);
}

TEST(rtmp_chunk_parser, abort_discards_partial_message) {
  bytes in = {0x04, 0, 0, 0, 0x00, 0x00, 0xc8, 0x09, 1, 0, 0, 0};  // video, length 200
  in.insert(in.end(), 128, 0x01);                                  // first chunk only
  in.insert(in.end(), {0x02, 0, 0, 0, 0x00, 0x00, 0x04, 0x02, 0, 0, 0, 0,  // Abort Message (5.4.2)
                       0x00, 0x00, 0x00, 0x04});                        // chunk stream 4
  in.insert(in.end(), {0x44, 0, 0, 0x21, 0x00, 0x00, 0x01, 0x09, 0x77});  // fmt 1: a new 1-byte message
  auto r = parse(in);
  ASSERT_FALSE(r.ec);
  ASSERT_EQ(r.messages.size(), 2u);
  EXPECT_EQ(r.messages[0].type_id, 2);
  EXPECT_EQ(payload_of(r.messages[1]), bytes{0x77});
  EXPECT_EQ(r.messages[1].timestamp, 0x21u);
}

TEST(rtmp_chunk_parser, two_and_three_byte_basic_headers) {
  const bytes in = {
      0x00, 0x00,              // fmt 0, csid 0 marker + 1 byte: csid 64 + 0 = 64
      0, 0, 1, 0, 0, 1, 0x08, 0, 0, 0, 0, 0xa0,
      0x01, 0x10, 0x01,        // fmt 0, csid 1 marker + 2 bytes LE: 64 + 0x10 + 0x01*256 = 336
      0, 0, 2, 0, 0, 1, 0x08, 0, 0, 0, 0, 0xa1,
      0xc0, 0x00, 0xa2,        // fmt 3 on csid 64
  };
  auto r = parse(in);
  ASSERT_FALSE(r.ec);
  ASSERT_EQ(r.messages.size(), 3u);
  EXPECT_EQ(r.messages[0].csid, 64u);
  EXPECT_EQ(r.messages[1].csid, 336u);
  EXPECT_EQ(r.messages[2].csid, 64u);
  EXPECT_EQ(r.messages[2].timestamp, 2u);
}

TEST(rtmp_chunk_parser, errors) {
  // A message over the limit.
  chunk_parser small(chunk_parser_limits{100, 64});
  auto r = parse(small, {0x04, 0, 0, 0, 0x00, 0x00, 0x65, 0x09, 0, 0, 0, 0});  // length 101
  EXPECT_EQ(r.ec, errc::message_too_large);
  // Type 1 on a chunk stream never seen.
  EXPECT_EQ(parse({0x45, 0, 0, 0, 0, 0, 1, 8, 0}).ec, errc::missing_chunk_header);
  // Type 3 on a chunk stream never seen.
  EXPECT_EQ(parse({0xc5, 0}).ec, errc::missing_chunk_header);
  // Set Chunk Size 0.
  EXPECT_EQ(parse({0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0}).ec, errc::bad_chunk_size);
  // Too many chunk streams.
  bytes many;
  for (std::uint8_t cs = 3; cs < 63; ++cs) many.insert(many.end(), {cs, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0});
  chunk_parser few(chunk_parser_limits{1000, 8});
  EXPECT_EQ(parse(few, many).ec, errc::too_many_chunk_streams);
  // After an error the parser stays failed.
  auto again = few.feed(bytes{0x03});
  EXPECT_EQ(again.status, feed_status::error);
}

TEST(rtmp_chunk_writer, round_trip_through_parser_at_every_split) {
  std::mt19937 rng(7);
  bytes wire;
  chunk_writer w;
  struct sent { std::uint32_t csid, ts; std::uint8_t type; bytes body; };
  std::vector<sent> out;
  const std::uint32_t csids[] = {3, 4, 63, 64, 319, 320, 65599};
  const std::uint32_t stamps[] = {0, 40, 0xfffffe, 0xffffff, 0x12345678};
  for (int i = 0; i < 14; ++i) {
    sent s{csids[i % 7], stamps[i % 5], static_cast<std::uint8_t>(8 + i % 2), bytes(rng() % 700)};
    for (auto& b : s.body) b = static_cast<std::uint8_t>(rng());
    w.write(s.csid, s.type, 1, s.ts, s.body, wire);
    out.push_back(std::move(s));
  }
  for (std::size_t split = 0; split <= wire.size(); ++split) {
    auto r = parse(wire, {split});
    ASSERT_FALSE(r.ec) << split;
    ASSERT_EQ(r.messages.size(), out.size()) << split;
    for (std::size_t i = 0; i < out.size(); ++i) {
      EXPECT_EQ(r.messages[i].csid, out[i].csid);
      EXPECT_EQ(r.messages[i].timestamp, out[i].ts);
      EXPECT_EQ(r.messages[i].type_id, out[i].type);
      EXPECT_EQ(*r.messages[i].payload, out[i].body);
    }
  }
}

TEST(rtmp_chunk_writer, header_layout) {
  chunk_writer w;
  w.set_chunk_size(4);
  bytes out;
  w.write(3, 20, 1, 0, bytes{1, 2, 3, 4, 5, 6}, out);
  const bytes expected = {
      0x03, 0, 0, 0, 0, 0, 6, 20, 1, 0, 0, 0,  // fmt 0 csid 3, ts 0, length 6, type 20, stream 1 (LE)
      1, 2, 3, 4,                               // first chunk: 4 bytes
      0xc3, 5, 6,                               // fmt 3 continuation
  };
  EXPECT_EQ(out, expected);
}

}  // namespace
