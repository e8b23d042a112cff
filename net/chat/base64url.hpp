#pragma once
/// base64url without padding (RFC 4648 section 5), as JWS compact serialization uses it (RFC 7515 2).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace onair::net::chat {

/// Encodes `data` with the URL-safe alphabet and no '=' padding.
std::string base64url_encode(std::span<const std::uint8_t> data);
/// Shorthand for text.
inline std::string base64url_encode(std::string_view s) {
  return base64url_encode(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}
/// Decodes unpadded base64url. Refuses padding, characters outside the alphabet, an impossible length
/// (4n+1) and non-zero trailing bits (so every byte string has exactly one accepted encoding).
std::optional<std::string> base64url_decode(std::string_view s);

}  // namespace onair::net::chat
