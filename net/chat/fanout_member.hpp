#pragma once
/// Private to net/chat: what fanout_group needs from a WebSocket session to deliver a broadcast on the
/// session's own io thread without a post per session.
#include "media/bytes.hpp"
#include "net/chat/ws_session.hpp"

namespace onair::net::chat {

class fanout_member : public ws_sink {
 public:
  /// The io_context the session lives on (run by exactly one thread, see io_runtime).
  virtual boost::asio::io_context& context() = 0;
  /// On context()'s thread only: queues an already-encoded WebSocket frame (`wire`, shared by every
  /// recipient) under the send_queue policy and schedules the session's writer.
  virtual void deliver(const media::shared_bytes& wire, priority p) = 0;
};

}  // namespace onair::net::chat
