#pragma once
/// Durable chat state kept in RocksDB (docs/storage.md).
#include <cstdint>
#include <string>
#include <vector>

namespace onair::storage {

/// One accepted chat message. `deleted` messages keep their sequence number but lose their text.
struct chat_record {
  std::uint64_t seq = 0;
  std::int64_t ts_ms = 0;
  std::string user_id;
  std::string user_name;
  std::string user_role;
  std::string text;
  bool deleted = false;
  bool operator==(const chat_record&) const = default;
};

/// A room's moderation state, so bans, mutes and slow mode survive a restart.
struct chat_moderation {
  struct mute {
    std::string user_id;
    std::int64_t until_ms = 0;
    bool operator==(const mute&) const = default;
  };
  std::vector<std::string> banned;  ///< user ids
  std::vector<mute> muted;
  std::uint32_t slow_mode_s = 0;
  std::uint64_t cleared_up_to = 0;  ///< messages with seq <= this were cleared by a moderator
  bool operator==(const chat_moderation&) const = default;
};

}  // namespace onair::storage
