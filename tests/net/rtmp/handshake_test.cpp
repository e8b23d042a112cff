// Server handshake (net/rtmp/handshake.hpp): plain and digest variants, split input, a real ffmpeg C1.
#include "net/rtmp/handshake.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "media/hmac.hpp"
#include "net/rtmp/errc.hpp"

namespace {

using namespace onair::net::rtmp;
using bytes = std::vector<std::uint8_t>;
constexpr std::size_t hs = handshake_size;

void fixed_random(std::span<std::uint8_t> out) {
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(i * 31 + 7);
}

/// C0 + C1 of a client: time, version, random filler; with a digest for `scheme` when >= 0.
bytes client_c0c1(std::uint32_t version, int scheme) {
  bytes b(1 + hs);
  b[0] = 3;                           // C0: version 3 (RTMP spec 5.2.2)
  b[1] = 0, b[2] = 0, b[3] = 0x12, b[4] = 0x34;  // C1 time
  b[5] = static_cast<std::uint8_t>(version >> 24);  // C1 bytes 4..7: zero (plain) or a client version
  b[6] = static_cast<std::uint8_t>(version >> 16);
  b[7] = static_cast<std::uint8_t>(version >> 8);
  b[8] = static_cast<std::uint8_t>(version);
  for (std::size_t i = 8; i < hs; ++i) b[1 + i] = static_cast<std::uint8_t>(i * 13 + 5);
  if (scheme >= 0) {
    std::span<std::uint8_t, hs> c1(b.data() + 1, hs);
    const auto at = handshake_digest_offset(c1, scheme);
    const auto d = onair::media::hmac_sha256(handshake_fp_key().first(30), std::span<const std::uint8_t>(c1).first(at),
                                             std::span<const std::uint8_t>(c1).subspan(at + 32));
    std::copy(d.begin(), d.end(), c1.begin() + static_cast<std::ptrdiff_t>(at));
  }
  return b;
}

struct run_result {
  handshake::kind kind;
  bytes out;
  bool done;
};

run_result run(const bytes& c0c1) {
  handshake h(fixed_random);
  bytes out;
  auto r = h.feed(c0c1, out);
  EXPECT_EQ(r.consumed, c0c1.size());
  EXPECT_EQ(r.status, feed_status::need_more);
  bytes c2(hs, 0x42);
  r = h.feed(c2, out);
  EXPECT_EQ(r.status, feed_status::ok);
  return {h.client_kind(), out, h.done()};
}

/// What a digest client (librtmp, ffmpeg in play mode) checks: S1's digest under the 36-byte FMS key,
/// and S2's last 32 bytes under a key derived from the client's own C1 digest.
void expect_digest_valid_response(const bytes& c0c1, const bytes& out, int scheme) {
  ASSERT_EQ(out.size(), 1 + 2 * hs);
  EXPECT_EQ(out[0], 3);  // S0
  std::span<const std::uint8_t, hs> s1(out.data() + 1, hs);
  std::span<const std::uint8_t, hs> s2(out.data() + 1 + hs, hs);
  EXPECT_GE(s1[4], 3);  // a server version: ffmpeg checks digests when this byte is >= 3
  EXPECT_TRUE(handshake_digest_valid(s1, scheme, handshake_fms_key().first(36)));
  std::span<const std::uint8_t, hs> c1(c0c1.data() + 1, hs);
  const auto c1_at = handshake_digest_offset(c1, scheme);
  const auto key = onair::media::hmac_sha256(handshake_fms_key(), c1.subspan(c1_at, 32));
  const auto sig = onair::media::hmac_sha256(key, s2.first(hs - 32));
  EXPECT_TRUE(std::equal(sig.begin(), sig.end(), s2.begin() + hs - 32));
}

TEST(rtmp_handshake, plain_echoes_c1_in_s2) {
  const auto c0c1 = client_c0c1(0, -1);  // version field 0: RTMP spec 5.2.3 plain handshake
  auto r = run(c0c1);
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.kind, handshake::kind::plain);
  ASSERT_EQ(r.out.size(), 1 + 2 * hs);
  EXPECT_EQ(r.out[0], 3);                                    // S0
  EXPECT_EQ(bytes(r.out.begin() + 1, r.out.begin() + 9), bytes(8, 0));  // S1 time 0, zero field
  EXPECT_TRUE(std::equal(c0c1.begin() + 1, c0c1.end(), r.out.begin() + 1 + hs));  // S2 == C1 (5.2.4)
}

TEST(rtmp_handshake, digest_scheme0) {
  const auto c0c1 = client_c0c1(0x80000702, 0);  // ffmpeg's client version, digest at offset scheme 0
  auto r = run(c0c1);
  EXPECT_EQ(r.kind, handshake::kind::digest_scheme0);
  expect_digest_valid_response(c0c1, r.out, 0);
}

TEST(rtmp_handshake, digest_scheme1) {
  const auto c0c1 = client_c0c1(0x09007c02, 1);  // Flash Player 9 layout with the digest in the 2nd half
  auto r = run(c0c1);
  EXPECT_EQ(r.kind, handshake::kind::digest_scheme1);
  expect_digest_valid_response(c0c1, r.out, 1);
}

TEST(rtmp_handshake, nonzero_version_without_valid_digest_falls_back_to_plain) {
  const auto c0c1 = client_c0c1(0x0a000c02, -1);
  auto r = run(c0c1);
  EXPECT_EQ(r.kind, handshake::kind::plain);
  EXPECT_TRUE(std::equal(c0c1.begin() + 1, c0c1.end(), r.out.begin() + 1 + hs));
}

TEST(rtmp_handshake, real_ffmpeg_c1_is_a_scheme0_digest) {
  // The first 1537 bytes ffmpeg 5.1 sent as a publisher (tests/data/rtmp/ffmpeg_publish.bin).
  std::ifstream f(ONAIR_TEST_DATA_DIR "/rtmp/ffmpeg_publish.bin", std::ios::binary);
  bytes all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ASSERT_GT(all.size(), 1 + 2 * hs);
  bytes c0c1(all.begin(), all.begin() + 1 + hs);
  auto r = run(c0c1);
  EXPECT_EQ(r.kind, handshake::kind::digest_scheme0);
  expect_digest_valid_response(c0c1, r.out, 0);
}

TEST(rtmp_handshake, every_split_point_and_trailing_bytes) {
  auto input = client_c0c1(0x80000702, 0);
  input.resize(1 + 2 * hs, 0x11);             // C2
  input.insert(input.end(), {0x03, 0xaa});    // first bytes of the chunk stream
  const auto reference = run(client_c0c1(0x80000702, 0)).out;
  for (std::size_t split = 0; split <= input.size(); split += (split < 40 || split > input.size() - 40) ? 1 : 97) {
    handshake h(fixed_random);
    bytes out;
    auto r1 = h.feed(std::span<const std::uint8_t>(input).first(split), out);
    ASSERT_NE(r1.status, feed_status::error);
    std::size_t used = r1.consumed;
    if (!h.done()) {
      auto r2 = h.feed(std::span<const std::uint8_t>(input).subspan(split), out);
      ASSERT_EQ(r2.status, feed_status::ok) << split;
      used += r2.consumed;
    }
    EXPECT_EQ(used, 1 + 2 * hs) << split;  // stops right after C2
    EXPECT_EQ(out, reference) << split;
  }
}

TEST(rtmp_handshake, rejects_other_versions) {
  handshake h(fixed_random);
  bytes out;
  bytes c0 = {6};  // RTMPE
  auto r = h.feed(c0, out);
  EXPECT_EQ(r.status, feed_status::error);
  EXPECT_EQ(r.ec, errc::bad_version);
  EXPECT_TRUE(out.empty());
}

}  // namespace
