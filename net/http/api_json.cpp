#include "net/http/api_json.hpp"

#include <charconv>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace onair::net::http {

using json = nlohmann::json;

namespace {

constexpr auto dump_safe = json::error_handler_t::replace;  // never throw on invalid UTF-8 from actors

api::error unprocessable(std::string message) { return make_error(422, "invalid_argument", std::move(message)); }
api::error bad_request(std::string message) { return make_error(400, "bad_request", std::move(message)); }

/// Rejects bodies nested deeper than the limit before the JSON parser sees them, so neither parsing
/// nor destroying a hostile document can exhaust the stack. Strings (with escapes) are skipped.
bool depth_ok(std::string_view body, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

/// Parses a body that must be a JSON object; 400 when it is not JSON at all, 422 when not an object.
api::result<json> parse_object(std::string_view body) {
  if (!depth_ok(body, api_limits::json_depth_max)) return bad_request("JSON nested too deeply");
  json doc = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return bad_request("request body is not valid JSON");
  if (!doc.is_object()) return unprocessable("request body must be a JSON object");
  return doc;
}

std::optional<api::error> check_text(const json& v, const char* field, std::size_t min_chars, std::size_t max_chars,
                                     std::string& out) {
  if (!v.is_string()) return unprocessable(std::string(field) + " must be a string");
  const auto& s = v.get_ref<const std::string&>();
  const auto n = utf8_length(s);
  if (n < min_chars) return unprocessable(std::string(field) + " must not be empty");
  if (n > max_chars)
    return unprocessable(std::string(field) + " is longer than " + std::to_string(max_chars) + " characters");
  out = s;
  return std::nullopt;
}

std::optional<api::error> check_title(const json& v, std::string& out) {
  if (auto e = check_text(v, "title", 1, api_limits::title_max, out)) return e;
  if (out.find_first_not_of(" \t\r\n") == std::string::npos) return unprocessable("title must not be blank");
  return std::nullopt;
}

std::optional<api::error> check_tags(const json& v, std::vector<std::string>& out) {
  if (!v.is_array()) return unprocessable("tags must be an array of strings");
  if (v.size() > api_limits::tags_max)
    return unprocessable("at most " + std::to_string(api_limits::tags_max) + " tags are allowed");
  out.clear();
  for (const auto& t : v) {
    if (!t.is_string()) return unprocessable("tags must be an array of strings");
    std::string tag;
    if (auto e = check_text(t, "tag", 1, api_limits::tag_max, tag)) return e;
    out.push_back(std::move(tag));
  }
  return std::nullopt;
}

/// A room's ladder: rung names of the node's ladder (checked by the room logic), [] = passthrough only.
std::optional<api::error> check_ladder(const json& v, std::vector<std::string>& out) {
  if (!v.is_array()) return unprocessable("ladder must be an array of rendition names");
  if (v.size() > api_limits::ladder_max)
    return unprocessable("at most " + std::to_string(api_limits::ladder_max) + " renditions are allowed");
  out.clear();
  for (const auto& t : v) {
    if (!t.is_string()) return unprocessable("ladder must be an array of rendition names");
    std::string name;
    if (auto e = check_text(t, "rendition name", 1, api_limits::rung_name_max, name)) return e;
    out.push_back(std::move(name));
  }
  return std::nullopt;
}

json room_json(const api::room_view& r) {
  json j = json::object();
  j["id"] = r.id;
  j["title"] = r.title;
  j["description"] = r.description;
  j["kind"] = to_string(r.kind);
  j["tags"] = r.tags;
  j["status"] = to_string(r.status);
  j["owner"] = r.owner;
  j["created_at"] = format_rfc3339(r.created_at_ms);
  j["updated_at"] = format_rfc3339(r.updated_at_ms);
  j["viewers"] = r.viewers;
  j["rtmp_url"] = r.rtmp_url;
  j["hls_url"] = r.hls_url;
  if (r.stream_key) j["stream_key"] = *r.stream_key;
  j["ladder"] = r.ladder ? json(*r.ladder) : json(nullptr);
  j["renditions"] = r.renditions;
  j["transcoding"] = r.transcoding;
  j["thumbnail_url"] = r.thumbnail_url.empty() ? json(nullptr) : json(r.thumbnail_url);
  j["stream"] = r.has_stream ? json{{"ingest_kbps", r.ingest_kbps}, {"fps", std::round(r.fps * 10) / 10},
                                    {"dropped_frames", r.dropped_frames}}
                             : json(nullptr);
  return j;
}

bool parse_size(const std::string& s, std::size_t& out) {
  if (s.empty()) return false;
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc{} && p == end;
}

}  // namespace

api::error make_error(int status, std::string code, std::string message) {
  return api::error{status, std::move(code), std::move(message)};
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;  // count every byte that is not a continuation byte
  return n;
}

std::string_view to_string(api::room_kind k) { return k == api::room_kind::audio ? "audio" : "video"; }

std::string_view to_string(api::room_status s) {
  switch (s) {
    case api::room_status::ready: return "ready";
    case api::room_status::live: return "live";
    case api::room_status::ended: return "ended";
  }
  return "ready";
}

std::string format_rfc3339(std::int64_t unix_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> tp{milliseconds{unix_ms}};
  const auto day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss hms{tp - day};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
  return buf;
}

api::result<api::create_room_request> parse_create_room(std::string_view body) {
  auto parsed = parse_object(body);
  if (auto* e = std::get_if<api::error>(&parsed)) return *e;
  const auto& doc = std::get<json>(parsed);

  api::create_room_request req;
  bool have_title = false;
  for (const auto& [key, v] : doc.items()) {
    if (key == "title") {
      if (auto e = check_title(v, req.title)) return *e;
      have_title = true;
    } else if (key == "description") {
      if (auto e = check_text(v, "description", 0, api_limits::description_max, req.description)) return *e;
    } else if (key == "kind") {
      if (!v.is_string()) return unprocessable("kind must be \"video\" or \"audio\"");
      const auto& k = v.get_ref<const std::string&>();
      if (k == "video") req.kind = api::room_kind::video;
      else if (k == "audio") req.kind = api::room_kind::audio;
      else return unprocessable("kind must be \"video\" or \"audio\"");
    } else if (key == "tags") {
      if (auto e = check_tags(v, req.tags)) return *e;
    } else if (key == "region") {
      // The room's home region (placement prefers its nodes); the creating node's region when absent.
      if (auto e = check_text(v, "region", 1, 64, req.region)) return *e;
    } else if (key == "ladder") {
      std::vector<std::string> ladder;
      if (auto e = check_ladder(v, ladder)) return *e;
      req.ladder = std::move(ladder);
    } else {
      // Unknown fields are rejected (docs/api.md): a misspelt "titel" should not silently vanish.
      return unprocessable("unknown field \"" + key + "\"");
    }
  }
  if (!have_title) return unprocessable("title is required");
  return req;
}

api::result<api::patch_room_request> parse_patch_room(std::string_view body) {
  auto parsed = parse_object(body);
  if (auto* e = std::get_if<api::error>(&parsed)) return *e;
  const auto& doc = std::get<json>(parsed);

  api::patch_room_request req;
  for (const auto& [key, v] : doc.items()) {
    if (key == "title") {
      std::string t;
      if (auto e = check_title(v, t)) return *e;
      req.title = std::move(t);
    } else if (key == "description") {
      std::string d;
      if (auto e = check_text(v, "description", 0, api_limits::description_max, d)) return *e;
      req.description = std::move(d);
    } else if (key == "tags") {
      std::vector<std::string> tags;
      if (auto e = check_tags(v, tags)) return *e;
      req.tags = std::move(tags);
    } else if (key == "ladder") {
      std::vector<std::string> ladder;
      if (auto e = check_ladder(v, ladder)) return *e;
      req.ladder = std::move(ladder);
    } else if (key == "kind") {
      return unprocessable("kind cannot be changed after creation");
    } else {
      return unprocessable("unknown field \"" + key + "\"");
    }
  }
  return req;
}

api::result<api::list_rooms_request> parse_list_query(const query_params& q) {
  api::list_rooms_request req;
  if (const auto* s = q.find("status"); s && !s->empty()) {
    if (*s == "ready") req.status = api::room_status::ready;
    else if (*s == "live") req.status = api::room_status::live;
    else if (*s == "ended") req.status = api::room_status::ended;
    else return bad_request("status must be one of ready, live, ended");
  }
  if (const auto* s = q.find("q")) {
    if (utf8_length(*s) > api_limits::query_q_max)
      return bad_request("q is longer than " + std::to_string(api_limits::query_q_max) + " characters");
    req.q = *s;
  }
  if (const auto* s = q.find("limit")) {
    std::size_t n = 0;
    if (!parse_size(*s, n) || n < 1 || n > api_limits::list_limit_max)
      return bad_request("limit must be an integer from 1 to " + std::to_string(api_limits::list_limit_max));
    req.limit = n;
  }
  if (const auto* s = q.find("cursor")) {
    if (s->size() > api_limits::cursor_max) return bad_request("cursor is too long");
    req.cursor = *s;
  }
  return req;
}

std::string to_json(const api::room_view& room) { return room_json(room).dump(-1, ' ', false, dump_safe); }

std::string to_json(const api::room_page& page) {
  json rooms = json::array();
  for (const auto& r : page.rooms) rooms.push_back(room_json(r));
  json j = json::object();
  j["rooms"] = std::move(rooms);
  j["next_cursor"] = page.next_cursor.empty() ? json(nullptr) : json(page.next_cursor);
  return j.dump(-1, ' ', false, dump_safe);
}

std::string to_json(const api::node_info& node) {
  json j = json::object();
  j["node_id"] = node.node_id;
  j["version"] = node.version;
  j["rooms"] = node.rooms;
  j["live_streams"] = node.live_streams;
  j["viewers"] = node.viewers;
  return j.dump(-1, ' ', false, dump_safe);
}

std::string to_json(const api::error& err) {
  json j = json::object();
  j["error"] = json::object({{"code", err.code}, {"message", err.message}});
  return j.dump(-1, ' ', false, dump_safe);
}

std::string to_json(const api::cluster_view& view) {
  json nodes = json::array();
  for (const auto& n : view.nodes)
    nodes.push_back({{"node_id", n.node_id}, {"region", n.region}, {"zone", n.zone}, {"state", n.state},
                     {"self", n.self}, {"linked", n.linked}, {"draining", n.draining},
                     {"endpoints",
                      {{"host", n.host}, {"rtmp", n.rtmp_port}, {"http", n.http_port}, {"caf", n.caf_port},
                       {"gossip", n.gossip_port}}},
                     {"load", {{"rooms", n.rooms}, {"streams", n.streams}, {"viewers", n.viewers}, {"cpu_pct", n.cpu_pct}}}});
  json rooms = json::array();
  for (const auto& r : view.rooms)
    rooms.push_back({{"id", r.id}, {"title", r.title}, {"status", r.status}, {"owner_node", r.owner_node},
                     {"origin_node", r.origin_node.empty() ? json(nullptr) : json(r.origin_node)}});
  return json{{"node_id", view.node_id}, {"nodes", nodes}, {"rooms", rooms}, {"unreachable", view.unreachable}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string to_json(const api::ingest_view& view) {
  return json{{"node_id", view.node_id}, {"region", view.region}, {"rtmp_url", view.rtmp_url}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string to_json(const api::drain_view& view) {
  return json{{"node_id", view.node_id}, {"draining", true}, {"rooms", view.rooms},
              {"publishers", view.publishers}, {"deadline_s", view.deadline_s}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace onair::net::http
