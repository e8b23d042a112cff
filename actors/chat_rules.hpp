#pragma once
/// Pure chat rules: who may moderate whom, what a message may contain, who is muted or banned.
#include <cstdint>
#include <string>
#include <string_view>

#include "net/chat/chat_frames.hpp"
#include "storage/chat_records.hpp"

namespace onair::actors {

/// Roles in rank order: viewer < dj = moderator < admin. Moderators, the room's DJ and admins moderate.
int role_rank(std::string_view role);
bool may_moderate(const net::chat::user_info& who);
/// An actor may act on a target of lower rank only (a moderator cannot ban the DJ or an admin).
bool outranks(const net::chat::user_info& who, std::string_view target_role);

/// Number of Unicode code points in valid UTF-8 (WebSocket text frames are validated by net/).
std::size_t utf8_length(std::string_view s);

/// Empty when the text may be posted; otherwise an error code for the error frame.
std::string check_message_text(std::string_view text, std::size_t max_chars);

/// Is the user banned / muted at `now_ms` (expired mutes do not count)?
bool is_banned(const storage::chat_moderation& m, const std::string& user_id);
bool is_muted(const storage::chat_moderation& m, const std::string& user_id, std::int64_t now_ms);
/// Applies a mute (replacing an earlier one), a ban or an unban.
void apply_mute(storage::chat_moderation& m, const std::string& user_id, std::int64_t until_ms);
void apply_ban(storage::chat_moderation& m, const std::string& user_id);
void apply_unban(storage::chat_moderation& m, const std::string& user_id);
/// Drops mutes that have expired (keeps the persisted state small).
void prune_mutes(storage::chat_moderation& m, std::int64_t now_ms);

}  // namespace onair::actors
