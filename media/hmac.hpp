#pragma once
/// HMAC-SHA256 (OpenSSL), used by the RTMP digest handshake. Kept in media/ because OpenSSL lives here.
#include <array>
#include <cstdint>
#include <span>

namespace onair::media {

/// A SHA-256 digest.
using sha256_digest = std::array<std::uint8_t, 32>;

/// HMAC-SHA256 of `data` under `key` (RFC 2104).
sha256_digest hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data);

/// HMAC-SHA256 over the concatenation of two ranges (e.g. the bytes around an embedded digest).
sha256_digest hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data1,
                          std::span<const std::uint8_t> data2);

}  // namespace onair::media
