#pragma once
/// Typed chat frames (docs/chat-protocol.md). net/ parses client JSON into these and renders server
/// frames from them; actors/ implements the behaviour, so no JSON library crosses the folder boundary.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace onair::net::chat {

// ---- client -> server --------------------------------------------------------------------------

/// First frame of every connection. Anonymous with `nick`, or authenticated with `token` (an HS256 JWT
/// signed with the node's chat secret, or an API token). `since` asks for the messages after that
/// sequence number (recovery after a reconnect) instead of the last-50 history.
struct join_frame {
  std::string nick;
  std::string token;
  std::optional<std::uint64_t> since;
};
struct msg_frame {
  std::string text;       ///< UTF-8, non-empty; length limit checked by the channel (configurable)
  std::string client_id;  ///< optional, echoed in the ack so the sender can match it (≤ 64 chars)
};
struct reaction_frame { std::string emoji; };
struct delete_frame { std::uint64_t seq = 0; };                      ///< moderation
struct mute_frame { std::string user; std::uint32_t seconds = 0; };  ///< moderation; user = user id
struct ban_frame { std::string user; };                              ///< moderation
struct unban_frame { std::string user; };                            ///< moderation
struct slow_mode_frame { std::uint32_t seconds = 0; };               ///< moderation; 0 = off
struct clear_frame {};                                               ///< moderation
struct ping_frame {};

using client_frame = std::variant<join_frame, msg_frame, reaction_frame, delete_frame, mute_frame, ban_frame,
                                  unban_frame, slow_mode_frame, clear_frame, ping_frame>;

/// Why a client frame was refused before it reached the channel (sent back as an error frame).
struct frame_error {
  std::string code;     ///< "invalid_json", "unknown_type", "invalid_frame"
  std::string message;
};

/// Parses one text frame. Never throws.
std::variant<client_frame, frame_error> parse_client_frame(std::string_view text);

// ---- server -> client --------------------------------------------------------------------------

struct user_info {
  std::string id;    ///< stable id: "anon:<random>", "tok:<token name>", "jwt:<sub>"
  std::string name;  ///< display name
  std::string role;  ///< "viewer", "dj", "moderator", "admin"
};

struct chat_message {
  std::uint64_t seq = 0;
  std::int64_t ts_ms = 0;
  user_info user;
  std::string text;
};

/// Every frame the server sends is rendered once by these functions and shared by all recipients.
std::string render_welcome(const std::string& room, const user_info& you, std::uint64_t last_seq,
                           std::uint64_t viewers, std::uint32_t slow_mode_s);
/// History (last N on join) or a replay (since=SEQ): the messages in order.
std::string render_history(const std::vector<chat_message>& messages, bool replay);
/// A replay that cannot be served: the gap is older than the retained history.
std::string render_gap(std::uint64_t since, std::uint64_t oldest_available);
std::string render_message(const chat_message& m);
std::string render_ack(const std::string& client_id, std::uint64_t seq);
std::string render_reactions(const std::map<std::string, std::uint64_t>& counts);
std::string render_presence(std::uint64_t viewers);
std::string render_deleted(std::uint64_t seq, const std::string& by);
std::string render_cleared(std::uint64_t up_to_seq, const std::string& by);
/// action: "mute" (until_ms set), "ban", "unban".
std::string render_moderation(const std::string& action, const std::string& user, std::int64_t until_ms,
                              const std::string& by);
std::string render_slow_mode(std::uint32_t seconds, const std::string& by);
/// event: "live", "ended", "ready".
std::string render_system(const std::string& event);
std::string render_error(const std::string& code, const std::string& message);
std::string render_pong();

}  // namespace onair::net::chat
