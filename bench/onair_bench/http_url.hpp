#pragma once
/// http:// and rtmp:// URLs as the bench needs them: split into host/port/target, and relative
/// references resolved against a playlist's URL (RFC 3986 5.2, the subset playlists use).
#include <optional>
#include <string>
#include <string_view>

namespace onair::bench {

/// A parsed absolute URL.
struct url {
  std::string scheme;  ///< "http" or "rtmp"
  std::string host;
  std::string port;    ///< defaults: 80 (http), 1935 (rtmp)
  std::string target;  ///< path and query, starting with '/'
};

/// Parses "scheme://host[:port]/path?query"; nullopt for anything else.
std::optional<url> parse_url(std::string_view s);

/// Resolves `ref` (absolute URL, absolute path or relative path) against `base`'s target.
/// Playlists name parts relative to themselves (RFC 8216bis 4.1: relative to the playlist URI).
std::string resolve_target(const url& base, std::string_view ref);

/// Appends `key=value` to a target with '?' or '&'.
std::string with_query(std::string target, std::string_view key_value);

}  // namespace onair::bench
