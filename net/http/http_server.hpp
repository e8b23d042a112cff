#pragma once
/// HTTP listener (Boost.Beast): REST API under /api, LL-HLS under /hls (with content steering once
/// set_steering() was called, docs/hls-steering.md), health at /healthz,
/// WebSocket chat at /ws/rooms/{id}/chat once set_chat() was called (docs/chat-protocol.md), and the
/// browser app at / (docs/web.md).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include "net/chat/chat_handler.hpp"
#include "net/chat/ws_options.hpp"
#include "net/hls/hls_index.hpp"
#include "net/hls/steering.hpp"
#include "net/hls/viewer_observer.hpp"
#include "net/http/api_handler.hpp"
#include "net/io_runtime.hpp"

namespace onair::net::http {

/// Limits of the HTTP side; documented in docs/api.md and docs/configuration.md.
struct server_options {
  std::size_t max_body_bytes = 64 * 1024;  ///< larger bodies get 413
  std::size_t max_header_bytes = 16 * 1024;
  unsigned idle_timeout_s = 60;            ///< keep-alive connections idle this long are closed
  double blocking_reload_timeout_factor = 3.0;  ///< RFC 8216bis 6.2.5.2: 503 after 3x target duration
  /// The browser app's files (web/dist), served at `/`; empty = none (`/` answers 404 "not built").
  std::string web_root;
};

/// The web/dist directory of the source tree this binary was built from (baked in by CMake), so a node
/// started from a clean clone's build serves the app without an option.
const char* default_web_root();

class server {
 public:
  server(io_runtime& io, server_options opts, api::api_handler& api, hls::index& index,
         hls::viewer_observer& viewers);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Serves WebSocket chat at /ws/rooms/{id}/chat with `handler` (which must outlive the server).
  /// Call before listen(); without it that path answers 404.
  void set_chat(chat::chat_handler& handler, chat::ws_options opts);
  /// Reads the chat transport's totals (all zero without set_chat()). The function keeps what it reads
  /// alive, so it may outlive the server; call after set_chat().
  std::function<chat::ws_stats()> chat_stats_source() const;
  /// Steers master playlists across the cluster's nodes and serves /hls/{room}/steering.json from
  /// `table` (docs/hls-steering.md). Call before listen(); without it every master is served as the
  /// packager wrote it (plus sids) and the steering manifest names no other node.
  void set_steering(std::shared_ptr<const hls::steering_table> table);

  std::error_code listen(const std::string& host, std::uint16_t port);
  std::uint16_t port() const;
  /// Stops accepting, closes HTTP connections and sends close_code::going_away to chat sessions.
  void stop();

  struct impl;

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace onair::net::http
