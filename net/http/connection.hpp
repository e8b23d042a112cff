#pragma once
/// Private to net/http: one HTTP/1.1 connection (keep-alive), all of its state on one strand.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "net/http/response.hpp"
#include "net/http/server_impl.hpp"

namespace onair::net::http {

using request = boost::beast::http::request<boost::beast::http::string_body>;

/// Work a request is parked on (a blocking playlist reload, a preload-hinted part). Cancelled on the
/// strand when the connection closes before the work answers.
class pending_op {
 public:
  virtual ~pending_op() = default;
  virtual void cancel() = 0;
};

class connection : public std::enable_shared_from_this<connection> {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;

  connection(boost::asio::ip::tcp::socket socket, std::shared_ptr<server::impl> srv, std::uint64_t id);

  /// Starts reading requests.
  void start();
  /// Closes the socket; safe from any thread.
  void close();

  /// Answers the current request. Strand only; exactly one response per request.
  void respond(response res);
  /// Answers request number `seq` from any thread (api_handler callbacks): posts into the strand and
  /// drops the response if that request was already answered or the connection is gone.
  void respond_async(std::uint64_t seq, response res);
  /// Sequence number of the request being handled.
  std::uint64_t request_seq() const { return seq_; }
  /// Parks the current request on `op` (strand only).
  void set_pending(std::shared_ptr<pending_op> op) { pending_ = std::move(op); }

  /// Hands the socket (and any bytes read past `req`) to a WebSocket chat session for `room_id`
  /// (strand only, from dispatch). The HTTP connection is finished afterwards. Takes the slot the
  /// caller reserved with ws_hub::try_reserve().
  void upgrade_to_chat(const request& req, std::string room_id);

  executor_type executor() { return stream_.get_executor(); }
  server::impl& srv() { return *srv_; }
  /// Remote IP address as text ("" when unknown).
  const std::string& remote_ip() const { return remote_ip_; }

 private:
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void on_write(boost::beast::error_code ec, bool close);
  void do_close();
  void linger_close();
  void drain_read();
  void fail_and_close(unsigned status, std::string code, std::string message);

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<server::impl> srv_;
  std::uint64_t id_;
  std::string remote_ip_;

  // Per-request state.
  std::uint64_t seq_ = 0;
  bool answered_ = true;
  bool keep_alive_ = false;
  bool head_ = false;
  unsigned version_ = 11;
  bool close_after_ = false;
  bool closed_ = false;
  std::shared_ptr<pending_op> pending_;
  std::unique_ptr<std::array<char, 4096>> drain_buf_;
  std::size_t drained_ = 0;
  std::shared_ptr<response> writing_;  // kept alive (with the shared buffer it points to) during the write
};

}  // namespace onair::net::http
