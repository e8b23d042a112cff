#pragma once
/// Limits of the WebSocket chat transport (docs/chat-protocol.md, "Limits").
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace onair::net::chat {

struct ws_options {
  /// Largest client message in bytes; a larger one is refused with close code 1009 (RFC 6455 7.4.1).
  std::size_t max_frame_bytes = 4096;
  /// Bound of each session's outbound queue, in frames (see session_sink for the drop policy).
  std::size_t send_queue_frames = 256;
  /// Allowed Origin header values (RFC 6455 10.2). Empty: any origin, or none. Otherwise the Origin
  /// must equal one entry exactly, else the upgrade is refused with HTTP 403.
  std::vector<std::string> origin_allow_list;
  /// Seconds a new connection may stay without a join frame before it is closed with 4009.
  double join_timeout_s = 10.0;
  /// Open chat connections per listener; beyond it the upgrade is refused with HTTP 503.
  std::size_t max_connections = 20000;
  /// Open chat connections per remote address (the TCP peer: behind a reverse proxy that is the
  /// proxy); beyond it the upgrade is refused with HTTP 429. 0: no cap.
  std::size_t max_connections_per_ip = 0;
  /// Seconds a close frame may wait behind a stalled write (or for the peer's close frame) before the
  /// socket is dropped outright.
  double close_timeout_s = 5.0;
  /// A connection that sends nothing for half of this gets a ping (RFC 6455 5.5.2); one still silent
  /// for another half is dropped. 300 s is what Beast's timeout::suggested(server) used to give us.
  double idle_timeout_s = 300.0;
  /// Seconds frames may wait on their io thread before being written, so that frames queued close
  /// together (messages, reactions, presence, acks) leave in one write per connection. 0: written as
  /// soon as the io thread gets to them. Every write to a connection is one sendmsg whose kernel cost
  /// does not shrink with the frame, so in a busy room this trades up to this much latency for fewer
  /// of them (docs/benchmarks.md, "Chat fan-out").
  double write_delay_s = 0.0;
};

/// Totals of one listener's chat transport since it started, for metrics (ws_hub::stats()).
struct ws_stats {
  std::uint64_t open = 0;                  ///< connections open (or opening) now
  std::uint64_t dropped_frames = 0;        ///< droppable frames (reactions, presence) shed from full queues
  std::uint64_t slow_consumer_closes = 0;  ///< connections closed with 4008 "slow consumer"
  std::uint64_t refused_node_full = 0;     ///< upgrades answered 503: max_connections open
  std::uint64_t refused_address_full = 0;  ///< upgrades answered 429: max_connections_per_ip open from one address
};

}  // namespace onair::net::chat
