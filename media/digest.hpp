#pragma once
/// Digests and secrets (OpenSSL): API tokens and stream keys are stored only as SHA-256 digests.
#include <cstddef>
#include <string>
#include <string_view>

namespace onair::media {

/// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

/// A new random secret: `bytes` bytes from the OS CSPRNG, URL-safe base64 without padding.
std::string random_secret(std::size_t bytes);

/// Constant-time comparison, for comparing digests.
bool equal_constant_time(std::string_view a, std::string_view b);

}  // namespace onair::media
