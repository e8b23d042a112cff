#pragma once
/// Chat settings of a node; defaults and meanings in docs/configuration.md and docs/chat-protocol.md.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace onair::actors {

struct chat_options {
  std::size_t max_message_chars = 500;      ///< code points per message
  std::size_t history_on_join = 50;         ///< messages sent after welcome
  std::size_t replay_max = 1000;            ///< a `since` further back than this gets a gap frame
  std::size_t retention_count = 10000;      ///< messages kept per room
  std::int64_t retention_age_s = 7 * 86400; ///< messages older than this are trimmed (0 = keep)
  /// Reactions allowed (a frame with another emoji gets an error frame).
  std::vector<std::string> reactions = {"👍", "❤️", "🔥", "😂", "👏", "🎉", "😮", "😢"};
  unsigned reaction_flush_ms = 250;         ///< aggregated counts are broadcast at most this often
  unsigned presence_interval_ms = 1000;     ///< presence is broadcast at most this often
  double session_msgs_burst = 5;            ///< per connection: burst and refill of messages
  double session_msgs_per_s = 1;
  double user_msgs_burst = 8;               ///< per user across their connections
  double user_msgs_per_s = 2;
  double reactions_burst = 20;              ///< per connection
  double reactions_per_s = 10;
  unsigned flood_strikes = 10;              ///< rate-limited frames in a row before close 4029
  std::string secret;                       ///< HS256 secret for chat JWTs (D/chat.secret when empty)
};

}  // namespace onair::actors
