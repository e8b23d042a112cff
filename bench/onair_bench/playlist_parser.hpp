#pragma once
/// Sans-IO, push-based HLS playlist parser (RFC 8216bis section 4): bytes in (any split), a playlist
/// out after finish(). Unknown tags are skipped (4.1: "clients MUST ignore any tag they do not
/// recognize"), so newer LL-HLS tags (EXT-X-RENDITION-REPORT, EXT-X-SKIP, ...) never break parsing.
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

#include "bench/onair_bench/playlist.hpp"

namespace onair::bench {

/// Errors of the playlist parser.
enum class playlist_errc {
  ok = 0,
  not_a_playlist = 1,  ///< the first line is not #EXTM3U (RFC 8216bis 4.4.1.1)
  bad_value,           ///< a number, date or attribute list that does not parse
  line_too_long,
  too_large,
  uri_without_tag,     ///< a URI line in a multivariant playlist with no EXT-X-STREAM-INF before it
};
std::error_code make_error_code(playlist_errc e);

/// Limits that bound the work of one parse.
struct playlist_limits {
  std::size_t max_line = 64 * 1024;
  std::size_t max_bytes = 16 * 1024 * 1024;
};

class playlist_parser {
 public:
  explicit playlist_parser(playlist_limits limits = {}) : limits_(limits) {}

  /// Pushes bytes; complete lines are parsed at once, a partial line is kept. Returns the first error;
  /// after an error the parser stays failed.
  std::error_code feed(std::string_view bytes);
  /// Ends the input (the last line need not end in a newline) and returns the first error.
  std::error_code finish();
  /// The playlist; valid after finish() returned no error.
  const playlist& result() const { return pl_; }

 private:
  std::error_code line(std::string_view l);
  std::error_code media_tag(std::string_view name, std::string_view value);
  hls_segment& pending();

  playlist_limits limits_;
  playlist pl_;
  std::string partial_;
  std::size_t total_ = 0;
  std::size_t lines_ = 0;
  std::error_code failed_;
  bool seen_header_ = false;
  // Attributes of tags that apply to the next URI line.
  bool pending_open_ = false;
  double pending_extinf_ = 0;
  bool pending_stream_inf_ = false;
  variant_stream pending_variant_;
  std::optional<std::int64_t> next_pdt_ms_;
};

/// Parses a whole playlist text at once.
std::error_code parse_playlist(std::string_view text, playlist& out);

/// Parses an ISO 8601 / RFC 3339 date-time ("2019-02-14T02:13:36.106Z", "...+01:00") into ms since the
/// Unix epoch (RFC 8216bis 4.4.4.6). nullopt when malformed.
std::optional<std::int64_t> parse_date_time_ms(std::string_view s);

}  // namespace onair::bench

template <>
struct std::is_error_code_enum<onair::bench::playlist_errc> : std::true_type {};
