// The sans-IO WebSocket frame parser (RFC 6455 5.2-5.5), the frame encoder and the handshake helpers.
// Every byte vector is fed whole, at every split point, and one byte at a time: the events must be
// the same however the bytes arrive.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "net/chat/ws_frame.hpp"
#include "net/chat/ws_handshake.hpp"

namespace onair::net::chat {
namespace {

using bytes = std::vector<std::uint8_t>;
using kind = ws_event::kind;

struct event {
  kind what;
  bool text = false;
  std::uint16_t code = 0;
  std::string payload;
  bool operator==(const event&) const = default;
};

std::ostream& operator<<(std::ostream& os, const event& e) {
  return os << "{kind " << int(e.what) << " text " << e.text << " code " << e.code << " payload " << e.payload.size()
            << " bytes}";
}

/// Feeds `chunks` in order; returns every event but need_more (stops after an error).
std::vector<event> run(ws_frame_parser& p, const std::vector<std::span<const std::uint8_t>>& chunks) {
  std::vector<event> out;
  for (auto in : chunks) {
    while (!in.empty()) {
      const auto e = p.feed(in);
      EXPECT_LE(e.consumed, in.size());
      in = in.subspan(e.consumed);
      if (e.what == kind::need_more) {
        EXPECT_TRUE(in.empty());
        break;
      }
      out.push_back({e.what, e.text, e.code, std::string(e.payload)});
      if (e.what == kind::error) return out;
    }
  }
  return out;
}

/// The events of `b` with a fresh parser, checked to be the same for every way of splitting it.
std::vector<event> parse(const bytes& b, std::size_t max = 4096) {
  ws_frame_parser whole(max);
  const auto expected = run(whole, {std::span(b)});
  for (std::size_t k = 1; k < b.size(); ++k) {
    ws_frame_parser p(max);
    EXPECT_EQ(run(p, {std::span(b).first(k), std::span(b).subspan(k)}), expected) << "split at " << k;
  }
  ws_frame_parser bytewise(max);
  std::vector<std::span<const std::uint8_t>> ones;
  for (std::size_t i = 0; i < b.size(); ++i) ones.push_back(std::span(b).subspan(i, 1));
  EXPECT_EQ(run(bytewise, ones), expected) << "byte by byte";
  return expected;
}

/// A masked client frame (header bytes as RFC 6455 5.2 draws them), for the cases where the bytes of
/// a long payload would not be readable anyway.
bytes masked(std::uint8_t b0, const std::string& payload, std::array<std::uint8_t, 4> key = {1, 2, 3, 4}) {
  bytes f{b0};
  const auto n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<std::uint8_t>(0x80 | n));
  } else if (n <= 0xFFFF) {
    f.insert(f.end(), {0x80 | 126, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)});
  } else {
    f.push_back(0x80 | 127);
    for (int s = 56; s >= 0; s -= 8) f.push_back(static_cast<std::uint8_t>(std::uint64_t{n} >> s));
  }
  f.insert(f.end(), key.begin(), key.end());
  for (std::size_t i = 0; i < n; ++i) f.push_back(static_cast<std::uint8_t>(payload[i] ^ key[i % 4]));
  return f;
}

bytes cat(std::initializer_list<bytes> parts) {
  bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

/// Compares kind and code only (error texts are informative).
void expect_error(const std::vector<event>& got, std::uint16_t code) {
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back().what, kind::error);
  EXPECT_EQ(got.back().code, code);
}

TEST(ws_frame_parser, rfc6455_5_7_masked_text_hello) {
  const bytes b{
      0x81,                    // FIN=1, RSV=000, opcode=1 (text)
      0x85,                    // MASK=1, payload length 5
      0x37, 0xfa, 0x21, 0x3d,  // masking key
      0x7f, 0x9f, 0x4d, 0x51, 0x58,  // "Hello" XOR key
  };
  EXPECT_EQ(parse(b), (std::vector<event>{{kind::message, true, 0, "Hello"}}));
}

TEST(ws_frame_parser, rfc6455_5_7_masked_ping_and_pong) {
  const bytes b{
      0x89,                    // FIN=1, opcode=9 (ping)
      0x85,                    // MASK=1, length 5
      0x37, 0xfa, 0x21, 0x3d,  // masking key
      0x7f, 0x9f, 0x4d, 0x51, 0x58,  // "Hello"
      0x8a,                    // FIN=1, opcode=A (pong)
      0x80,                    // MASK=1, length 0
      0x00, 0x00, 0x00, 0x00,  // masking key
  };
  EXPECT_EQ(parse(b), (std::vector<event>{{kind::ping, false, 0, "Hello"}, {kind::pong, false, 0, ""}}));
}

TEST(ws_frame_parser, fragmented_text_with_a_ping_in_between) {
  const bytes b{
      0x01,                    // FIN=0, opcode=1 (text): first fragment
      0x83,                    // MASK=1, length 3
      0x00, 0x00, 0x00, 0x00,  // zero key: payload as is
      'H', 'e', 'l',
      0x89,                    // FIN=1, ping: control frames may sit between fragments (5.4)
      0x81,                    // MASK=1, length 1
      0x00, 0x00, 0x00, 0x00,
      '!',
      0x80,                    // FIN=1, opcode=0 (continuation): last fragment
      0x82,                    // MASK=1, length 2
      0x00, 0x00, 0x00, 0x00,
      'l', 'o',
  };
  EXPECT_EQ(parse(b), (std::vector<event>{{kind::ping, false, 0, "!"}, {kind::message, true, 0, "Hello"}}));
}

TEST(ws_frame_parser, utf8_code_point_split_across_fragments) {
  // "🔥" is F0 9F 94 A5; each fragment alone is invalid UTF-8, the message is not (8.1).
  const bytes b{
      0x01, 0x82, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x9F,  // text, FIN=0, length 2, zero key
      0x80, 0x82, 0x00, 0x00, 0x00, 0x00, 0x94, 0xA5,  // continuation, FIN=1, length 2
  };
  EXPECT_EQ(parse(b), (std::vector<event>{{kind::message, true, 0, "🔥"}}));
}

TEST(ws_frame_parser, sixteen_and_sixty_four_bit_lengths) {
  const std::string p256(256, 'a');
  auto b16 = masked(0x82, p256);  // binary
  ASSERT_EQ(b16[1], 0x80 | 126);  // MASK=1, 16-bit length follows
  ASSERT_EQ(b16[2], 0x01);        // 256 = 0x0100
  ASSERT_EQ(b16[3], 0x00);
  EXPECT_EQ(parse(b16), (std::vector<event>{{kind::message, false, 0, p256}}));

  const std::string p64k(65536, 'b');
  auto b64 = masked(0x81, p64k);
  ASSERT_EQ(b64[1], 0x80 | 127);  // 64-bit length follows
  ws_frame_parser p(70000);
  EXPECT_EQ(run(p, {std::span(b64)}), (std::vector<event>{{kind::message, true, 0, p64k}}));
  // A few split points through the 14-byte header and into the payload.
  for (std::size_t k : {1u, 2u, 5u, 9u, 10u, 13u, 14u, 15u, 40000u}) {
    ws_frame_parser q(70000);
    EXPECT_EQ(run(q, {std::span(b64).first(k), std::span(b64).subspan(k)}),
              (std::vector<event>{{kind::message, true, 0, p64k}}))
        << k;
  }
}

TEST(ws_frame_parser, several_frames_in_one_feed_return_one_at_a_time) {
  const auto b = cat({masked(0x81, "one"), masked(0x81, "two")});
  ws_frame_parser p(4096);
  auto e = p.feed(b);
  EXPECT_EQ(e.what, kind::message);
  EXPECT_EQ(e.payload, "one");
  EXPECT_EQ(e.consumed, 9u);  // 2 header + 4 key + 3 payload
  e = p.feed(std::span(b).subspan(9));
  EXPECT_EQ(e.payload, "two");
  EXPECT_EQ(e.consumed, 9u);
}

TEST(ws_frame_parser, close_frames) {
  const bytes with_code{
      0x88,                    // FIN=1, opcode=8 (close)
      0x85,                    // MASK=1, length 5
      0x00, 0x00, 0x00, 0x00,  // zero key
      0x03, 0xE8,              // code 1000 (normal), network order
      'b', 'y', 'e',           // reason
  };
  EXPECT_EQ(parse(with_code), (std::vector<event>{{kind::close, false, 1000, "bye"}}));
  const bytes empty{0x88, 0x80, 0, 0, 0, 0};  // no body: reported as 1005 (7.1.5)
  EXPECT_EQ(parse(empty), (std::vector<event>{{kind::close, false, 1005, ""}}));
  expect_error(parse({0x88, 0x81, 0, 0, 0, 0, 0x03}), 1002);             // a 1-byte body (5.5.1)
  expect_error(parse({0x88, 0x82, 0, 0, 0, 0, 0x03, 0xED}), 1002);       // 1005 must not be sent (7.4.1)
  expect_error(parse({0x88, 0x82, 0, 0, 0, 0, 0x03, 0xE7}), 1002);       // 999: not a close code
  expect_error(parse({0x88, 0x83, 0, 0, 0, 0, 0x0F, 0xA0, 0xFF}), 1007); // 4000 with a non-UTF-8 reason
  EXPECT_EQ(parse({0x88, 0x82, 0, 0, 0, 0, 0x0F, 0xA0}), (std::vector<event>{{kind::close, false, 4000, ""}}));
}

TEST(ws_frame_parser, protocol_errors_are_1002) {
  expect_error(parse({0x81, 0x03, 'a', 'b', 'c'}), 1002);           // MASK=0: clients must mask (5.1)
  expect_error(parse({0xC1, 0x80, 0, 0, 0, 0}), 1002);              // RSV1 set, no extension (5.2)
  expect_error(parse({0x83, 0x80, 0, 0, 0, 0}), 1002);              // opcode 3 is reserved
  expect_error(parse({0x8B, 0x80, 0, 0, 0, 0}), 1002);              // opcode B is reserved
  expect_error(parse({0x09, 0x80, 0, 0, 0, 0}), 1002);              // FIN=0 ping: control frames are whole (5.5)
  expect_error(parse({0x89, 0xFE, 0x00, 0x7E, 0, 0, 0, 0}), 1002);  // ping with a 16-bit length (> 125)
  expect_error(parse({0x80, 0x80, 0, 0, 0, 0}), 1002);              // continuation with nothing to continue (5.4)
  expect_error(parse(cat({masked(0x01, "a"), masked(0x81, "b")})), 1002);  // new text inside a fragmented one
  expect_error(parse({0x81, 0xFE, 0x00, 0x64, 0, 0, 0, 0}), 1002);  // 100 in the 16-bit form: not minimal (5.2)
  expect_error(parse({0x81, 0xFF, 0x00, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0}), 1002);  // 65535 in the 64-bit form
  expect_error(parse({0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), 1002);  // 64-bit length, top bit set
}

TEST(ws_frame_parser, too_big_is_1009_as_soon_as_the_header_says_so) {
  // Only the header of a 5000-byte message: the error comes before any payload byte.
  const bytes header{0x81, 0xFE, 0x13, 0x88, 0, 0, 0, 0};  // text, MASK=1, 16-bit length 5000
  expect_error(parse(header), 1009);
  // Exactly at the limit is fine; one more byte over two fragments is not.
  EXPECT_EQ(parse(masked(0x81, std::string(4096, 'x'))).front().what, kind::message);
  expect_error(parse(cat({masked(0x01, std::string(4000, 'x')), masked(0x80, std::string(97, 'x'))})), 1009);
}

TEST(ws_frame_parser, invalid_utf8_text_is_1007_binary_is_not_checked) {
  expect_error(parse(masked(0x81, "\xff\xfe")), 1007);
  expect_error(parse(masked(0x81, "\xC0\x80")), 1007);  // overlong NUL
  EXPECT_EQ(parse(masked(0x82, "\xff\xfe")), (std::vector<event>{{kind::message, false, 0, "\xff\xfe"}}));
}

TEST(ws_frame_parser, stays_failed_after_an_error) {
  ws_frame_parser p(4096);
  const bytes bad{0x81, 0x03, 'a', 'b', 'c'};
  EXPECT_EQ(p.feed(bad).what, kind::error);
  const auto good = masked(0x81, "ok");
  const auto e = p.feed(good);
  EXPECT_EQ(e.what, kind::error);
  EXPECT_EQ(e.code, 1002);
  EXPECT_EQ(e.consumed, 0u);
}

TEST(ws_utf8, rfc3629_well_formed_sequences_only) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain ascii, long enough for the 8-byte path"));
  EXPECT_TRUE(valid_utf8("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x94\xA5"));  // é € 🔥
  EXPECT_TRUE(valid_utf8("\xF4\x8F\xBF\xBF"));   // U+10FFFF
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));      // U+D800, a surrogate
  EXPECT_FALSE(valid_utf8("\xE0\x80\xAF"));      // overlong '/'
  EXPECT_FALSE(valid_utf8("\xF0\x8F\xBF\xBF"));  // overlong U+FFFF
  EXPECT_FALSE(valid_utf8("\x80"));              // stray continuation byte
  EXPECT_FALSE(valid_utf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(valid_utf8("\xF8\x88\x80\x80\x80"));
}

TEST(ws_frame_encoder, minimal_length_forms_unmasked) {
  auto f = encode_ws_frame(ws_opcode::text, std::string_view("hi"));
  EXPECT_EQ(*f, (bytes{0x81, 0x02, 'h', 'i'}));  // FIN + text, MASK=0, length 2
  f = encode_ws_frame(ws_opcode::text, std::string(125, 'a'));
  EXPECT_EQ((*f)[1], 125);
  f = encode_ws_frame(ws_opcode::text, std::string(126, 'a'));
  EXPECT_EQ(bytes(f->begin(), f->begin() + 4), (bytes{0x81, 126, 0x00, 0x7E}));
  f = encode_ws_frame(ws_opcode::binary, std::string(65536, 'a'));
  EXPECT_EQ(bytes(f->begin(), f->begin() + 10), (bytes{0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0}));
  EXPECT_EQ(f->size(), 65546u);
}

TEST(ws_frame_encoder, close_frame_fits_in_125_bytes_and_parses_back) {
  auto f = encode_ws_close(4008, "slow consumer");
  EXPECT_EQ(bytes(f->begin(), f->begin() + 4), (bytes{0x88, 15, 0x0F, 0xA8}));  // close, length 15, 4008
  const auto long_reason = std::string(122, 'r') + "é";  // the cut must not split the é
  f = encode_ws_close(1001, long_reason);
  EXPECT_EQ((*f)[1], 2 + 122);
  EXPECT_TRUE(valid_utf8(std::string_view(reinterpret_cast<const char*>(f->data()) + 4, f->size() - 4)));
  EXPECT_EQ(*encode_ws_close(0, "ignored"), (bytes{0x88, 0x00}));
}

TEST(ws_handshake, rfc6455_1_3_accept_key) {
  EXPECT_EQ(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(ws_handshake, answers) {
  upgrade_request req{boost::beast::http::verb::get, "/ws/rooms/r1/chat", 11};
  req.set("Host", "127.0.0.1");
  req.set("Upgrade", "websocket");
  req.set("Connection", "Upgrade");
  req.set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
  req.set("Sec-WebSocket-Version", "13");
  auto a = answer_upgrade(req);
  EXPECT_TRUE(a.accepted);
  EXPECT_EQ(a.response.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u);
  EXPECT_NE(a.response.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos);
  EXPECT_EQ(a.response.find("Sec-WebSocket-Extensions"), std::string::npos);  // no permessage-deflate

  auto bad_version = req;
  bad_version.set("Sec-WebSocket-Version", "8");
  a = answer_upgrade(bad_version);
  EXPECT_FALSE(a.accepted);
  EXPECT_EQ(a.response.rfind("HTTP/1.1 426", 0), 0u);
  EXPECT_NE(a.response.find("Sec-WebSocket-Version: 13\r\n"), std::string::npos);  // 4.4

  auto no_key = req;
  no_key.erase("Sec-WebSocket-Key");
  EXPECT_EQ(answer_upgrade(no_key).response.rfind("HTTP/1.1 400", 0), 0u);
  auto short_key = req;
  short_key.set("Sec-WebSocket-Key", "c2hvcnQ=");  // base64 of 5 bytes, not 16
  EXPECT_FALSE(answer_upgrade(short_key).accepted);
  auto no_host = req;
  no_host.erase("Host");
  EXPECT_FALSE(answer_upgrade(no_host).accepted);
}

}  // namespace
}  // namespace onair::net::chat
