#pragma once
/// The recipients of one room's broadcasts (the chat channel's members), kept so that one broadcast
/// costs one post per io thread, not one per session. No Boost in this header: actors/ includes it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "media/bytes.hpp"
#include "net/chat/chat_handler.hpp"

namespace onair::net::chat {

/// Not thread-safe: owned by one actor. Sessions are grouped by the io_context they live on; each group
/// is an immutable snapshot (a shared vector) that a broadcast job reads on that io thread while the
/// owner goes on. add()/remove() edit a snapshot in place when no job holds it, and copy it only when
/// one does (copy-on-write), so joins and leaves between broadcasts cost O(1).
///
/// send_all() encodes the WebSocket frame once (RFC 6455 5.2 header + the rendered JSON: server frames
/// are unmasked, so every connection gets the same bytes) and posts one job per io_context; the job
/// queues that buffer into each session's send queue and schedules its writer. Sinks that are not
/// WebSocket sessions (tests, other transports) get session_sink::send() as before.
class fanout_group {
 public:
  fanout_group();
  ~fanout_group();
  fanout_group(const fanout_group&) = delete;
  fanout_group& operator=(const fanout_group&) = delete;

  /// Adds a recipient (ignored if present).
  void add(const std::shared_ptr<session_sink>& sink);
  /// Removes a recipient (ignored if absent).
  void remove(const session_sink* sink);
  /// Sends the rendered text frame `text` to every recipient under priority `p` (see session_sink).
  void send_all(const media::shared_bytes& text, session_sink::priority p);
  /// Recipients now.
  std::size_t size() const { return where_.size(); }

 private:
  struct shard;
  struct slot {
    std::uint32_t shard;  ///< index into shards_, or direct_shard
    std::uint32_t index;  ///< position in that shard's snapshot (or in direct_)
  };
  static constexpr std::uint32_t direct_shard = ~std::uint32_t{0};

  std::vector<std::unique_ptr<shard>> shards_;
  std::vector<std::shared_ptr<session_sink>> direct_;
  std::unordered_map<const session_sink*, slot> where_;
};

}  // namespace onair::net::chat
