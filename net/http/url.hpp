#pragma once
/// Request-target helpers (RFC 3986): splitting path and query, percent-decoding. No Boost, no JSON.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace onair::net::http {

/// Decoded query parameters in request order (application/x-www-form-urlencoded: '+' is a space).
struct query_params {
  std::vector<std::pair<std::string, std::string>> items;

  /// Value of the last occurrence of `name`, or nullptr (a repeated parameter: the last one wins).
  const std::string* find(std::string_view name) const;
};

/// Percent-decodes `in` (RFC 3986 2.1); `plus_is_space` for query components. nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);

/// Parses "a=1&b=two"; nullopt when an escape is malformed.
std::optional<query_params> parse_query(std::string_view query);

/// Splits a request-target into its path and query (without '?'); a fragment is dropped.
std::pair<std::string_view, std::string_view> split_target(std::string_view target);

/// Splits a path "/a/b/c" into raw (still encoded) segments {"a","b","c"}; a trailing '/' gives an
/// empty last segment.
std::vector<std::string_view> split_path(std::string_view path);

}  // namespace onair::net::http
