#pragma once
/// Server side of the RTMP handshake (RTMP spec 5.2): C0+C1 in, S0+S1+S2 out, then C2 in.
/// Both the plain handshake of the spec and the digest handshake of Flash Player 9+ clients
/// (librtmp/OBS, ffmpeg), whose clients check that S1 and S2 carry valid HMAC-SHA256 digests.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <system_error>
#include <vector>

namespace onair::net::rtmp {

/// Result of pushing bytes into a sans-IO parser.
enum class feed_status : std::uint8_t {
  ok,         ///< a unit is complete (for the handshake: it is done)
  need_more,  ///< every byte was consumed; feed more
  error,      ///< see the error_code; the connection must close
};

struct feed_result {
  feed_status status = feed_status::need_more;
  std::size_t consumed = 0;
  std::error_code ec;
};

/// Size of C1/C2/S1/S2 (RTMP spec 5.2.3).
inline constexpr std::size_t handshake_size = 1536;

class handshake {
 public:
  /// Which handshake the client asked for.
  enum class kind : std::uint8_t { unknown, plain, digest_scheme0, digest_scheme1 };

  /// `random` fills S1/S2 random bytes; tests pass a deterministic one. Defaults to a fast PRNG
  /// (the random field only needs to be unique, RTMP spec 5.2.3).
  explicit handshake(std::function<void(std::span<std::uint8_t>)> random = {});

  /// Pushes bytes. Stops right after C2, so bytes after it belong to the chunk stream.
  /// Once C0+C1 are in, S0+S1+S2 are appended to `out`.
  feed_result feed(std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out);

  bool done() const { return state_ == state::done; }
  kind client_kind() const { return kind_; }

 private:
  enum class state : std::uint8_t { c0c1, c2, done };
  void respond(std::vector<std::uint8_t>& out);

  std::function<void(std::span<std::uint8_t>)> random_;
  state state_ = state::c0c1;
  kind kind_ = kind::unknown;
  std::array<std::uint8_t, 1 + handshake_size> c0c1_{};
  std::size_t have_ = 0;
};

/// Where the digest sits in a 1536-byte C1/S1 for a scheme (0: offset bytes at 8, 1: at 772).
std::size_t handshake_digest_offset(std::span<const std::uint8_t, handshake_size> block, int scheme);
/// True when `block` carries a valid digest for `scheme` under the first `key_len` bytes of `key`.
bool handshake_digest_valid(std::span<const std::uint8_t, handshake_size> block, int scheme,
                            std::span<const std::uint8_t> key);
/// The Genuine Flash Player key (62 bytes; its first 30 sign C1) and Flash Media Server key
/// (68 bytes; its first 36 sign S1, all of it derives the S2 key).
std::span<const std::uint8_t> handshake_fp_key();
std::span<const std::uint8_t> handshake_fms_key();

}  // namespace onair::net::rtmp
