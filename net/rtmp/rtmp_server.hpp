#pragma once
/// RTMP ingest listener: accepts TCP connections and runs one rtmp session per connection on its strand.
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>

#include "net/io_runtime.hpp"
#include "net/rtmp/publish_handler.hpp"

namespace onair::net::rtmp {

/// Limits and knobs of the ingest side. Defaults are documented in docs/configuration.md.
struct server_options {
  std::uint32_t max_message_size = 8 * 1024 * 1024;  ///< a larger RTMP message closes the connection
  std::uint32_t out_chunk_size = 4096;               ///< our Set Chunk Size (RTMP spec 5.4.1)
  std::uint32_t window_ack_size = 2500000;           ///< Window Acknowledgement Size we announce (5.4.4)
  unsigned handshake_timeout_s = 10;                 ///< a client that does not finish the handshake is dropped
  unsigned idle_timeout_s = 30;                      ///< no bytes for this long closes the session
};

class server {
 public:
  server(io_runtime& io, server_options opts, publish_handler& handler);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and starts accepting. Port 0 picks a free port; see port().
  std::error_code listen(const std::string& host, std::uint16_t port);
  /// The bound port (valid after a successful listen).
  std::uint16_t port() const;
  /// Stops accepting and closes every session (each sink gets on_end()).
  void stop();

  struct impl;

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace onair::net::rtmp
