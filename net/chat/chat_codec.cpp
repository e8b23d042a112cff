// JSON ⇄ typed chat frames (docs/chat-protocol.md). nlohmann stays in this file.
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "net/chat/chat_frames.hpp"
#include "net/http/api_json.hpp"

namespace onair::net::chat {

namespace {

using json = nlohmann::json;

/// Limits the codec enforces (docs/chat-protocol.md "Limits"); text length is the channel's.
constexpr std::size_t nick_max = 32;        // code points
constexpr std::size_t client_id_max = 64;   // code points
constexpr std::size_t emoji_max = 16;       // code points (ZWJ sequences and skin tones are several)
constexpr std::size_t user_id_max = 128;    // code points

frame_error invalid(std::string message) { return frame_error{"invalid_frame", std::move(message)}; }

/// Reads an optional string member: absent is fine, any other JSON type is an error.
bool opt_string(const json& j, const char* key, std::string& out) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  out = it->get_ref<const std::string&>();
  return true;
}

/// A required non-negative integer that fits in `max` (JSON numbers like 1.0 or -1 are refused).
bool req_uint(const json& j, const char* key, std::uint64_t max, std::uint64_t& out) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned()) return false;
  out = it->get<std::uint64_t>();
  return out <= max;
}

std::variant<client_frame, frame_error> parse_object(const json& j) {
  const auto t = j.find("type");
  if (t == j.end() || !t->is_string()) return frame_error{"unknown_type", "missing \"type\""};
  const auto& type = t->get_ref<const std::string&>();

  if (type == "join") {
    join_frame f;
    if (!opt_string(j, "nick", f.nick)) return invalid("\"nick\" must be a string");
    if (!opt_string(j, "token", f.token)) return invalid("\"token\" must be a string");
    if (http::utf8_length(f.nick) > nick_max) return invalid("\"nick\" longer than 32 characters");
    if (const auto it = j.find("since"); it != j.end() && !it->is_null()) {
      std::uint64_t since = 0;
      if (!req_uint(j, "since", std::numeric_limits<std::uint64_t>::max(), since))
        return invalid("\"since\" must be a non-negative integer");
      f.since = since;
    }
    return client_frame{std::move(f)};
  }
  if (type == "msg") {
    msg_frame f;
    const auto it = j.find("text");
    if (it == j.end() || !it->is_string()) return invalid("\"text\" must be a string");
    f.text = it->get_ref<const std::string&>();
    if (f.text.empty()) return invalid("\"text\" is empty");
    if (!opt_string(j, "client_id", f.client_id)) return invalid("\"client_id\" must be a string");
    if (http::utf8_length(f.client_id) > client_id_max) return invalid("\"client_id\" longer than 64 characters");
    return client_frame{std::move(f)};
  }
  if (type == "reaction") {
    reaction_frame f;
    const auto it = j.find("emoji");
    if (it == j.end() || !it->is_string()) return invalid("\"emoji\" must be a string");
    f.emoji = it->get_ref<const std::string&>();
    const auto n = http::utf8_length(f.emoji);
    if (n == 0 || n > emoji_max) return invalid("\"emoji\" must be 1 to 16 characters");
    return client_frame{std::move(f)};
  }
  if (type == "delete") {
    delete_frame f;
    if (!req_uint(j, "seq", std::numeric_limits<std::uint64_t>::max(), f.seq))
      return invalid("\"seq\" must be a non-negative integer");
    return client_frame{f};
  }
  // mute, ban, unban name a user by id.
  const auto user_of = [&](std::string& out) -> bool {
    const auto it = j.find("user");
    if (it == j.end() || !it->is_string()) return false;
    out = it->get_ref<const std::string&>();
    const auto n = http::utf8_length(out);
    return n >= 1 && n <= user_id_max;
  };
  if (type == "mute") {
    mute_frame f;
    if (!user_of(f.user)) return invalid("\"user\" must be a user id");
    std::uint64_t s = 0;
    if (!req_uint(j, "seconds", std::numeric_limits<std::uint32_t>::max(), s))
      return invalid("\"seconds\" must be an integer in 0..4294967295");
    f.seconds = static_cast<std::uint32_t>(s);
    return client_frame{std::move(f)};
  }
  if (type == "ban") {
    ban_frame f;
    if (!user_of(f.user)) return invalid("\"user\" must be a user id");
    return client_frame{std::move(f)};
  }
  if (type == "unban") {
    unban_frame f;
    if (!user_of(f.user)) return invalid("\"user\" must be a user id");
    return client_frame{std::move(f)};
  }
  if (type == "slow_mode") {
    slow_mode_frame f;
    std::uint64_t s = 0;
    if (!req_uint(j, "seconds", std::numeric_limits<std::uint32_t>::max(), s))
      return invalid("\"seconds\" must be an integer in 0..4294967295");
    f.seconds = static_cast<std::uint32_t>(s);
    return client_frame{f};
  }
  if (type == "clear") return client_frame{clear_frame{}};
  if (type == "ping") return client_frame{ping_frame{}};
  return frame_error{"unknown_type", "unknown frame type"};
}

/// Never throws: strings that are not valid UTF-8 (they come from other users, via actors) are
/// rendered with U+FFFD instead of failing the whole frame.
std::string dump(const json& j) {
  try {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (...) {
    return R"({"type":"error","code":"internal","message":"render failed"})";
  }
}

json user_json(const user_info& u) { return json{{"id", u.id}, {"name", u.name}, {"role", u.role}}; }

json message_json(const chat_message& m) {
  return json{{"seq", m.seq}, {"ts", http::format_rfc3339(m.ts_ms)}, {"user", user_json(m.user)}, {"text", m.text}};
}

}  // namespace

std::variant<client_frame, frame_error> parse_client_frame(std::string_view text) {
  try {
    const auto j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return frame_error{"invalid_json", "frame is not valid JSON"};
    if (!j.is_object()) return invalid("frame must be a JSON object");
    return parse_object(j);
  } catch (...) {  // bad_alloc; nlohmann itself does not throw with allow_exceptions=false
    return frame_error{"invalid_json", "frame could not be parsed"};
  }
}

std::string render_welcome(const std::string& room, const user_info& you, std::uint64_t last_seq,
                           std::uint64_t viewers, std::uint32_t slow_mode_s) {
  return dump(json{{"type", "welcome"},
                   {"room", room},
                   {"you", user_json(you)},
                   {"last_seq", last_seq},
                   {"viewers", viewers},
                   {"slow_mode", slow_mode_s}});
}

std::string render_history(const std::vector<chat_message>& messages, bool replay) {
  try {
    json arr = json::array();
    for (const auto& m : messages) arr.push_back(message_json(m));
    return dump(json{{"type", "history"}, {"replay", replay}, {"messages", std::move(arr)}});
  } catch (...) {
    return dump(json{{"type", "error"}, {"code", "internal"}, {"message", "render failed"}});
  }
}

std::string render_gap(std::uint64_t since, std::uint64_t oldest_available) {
  return dump(json{{"type", "gap"}, {"since", since}, {"oldest", oldest_available}});
}

std::string render_message(const chat_message& m) {
  auto j = message_json(m);
  j["type"] = "msg";
  return dump(j);
}

std::string render_ack(const std::string& client_id, std::uint64_t seq) {
  return dump(json{{"type", "ack"}, {"client_id", client_id}, {"seq", seq}});
}

std::string render_reactions(const std::map<std::string, std::uint64_t>& counts) {
  json c = json::object();
  for (const auto& [emoji, n] : counts) c[emoji] = n;
  return dump(json{{"type", "reactions"}, {"counts", std::move(c)}});
}

std::string render_presence(std::uint64_t viewers) { return dump(json{{"type", "presence"}, {"viewers", viewers}}); }

std::string render_deleted(std::uint64_t seq, const std::string& by) {
  return dump(json{{"type", "deleted"}, {"seq", seq}, {"by", by}});
}

std::string render_cleared(std::uint64_t up_to_seq, const std::string& by) {
  return dump(json{{"type", "cleared"}, {"up_to", up_to_seq}, {"by", by}});
}

std::string render_moderation(const std::string& action, const std::string& user, std::int64_t until_ms,
                              const std::string& by) {
  json j{{"type", "moderation"}, {"action", action}, {"user", user}, {"by", by}};
  if (action == "mute") {
    j["until"] = http::format_rfc3339(until_ms);
    j["until_ms"] = until_ms;
  }
  return dump(j);
}

std::string render_slow_mode(std::uint32_t seconds, const std::string& by) {
  return dump(json{{"type", "slow_mode"}, {"seconds", seconds}, {"by", by}});
}

std::string render_system(const std::string& event) { return dump(json{{"type", "system"}, {"event", event}}); }

std::string render_error(const std::string& code, const std::string& message) {
  return dump(json{{"type", "error"}, {"code", code}, {"message", message}});
}

std::string render_pong() { return R"({"type":"pong"})"; }

}  // namespace onair::net::chat
