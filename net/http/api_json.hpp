#pragma once
/// JSON ⇄ API types (docs/api.md): parsing and validating request bodies and query strings, rendering
/// responses and errors. The JSON library stays inside api_json.cpp, so this header is safe anywhere.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "net/http/api_types.hpp"
#include "net/http/url.hpp"

namespace onair::net::http {

/// Limits of request bodies and queries, as documented in docs/api.md.
struct api_limits {
  static constexpr std::size_t title_max = 200;         ///< characters (Unicode code points)
  static constexpr std::size_t description_max = 2000;  ///< characters
  static constexpr std::size_t tags_max = 20;
  static constexpr std::size_t tag_max = 40;            ///< characters per tag
  static constexpr std::size_t json_depth_max = 32;     ///< nesting of arrays/objects in a body
  static constexpr std::size_t list_limit_max = 200;
  static constexpr std::size_t query_q_max = 200;       ///< characters of the ?q= search string
  static constexpr std::size_t cursor_max = 512;        ///< bytes of an opaque cursor
  static constexpr std::size_t ladder_max = 8;          ///< rung names in a room's ladder
  static constexpr std::size_t rung_name_max = 32;      ///< characters per rung name
};

/// Body of POST /api/rooms. Errors: 400 "bad_request" (not JSON), 422 "invalid_argument" (wrong shape).
api::result<api::create_room_request> parse_create_room(std::string_view body);
/// Body of PATCH /api/rooms/{id}. Same errors as parse_create_room.
api::result<api::patch_room_request> parse_patch_room(std::string_view body);
/// Query of GET /api/rooms (status, q, limit, cursor). Errors: 400 "bad_request".
api::result<api::list_rooms_request> parse_list_query(const query_params& q);

/// Response bodies.
std::string to_json(const api::room_view& room);
std::string to_json(const api::room_page& page);
std::string to_json(const api::node_info& node);
std::string to_json(const api::cluster_view& view);
std::string to_json(const api::ingest_view& view);
std::string to_json(const api::drain_view& view);
/// {"error":{"code":...,"message":...}}
std::string to_json(const api::error& err);

/// Unix milliseconds as RFC 3339 UTC with millisecond precision: "2024-05-01T12:00:00.000Z".
std::string format_rfc3339(std::int64_t unix_ms);

std::string_view to_string(api::room_kind k);
std::string_view to_string(api::room_status s);

/// Number of Unicode code points of a valid UTF-8 string (what the character limits count).
std::size_t utf8_length(std::string_view s);

/// Shorthand for the errors this layer produces.
api::error make_error(int status, std::string code, std::string message);

}  // namespace onair::net::http
