#pragma once
/// The seam between WebSocket chat (net/) and the chat actors (actors/ implements it).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "media/bytes.hpp"
#include "net/chat/chat_frames.hpp"

namespace onair::net::chat {

/// WebSocket close codes we send (RFC 6455 7.4; 4000-4999 are ours). Documented in docs/chat-protocol.md.
namespace close_code {
inline constexpr std::uint16_t going_away = 1001;        ///< node shutting down
inline constexpr std::uint16_t service_restart = 1012;   ///< the room's chat moved to another node: reconnect with `since`
inline constexpr std::uint16_t try_again_later = 1013;   ///< the room's chat cannot be reached right now: retry
inline constexpr std::uint16_t invalid_utf8 = 1007;      ///< a text frame that is not UTF-8
inline constexpr std::uint16_t policy = 1008;            ///< origin not allowed, banned
inline constexpr std::uint16_t too_big = 1009;           ///< frame larger than the limit
inline constexpr std::uint16_t unauthorized = 4001;      ///< bad or expired token
inline constexpr std::uint16_t not_found = 4004;         ///< no such room
inline constexpr std::uint16_t slow_consumer = 4008;     ///< send queue overflowed with messages
inline constexpr std::uint16_t join_timeout = 4009;      ///< no join frame in time
inline constexpr std::uint16_t flood = 4029;             ///< kept exceeding the rate limit
}  // namespace close_code

/// The outbound side of one WebSocket. Thread-safe and never blocks: frames go into a bounded queue
/// drained on the connection's strand. When the queue is full, droppable frames (reactions, presence)
/// are dropped first; if it is still full for a must-deliver frame the connection is closed with
/// close_code::slow_consumer — the caller never waits.
class session_sink {
 public:
  enum class priority : std::uint8_t { droppable, normal };
  virtual ~session_sink() = default;
  /// Queues an already-rendered text frame (shared, not copied). False once the session is closed.
  virtual bool send(media::shared_bytes frame, priority p) = 0;
  /// Sends a close frame with `code` after what is queued, then closes. Idempotent.
  virtual void close(std::uint16_t code, std::string reason) = 0;
};

/// Inbound side of one WebSocket, implemented by actors/. Called on the connection's strand, in order.
class session_handler {
 public:
  virtual ~session_handler() = default;
  /// A parsed client frame (the first is always a join_frame).
  virtual void on_frame(client_frame frame) = 0;
  /// The connection closed (either side). Called exactly once, last.
  virtual void on_close() = 0;
};

/// What net knows about a new chat connection.
struct open_request {
  std::string room_id;  ///< from /ws/rooms/{id}/chat
  std::string origin;   ///< Origin header ("" when absent); the allow-list is checked by net first
  std::string peer;     ///< remote "ip:port"
  std::string ip;       ///< remote address alone (what the per-address connection cap counts)
  std::uint64_t connection_id = 0;
};

class chat_handler {
 public:
  virtual ~chat_handler() = default;
  /// A WebSocket was accepted. Returns the handler for its frames; must not block.
  virtual std::shared_ptr<session_handler> on_open(open_request req, std::shared_ptr<session_sink> sink) = 0;
};

/// JWT (RFC 7519) HS256 verification: checks the signature with `secret`, `alg` = HS256, and `exp`
/// against `now_s` (with `leeway_s`). Returns the claims or an error message.
struct jwt_claims {
  std::string sub;
  std::string name;
  std::string role;
  std::int64_t exp = 0;
};
std::variant<jwt_claims, std::string> verify_jwt(std::string_view token, std::string_view secret, std::int64_t now_s,
                                                 std::int64_t leeway_s = 30);
/// Makes an HS256 JWT (used by tests and by `onair token jwt`).
std::string sign_jwt(const jwt_claims& claims, std::string_view secret);

}  // namespace onair::net::chat
