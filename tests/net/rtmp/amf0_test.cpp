// AMF0 decoding/encoding (net/rtmp/amf0.hpp), byte vectors commented per field (AMF0 spec 2.x).
#include "net/rtmp/amf0.hpp"

#include <gtest/gtest.h>

#include "net/rtmp/errc.hpp"

namespace {

using namespace onair::net::rtmp;
using kind = amf0_value::kind;
using bytes = std::vector<std::uint8_t>;

amf0_value decode_one(const bytes& b, std::error_code& ec, std::size_t* consumed = nullptr) {
  std::size_t pos = 0;
  amf0_value v;
  ec = amf0_decode(b, pos, v);
  if (consumed) *consumed = pos;
  return v;
}

TEST(rtmp_amf0, number) {
  std::error_code ec;
  // 00 = number marker (2.2), then IEEE-754 big-endian 1.0
  auto v = decode_one({0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0}, ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(v.type, kind::number);
  EXPECT_EQ(v.number, 1.0);
}

TEST(rtmp_amf0, boolean_null_undefined) {
  std::error_code ec;
  EXPECT_TRUE(decode_one({0x01, 0x01}, ec).boolean);  // 01 = boolean (2.3), 01 = true
  EXPECT_EQ(decode_one({0x01, 0x00}, ec).type, kind::boolean);
  EXPECT_EQ(decode_one({0x05}, ec).type, kind::null);       // 2.7
  EXPECT_EQ(decode_one({0x06}, ec).type, kind::undefined);  // 2.8
  EXPECT_FALSE(ec);
}

TEST(rtmp_amf0, string_and_long_string) {
  std::error_code ec;
  // 02 = string (2.4), U16 length 4, "live"
  auto v = decode_one({0x02, 0x00, 0x04, 'l', 'i', 'v', 'e'}, ec);
  EXPECT_EQ(v.type, kind::string);
  EXPECT_EQ(v.string, "live");
  // 0C = long string (2.14), U32 length 2, "ok"
  auto l = decode_one({0x0c, 0x00, 0x00, 0x00, 0x02, 'o', 'k'}, ec);
  EXPECT_EQ(l.type, kind::string);
  EXPECT_EQ(l.string, "ok");
  EXPECT_FALSE(ec);
}

TEST(rtmp_amf0, nested_object) {
  std::error_code ec;
  const bytes b = {
      0x03,                             // object marker (2.5)
      0x00, 0x03, 'a', 'p', 'p',        // key "app"
      0x02, 0x00, 0x04, 'l', 'i', 'v', 'e',  // string "live"
      0x00, 0x05, 'i', 'n', 'n', 'e', 'r',   // key "inner"
      0x03,                             // nested object
      0x00, 0x01, 'x',                  // key "x"
      0x00, 0x40, 0x00, 0, 0, 0, 0, 0, 0,  // number 2.0
      0x00, 0x00, 0x09,                 // inner object end (2.11)
      0x00, 0x00, 0x09,                 // outer object end
      0x05,                             // a following null, not consumed
  };
  std::size_t consumed = 0;
  auto v = decode_one(b, ec, &consumed);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(consumed, b.size() - 1);
  EXPECT_EQ(v.type, kind::object);
  EXPECT_EQ(v.get_string("app"), "live");
  const auto* inner = v.get("inner");
  ASSERT_TRUE(inner);
  EXPECT_EQ(inner->get_number("x"), 2.0);
  EXPECT_EQ(v.get("missing"), nullptr);
}

TEST(rtmp_amf0, ecma_array_with_and_without_end_marker) {
  std::error_code ec;
  bytes b = {
      0x08,                     // ECMA array (2.10)
      0x00, 0x00, 0x00, 0x05,   // associative-count 5: wrong on purpose, only a hint
      0x00, 0x05, 'w', 'i', 'd', 't', 'h',
      0x00, 0x40, 0x74, 0, 0, 0, 0, 0, 0,  // 320.0
      0x00, 0x00, 0x09,         // object end
  };
  auto v = decode_one(b, ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(v.type, kind::ecma_array);
  EXPECT_EQ(v.get_number("width"), 320.0);
  b.resize(b.size() - 3);  // some encoders end onMetaData without the end marker
  v = decode_one(b, ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(v.get_number("width"), 320.0);
}

TEST(rtmp_amf0, strict_array_and_date) {
  std::error_code ec;
  // 0A = strict array (2.12), count 2, number 1.0, boolean false
  auto a = decode_one({0x0a, 0, 0, 0, 2, 0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x01, 0x00}, ec);
  ASSERT_FALSE(ec);
  ASSERT_EQ(a.items.size(), 2u);
  EXPECT_EQ(a.items[0].number, 1.0);
  EXPECT_EQ(a.items[1].type, kind::boolean);
  // 0B = date (2.13): double ms, S16 time zone
  auto d = decode_one({0x0b, 0x42, 0x77, 0x48, 0x76, 0xe8, 0x00, 0x00, 0x00, 0xff, 0xc4}, ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(d.type, kind::date);
  EXPECT_EQ(d.number, 1600000000000.0);
  EXPECT_EQ(d.timezone, -60);
}

TEST(rtmp_amf0, malformed_input) {
  std::error_code ec;
  decode_one({}, ec);
  EXPECT_EQ(ec, errc::amf_truncated);
  decode_one({0x00, 0x3f, 0xf0}, ec);  // number cut short
  EXPECT_EQ(ec, errc::amf_truncated);
  decode_one({0x02, 0x00, 0x09, 'a'}, ec);  // string length 9, 1 byte present
  EXPECT_EQ(ec, errc::amf_truncated);
  decode_one({0x03, 0x00, 0x01, 'k'}, ec);  // object without value or end
  EXPECT_EQ(ec, errc::amf_truncated);
  decode_one({0x07, 0x00, 0x01}, ec);  // reference (2.9): not supported
  EXPECT_EQ(ec, errc::amf_bad_marker);
  decode_one({0x11}, ec);  // AVM+ switch (2.18)
  EXPECT_EQ(ec, errc::amf_bad_marker);
  decode_one({0x0a, 0xff, 0xff, 0xff, 0xff}, ec);  // strict array claiming 4G entries
  EXPECT_EQ(ec, errc::amf_too_many_items);
  decode_one({0x0a, 0x00, 0x00, 0x01, 0x00, 0x05}, ec);  // 256 entries claimed, 1 byte present
  EXPECT_EQ(ec, errc::amf_truncated);
}

TEST(rtmp_amf0, depth_limit) {
  bytes b;
  for (int i = 0; i < 100; ++i) {  // 100 nested objects: {"a": {"a": ...
    b.push_back(0x03);
    b.insert(b.end(), {0x00, 0x01, 'a'});
  }
  b.push_back(0x05);
  std::error_code ec;
  decode_one(b, ec);
  EXPECT_EQ(ec, errc::amf_too_deep);
}

TEST(rtmp_amf0, item_limit) {
  bytes b = {0x03};
  for (int i = 0; i < 5000; ++i) b.insert(b.end(), {0x00, 0x01, 'k', 0x05});
  b.insert(b.end(), {0x00, 0x00, 0x09});
  std::error_code ec;
  decode_one(b, ec);
  EXPECT_EQ(ec, errc::amf_too_many_items);
}

TEST(rtmp_amf0, encode_decode_round_trip) {
  amf0_value ecma;
  ecma.type = kind::ecma_array;
  ecma.properties.push_back({"duration", amf0_value::make_number(0)});
  amf0_value arr;
  arr.type = kind::strict_array;
  arr.items = {amf0_value::make_string("x"), amf0_value::make_null()};
  const std::vector<amf0_value> in = {
      amf0_value::make_string("_result"), amf0_value::make_number(1), amf0_value::make_null(),
      amf0_value::make_undefined(), amf0_value::make_boolean(true),
      amf0_value::make_object({{"level", amf0_value::make_string("status")}, {"nested", ecma}}), arr,
      amf0_value::make_string(std::string(70000, 'z')),  // becomes a long string
  };
  std::vector<std::uint8_t> wire;
  for (const auto& v : in) amf0_encode(v, wire);
  std::vector<amf0_value> out;
  ASSERT_FALSE(amf0_decode_all(wire, out));
  ASSERT_EQ(out.size(), in.size());
  EXPECT_EQ(out[0].string, "_result");
  EXPECT_EQ(out[1].number, 1);
  EXPECT_EQ(out[3].type, kind::undefined);
  EXPECT_TRUE(out[4].boolean);
  EXPECT_EQ(out[5].get_string("level"), "status");
  EXPECT_EQ(out[5].get("nested")->type, kind::ecma_array);
  EXPECT_EQ(out[6].items.size(), 2u);
  EXPECT_EQ(out[7].string.size(), 70000u);
  // Wire layout of a simple command prefix: 02 0007 "_result" 00 3ff0000000000000
  EXPECT_EQ(wire[0], 0x02);
  EXPECT_EQ(wire[2], 7);
  EXPECT_EQ(wire[10], 0x00);
  EXPECT_EQ(wire[11], 0x3f);
}

}  // namespace
