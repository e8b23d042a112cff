#include "actors/chat_rules.hpp"

#include <algorithm>

namespace onair::actors {

int role_rank(std::string_view role) {
  if (role == "admin") return 3;
  if (role == "dj" || role == "moderator") return 2;
  return 1;
}

bool may_moderate(const net::chat::user_info& who) { return role_rank(who.role) >= 2; }

bool outranks(const net::chat::user_info& who, std::string_view target_role) {
  return role_rank(who.role) > role_rank(target_role) || who.role == "admin";
}

std::size_t utf8_length(std::string_view s) {
  // Count lead bytes: continuation bytes are 10xxxxxx.
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string check_message_text(std::string_view text, std::size_t max_chars) {
  if (std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }))
    return "empty_message";
  if (utf8_length(text) > max_chars) return "message_too_long";
  return {};
}

bool is_banned(const storage::chat_moderation& m, const std::string& user_id) {
  return std::find(m.banned.begin(), m.banned.end(), user_id) != m.banned.end();
}

bool is_muted(const storage::chat_moderation& m, const std::string& user_id, std::int64_t now_ms) {
  return std::any_of(m.muted.begin(), m.muted.end(),
                     [&](const auto& x) { return x.user_id == user_id && x.until_ms > now_ms; });
}

void apply_mute(storage::chat_moderation& m, const std::string& user_id, std::int64_t until_ms) {
  std::erase_if(m.muted, [&](const auto& x) { return x.user_id == user_id; });
  m.muted.push_back({user_id, until_ms});
}

void apply_ban(storage::chat_moderation& m, const std::string& user_id) {
  if (!is_banned(m, user_id)) m.banned.push_back(user_id);
}

void apply_unban(storage::chat_moderation& m, const std::string& user_id) {
  std::erase(m.banned, user_id);
  std::erase_if(m.muted, [&](const auto& x) { return x.user_id == user_id; });
}

void prune_mutes(storage::chat_moderation& m, std::int64_t now_ms) {
  std::erase_if(m.muted, [&](const auto& x) { return x.until_ms <= now_ms; });
}

}  // namespace onair::actors
