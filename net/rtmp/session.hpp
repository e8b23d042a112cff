#pragma once
/// Sans-IO RTMP server session (RTMP spec 7): bytes in, bytes out, plus calls into the publish seam.
/// One per connection, driven from that connection's strand; no sockets, threads or clocks here.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "net/rtmp/chunk_parser.hpp"
#include "net/rtmp/chunk_writer.hpp"
#include "net/rtmp/handshake.hpp"
#include "net/rtmp/message.hpp"
#include "net/rtmp/publish_handler.hpp"

namespace onair::net::rtmp {

struct amf0_value;

/// Knobs of one session (the protocol subset of server_options).
struct session_options {
  std::uint32_t max_message_size = 8 * 1024 * 1024;
  std::uint32_t out_chunk_size = 4096;
  std::uint32_t window_ack_size = 2500000;
  std::string app = "live";             ///< the only application accepted in connect
  std::size_t max_pending_messages = 1024;  ///< queued while a publish decision is outstanding
  std::size_t max_pending_bytes = 32 * 1024 * 1024;  ///< payload bytes queued meanwhile
};

/// What the session needs from its driver (the server, or a test).
class session_host {
 public:
  virtual ~session_host() = default;
  /// The client sent `publish`. Answer, now or later, with session::on_publish_decision.
  virtual void on_publish_request(const std::string& app, const std::string& stream_key) = 0;
};

class session {
 public:
  session(session_options opts, session_host& host, std::uint64_t connection_id, std::string peer,
          std::function<void(std::span<std::uint8_t>)> random = {});
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  /// Pushes received bytes; all of them are consumed. `error` means: flush output, then close.
  feed_result feed(std::span<const std::uint8_t> in);

  /// The handler's answer to the last on_publish_request.
  void on_publish_decision(publish_decision d);

  /// The transport closed (peer gone, timeout, kick, server stop). Ends the sink; idempotent.
  void close();

  /// Bytes to send. The driver takes them (swap) and writes them in order.
  std::vector<std::uint8_t>& output() { return out_; }
  /// True once the session wants the connection closed after its output is flushed
  /// (refused connect/publish, protocol error).
  bool wants_close() const { return wants_close_; }
  bool handshake_done() const { return handshake_.done(); }
  /// True while a sink receives media.
  bool publishing() const { return static_cast<bool>(sink_); }

  const std::string& app() const { return app_; }
  const std::string& tc_url() const { return tc_url_; }
  const std::string& stream_key() const { return stream_key_; }
  /// The key as logs show it: a stream key is a secret, so only its first 6 characters.
  std::string redacted_key() const { return stream_key_.size() <= 6 ? stream_key_ : stream_key_.substr(0, 6) + "..."; }
  std::uint64_t connection_id() const { return connection_id_; }
  const std::string& peer() const { return peer_; }

 private:
  enum class publish_state : std::uint8_t { none, pending, publishing, refused };

  void handle(message&& m);
  void handle_command(const message& m, std::size_t skip);
  void handle_data(const message& m, std::size_t skip);
  void handle_media(const message& m, media::bytes_view body, std::uint32_t timestamp);
  void handle_aggregate(const message& m);
  void handle_user_control(const message& m);

  void on_connect(double txn, const std::vector<amf0_value>& args);
  void on_publish(const message& m, double txn, const std::vector<amf0_value>& args);
  void end_publish(const char* why);
  void maybe_acknowledge();

  void send_control(std::uint8_t type, std::span<const std::uint8_t> body);
  void send_amf(std::uint32_t csid, std::uint32_t stream_id, const std::vector<amf0_value>& values);
  void send_status(std::uint32_t stream_id, const std::string& level, const std::string& code,
                   const std::string& description);
  void fail(std::error_code ec, const char* what);

  session_options opts_;
  session_host& host_;
  std::uint64_t connection_id_;
  std::string peer_;

  handshake handshake_;
  chunk_parser parser_;
  chunk_writer writer_;
  std::vector<std::uint8_t> out_;
  bool wants_close_ = false;
  bool closed_ = false;
  std::error_code error_;

  bool connected_ = false;
  std::string app_;
  std::string tc_url_;
  std::uint32_t next_stream_id_ = 1;

  publish_state publish_ = publish_state::none;
  std::string stream_key_;
  std::uint32_t publish_stream_id_ = 0;
  std::shared_ptr<ingest_sink> sink_;
  std::deque<message> pending_;  ///< received while the publish decision is outstanding
  std::size_t pending_bytes_ = 0;
  double meta_frame_rate_ = 0;
  bool warned_video_ = false;
  bool warned_audio_ = false;

  /// 32-bit RTMP timestamps unwrapped to 64-bit ms, per track (RTMP spec 5.3.1.3: they wrap).
  struct unwrapper {
    bool init = false;
    std::uint32_t last = 0;
    std::int64_t value = 0;
    std::int64_t operator()(std::uint32_t ts);
  };
  unwrapper video_ts_;
  unwrapper audio_ts_;

  std::uint64_t bytes_in_ = 0;
  std::uint64_t acked_at_ = 0;
  std::uint32_t peer_window_ = 0;  ///< Window Acknowledgement Size the client announced (5.4.4)
};

}  // namespace onair::net::rtmp
