#pragma once
/// WebSocket chat sessions (RFC 6455) on sockets taken over from the HTTP listener. The WebSocket
/// protocol is our own (ws_frame.hpp, ws_handshake.hpp); this header only needs the socket and the
/// request types.
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "net/chat/chat_handler.hpp"
#include "net/chat/ws_options.hpp"

namespace onair::net::chat {

/// The upgrade request as the HTTP layer parsed it.
using upgrade_request = boost::beast::http::request<boost::beast::http::string_body>;

/// session_sink of one WebSocket, with its counters (for tests and metrics).
class ws_sink : public session_sink {
 public:
  /// Frames this session dropped under the queue policy (droppable frames evicted or refused).
  virtual std::uint64_t dropped() const = 0;
  /// Frames waiting in the queue now (not counting the one being written).
  virtual std::size_t queued() const = 0;
};

class ws_session;

/// Shared (through shared_ptr) by one HTTP listener and every chat session it upgraded, so it outlives
/// both. Holds the options, the connection count and the registry used to close all sessions on stop.
class ws_hub : public std::enable_shared_from_this<ws_hub> {
 public:
  /// `handler` must outlive every session (it is the node's chat service).
  ws_hub(chat_handler& handler, ws_options opts);

  const ws_options& options() const { return opts_; }
  chat_handler& handler() const { return handler_; }

  /// RFC 6455 10.2: true when the allow-list is empty or `origin` equals one of its entries.
  bool origin_allowed(std::string_view origin) const;
  /// Why try_reserve() refused a slot.
  enum class reserve_result { ok, node_full, address_full };
  /// Takes a connection slot for a client at `ip`: node_full when max_connections are open (the caller
  /// answers 503), address_full when max_connections_per_ip are open from `ip` (429).
  reserve_result try_reserve(const std::string& ip);
  /// Gives back a slot taken by try_reserve(ip) that was not passed to start_session().
  void release(const std::string& ip);
  /// Open (or opening) chat connections.
  std::size_t open_connections() const { return open_.load(std::memory_order_relaxed); }

  /// Takes over `socket` (and the bytes already read past the request, `leftover`), answers the
  /// upgrade and runs the session. Consumes the slot from try_reserve(). Call on the socket's io thread.
  void start_session(boost::asio::ip::tcp::socket socket, std::string leftover, const upgrade_request& req,
                     open_request info);

  /// Sends `code` to every open session and closes it (node shutdown: close_code::going_away).
  void close_all(std::uint16_t code, const std::string& reason);

  /// Totals over all sessions and refused upgrades, for metrics.
  ws_stats stats() const;

 private:
  friend class ws_session;
  void add(std::uint64_t id, const std::shared_ptr<ws_session>& s);
  void remove(std::uint64_t id);

  chat_handler& handler_;
  const ws_options opts_;
  std::atomic<std::size_t> open_{0};
  std::mutex per_ip_mutex_;
  std::unordered_map<std::string, std::size_t> per_ip_;  ///< open connections by address (only with a cap)
  std::atomic<std::uint64_t> dropped_total_{0};
  std::atomic<std::uint64_t> slow_total_{0};
  std::atomic<std::uint64_t> refused_node_full_{0};
  std::atomic<std::uint64_t> refused_address_full_{0};
  std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<ws_session>> sessions_;
};

}  // namespace onair::net::chat
