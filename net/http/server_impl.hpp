#pragma once
/// Private to net/http: the state shared by the listener and its connections.
#include <boost/asio/ip/tcp.hpp>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "net/accept_backoff.hpp"
#include "net/chat/ws_session.hpp"
#include "net/hls/viewer_throttle.hpp"
#include "net/http/http_server.hpp"

namespace onair::net::http {

class connection;
class static_site;

/// Owned through a shared_ptr: every connection holds one, so the options and references stay valid
/// for callbacks that arrive after server::stop().
struct server::impl : std::enable_shared_from_this<server::impl> {
  impl(io_runtime& io, server_options opts, api::api_handler& api, hls::index& index, hls::viewer_observer& viewers);

  void do_accept();
  void forget(std::uint64_t conn_id);

  io_runtime& io;
  const server_options opts;
  api::api_handler& api;
  hls::index& index;
  hls::viewer_observer& viewers;
  hls::viewer_throttle throttle;

  /// WebSocket chat (set_chat); null when chat is not served. Written before listen(), then read-only.
  std::shared_ptr<chat::ws_hub> chat;
  /// Content steering (set_steering); null on a server without one. Written before listen(), then read-only.
  std::shared_ptr<const hls::steering_table> steering;
  /// The browser app's files (static_routes.cpp); null when no web root is configured.
  std::shared_ptr<static_site> web;

  boost::asio::ip::tcp::acceptor acceptor;
  accept_backoff backoff{acceptor.get_executor(), "http"};  ///< on the acceptor's strand, like every accept
  std::atomic<std::uint16_t> bound_port{0};
  std::atomic<bool> stopped{false};

  std::mutex conns_mutex;
  std::unordered_map<std::uint64_t, std::weak_ptr<connection>> conns;
  std::uint64_t next_conn_id = 1;
};

}  // namespace onair::net::http
