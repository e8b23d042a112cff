#include "net/rtmp/handshake.hpp"

#include <algorithm>
#include <cstring>
#include <random>

#include "media/hmac.hpp"
#include "net/rtmp/errc.hpp"

namespace onair::net::rtmp {

namespace {

// The 32-byte tail shared by both Genuine keys (the digest handshake of Flash Player 9 / FMS 3).
constexpr std::uint8_t key_tail[32] = {0xf0, 0xee, 0xc2, 0x4a, 0x80, 0x68, 0xbe, 0xe8, 0x2e, 0x00, 0xd0,
                                       0xd1, 0x02, 0x9e, 0x7e, 0x57, 0x6e, 0xec, 0x5d, 0x2d, 0x29, 0x80,
                                       0x6f, 0xab, 0x93, 0xb8, 0xe6, 0x36, 0xcf, 0xeb, 0x31, 0xae};

template <std::size_t N>
constexpr std::array<std::uint8_t, N + 32> make_key(const char (&text)[N + 1]) {
  std::array<std::uint8_t, N + 32> k{};
  for (std::size_t i = 0; i < N; ++i) k[i] = static_cast<std::uint8_t>(text[i]);
  for (std::size_t i = 0; i < 32; ++i) k[N + i] = key_tail[i];
  return k;
}

constexpr auto fp_key = make_key<30>("Genuine Adobe Flash Player 001");
constexpr auto fms_key = make_key<36>("Genuine Adobe Flash Media Server 001");
constexpr std::size_t fp_key_signing_len = 30;
constexpr std::size_t fms_key_signing_len = 36;
constexpr std::size_t digest_len = 32;

// The version we put in S1 bytes 4..7: a digest-capable server version (FMS 3.5-style). ffmpeg only
// checks S1's digest when byte 4 is >= 3.
constexpr std::uint8_t server_version[4] = {0x04, 0x05, 0x00, 0x01};

media::sha256_digest block_digest(std::span<const std::uint8_t, handshake_size> block, std::size_t at,
                                  std::span<const std::uint8_t> key) {
  // The HMAC covers the whole block except the 32 digest bytes themselves.
  return media::hmac_sha256(key, block.first(at), block.subspan(at + digest_len));
}

void default_random(std::span<std::uint8_t> out) {
  thread_local std::mt19937 rng{std::random_device{}()};
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
}

}  // namespace

std::span<const std::uint8_t> handshake_fp_key() { return fp_key; }
std::span<const std::uint8_t> handshake_fms_key() { return fms_key; }

std::size_t handshake_digest_offset(std::span<const std::uint8_t, handshake_size> block, int scheme) {
  // Scheme 0: the four bytes at 8 sum to the offset in [12, 740); scheme 1: the bytes at 772 give an
  // offset in [776, 1504). Either way the digest fits inside its 764-byte half.
  const std::size_t base = scheme == 0 ? 8 : 772;
  const std::size_t sum = std::size_t{block[base]} + block[base + 1] + block[base + 2] + block[base + 3];
  return sum % 728 + base + 4;
}

bool handshake_digest_valid(std::span<const std::uint8_t, handshake_size> block, int scheme,
                            std::span<const std::uint8_t> key) {
  const std::size_t at = handshake_digest_offset(block, scheme);
  const auto d = block_digest(block, at, key);
  return std::equal(d.begin(), d.end(), block.begin() + static_cast<std::ptrdiff_t>(at));
}

handshake::handshake(std::function<void(std::span<std::uint8_t>)> random)
    : random_(random ? std::move(random) : std::function<void(std::span<std::uint8_t>)>(default_random)) {}

feed_result handshake::feed(std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out) {
  feed_result r;
  if (state_ == state::c0c1) {
    const std::size_t n = std::min(in.size(), c0c1_.size() - have_);
    std::copy_n(in.begin(), n, c0c1_.begin() + static_cast<std::ptrdiff_t>(have_));
    if (have_ == 0 && n > 0 && c0c1_[0] != 3) {
      // RTMP spec 5.2.2: version 3; 6 is RTMPE (encrypted), which we do not speak.
      r.status = feed_status::error;
      r.ec = errc::bad_version;
      return r;
    }
    have_ += n;
    r.consumed += n;
    in = in.subspan(n);
    if (have_ < c0c1_.size()) return r;
    respond(out);
    state_ = state::c2;
    have_ = 0;
  }
  if (state_ == state::c2) {
    // C2 echoes S1 (plain) or carries the client's S2-style digest; neither is worth rejecting a
    // publisher over (servers commonly skip the check), so it is only counted.
    const std::size_t n = std::min(in.size(), handshake_size - have_);
    have_ += n;
    r.consumed += n;
    if (have_ < handshake_size) return r;
    state_ = state::done;
  }
  r.status = feed_status::ok;
  return r;
}

void handshake::respond(std::vector<std::uint8_t>& out) {
  const std::span<const std::uint8_t, handshake_size> c1(c0c1_.data() + 1, handshake_size);
  // A C1 with a zero version field (bytes 4..7) is the plain handshake of RTMP spec 5.2.3. Otherwise
  // look for a Flash Player digest, scheme 0 first (ffmpeg, librtmp) then scheme 1 (FP9 "encrypted"
  // layout); a client whose digest validates under neither gets the plain answer.
  const bool zero_version = c1[4] == 0 && c1[5] == 0 && c1[6] == 0 && c1[7] == 0;
  const std::span<const std::uint8_t> fp_sign(fp_key.data(), fp_key_signing_len);
  kind_ = kind::plain;
  if (!zero_version) {
    if (handshake_digest_valid(c1, 0, fp_sign))
      kind_ = kind::digest_scheme0;
    else if (handshake_digest_valid(c1, 1, fp_sign))
      kind_ = kind::digest_scheme1;
  }

  const std::size_t start = out.size();
  out.resize(start + 1 + 2 * handshake_size);
  std::uint8_t* s0 = out.data() + start;
  std::uint8_t* s1 = s0 + 1;
  std::uint8_t* s2 = s1 + handshake_size;
  s0[0] = 3;  // RTMP spec 5.2.2: version 3

  // S1: time(4) = 0, then zero (plain) or our version (digest), then random bytes (5.2.3).
  std::memset(s1, 0, 8);
  random_(std::span<std::uint8_t>(s1 + 8, handshake_size - 8));

  if (kind_ == kind::plain) {
    std::memcpy(s2, c1.data(), handshake_size);  // S2 echoes C1 (5.2.4); clients check time+random
    return;
  }

  const int scheme = kind_ == kind::digest_scheme0 ? 0 : 1;
  std::memcpy(s1 + 4, server_version, 4);
  const std::span<const std::uint8_t, handshake_size> s1_block(s1, handshake_size);
  const std::size_t s1_at = handshake_digest_offset(s1_block, scheme);
  const auto s1_digest =
      block_digest(s1_block, s1_at, std::span<const std::uint8_t>(fms_key.data(), fms_key_signing_len));
  std::memcpy(s1 + s1_at, s1_digest.data(), digest_len);

  // S2: random bytes whose last 32 bytes are HMAC(key = HMAC(full FMS key, C1's digest), S2[0..1504)).
  const std::size_t c1_at = handshake_digest_offset(c1, scheme);
  const auto s2_key = media::hmac_sha256(fms_key, c1.subspan(c1_at, digest_len));
  random_(std::span<std::uint8_t>(s2, handshake_size - digest_len));
  const auto s2_sig = media::hmac_sha256(s2_key, std::span<const std::uint8_t>(s2, handshake_size - digest_len));
  std::memcpy(s2 + handshake_size - digest_len, s2_sig.data(), digest_len);
}

}  // namespace onair::net::rtmp
