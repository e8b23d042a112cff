#include "net/http/connection.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>

#include "net/http/router.hpp"

namespace onair::net::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;

connection::connection(asio::ip::tcp::socket socket, std::shared_ptr<server::impl> srv, std::uint64_t id)
    : stream_(std::move(socket)), srv_(std::move(srv)), id_(id) {
  beast::error_code ec;
  const auto ep = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_ip_ = ep.address().to_string();
}

void connection::start() {
  asio::post(stream_.get_executor(), beast::bind_front_handler(&connection::do_read, shared_from_this()));
}

void connection::close() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] { self->do_close(); });
}

void connection::do_read() {
  if (closed_) return;
  parser_.emplace();
  parser_->body_limit(srv_->opts.max_body_bytes);
  parser_->header_limit(static_cast<std::uint32_t>(srv_->opts.max_header_bytes));
  if (srv_->opts.idle_timeout_s == 0)
    stream_.expires_never();  // 0 disables the idle timeout
  else
    stream_.expires_after(std::chrono::seconds(srv_->opts.idle_timeout_s));
  bhttp::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&connection::on_read, shared_from_this()));
}

void connection::on_read(beast::error_code ec, std::size_t) {
  if (closed_) return;
  if (ec) {
    // A limit or a malformed message: answer, then close, since the rest of the stream cannot be
    // trusted (RFC 9112 9.6 lets a server close after a response).
    if (ec == bhttp::error::body_limit)
      return fail_and_close(413, "payload_too_large",
                            "request body exceeds " + std::to_string(srv_->opts.max_body_bytes) + " bytes");
    if (ec == bhttp::error::header_limit)
      return fail_and_close(431, "header_too_large",
                            "request header exceeds " + std::to_string(srv_->opts.max_header_bytes) + " bytes");
    const bool parse_error = &ec.category() == &bhttp::make_error_code(bhttp::error::bad_method).category() &&
                             ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
    if (parse_error) return fail_and_close(400, "bad_request", "malformed HTTP request");
    // The client went away, or stayed idle past idle_timeout_s: nothing to answer.
    return do_close();
  }
  stream_.expires_never();  // a parked request may legitimately wait; the park has its own timeout

  request req = parser_->release();
  ++seq_;
  answered_ = false;
  keep_alive_ = req.keep_alive();
  head_ = req.method() == bhttp::verb::head;
  version_ = req.version();
  close_after_ = false;
  dispatch(shared_from_this(), req);
}

void connection::fail_and_close(unsigned status, std::string code, std::string message) {
  ++seq_;
  answered_ = false;
  keep_alive_ = false;
  head_ = false;
  version_ = 11;
  close_after_ = true;
  respond(make_error_response(status, std::move(code), std::move(message)));
}

void connection::respond(response res) {
  if (answered_ || closed_) return;
  answered_ = true;
  pending_.reset();

  add_cors_headers(res);
  res.version(version_);
  res.keep_alive(keep_alive_ && !close_after_);
  const auto status = res.result_int();
  // RFC 9110 8.6: no Content-Length in 204 or 1xx; for HEAD it is the length a GET would send.
  if (status != 204 && status >= 200) res.content_length(res.body().size);
  if (head_ || status == 204 || status == 304) res.body() = {};

  writing_ = std::make_shared<response>(std::move(res));
  const bool close = !writing_->keep_alive();
  stream_.expires_after(std::chrono::seconds(std::max(srv_->opts.idle_timeout_s, 30u)));
  bhttp::async_write(stream_, *writing_,
                     [self = shared_from_this(), close](beast::error_code ec, std::size_t) { self->on_write(ec, close); });
}

void connection::respond_async(std::uint64_t seq, response res) {
  asio::post(stream_.get_executor(), [self = shared_from_this(), seq, res = std::move(res)]() mutable {
    if (self->seq_ != seq) return;  // a later request is in progress: this answer is stale
    self->respond(std::move(res));
  });
}

void connection::on_write(beast::error_code ec, bool close) {
  writing_.reset();
  if (ec) return do_close();
  if (close_after_) return linger_close();
  if (close) return do_close();
  do_read();
}

void connection::linger_close() {
  // After an early error (413 while the client is still sending its body) closing at once would
  // make the kernel answer the unread bytes with RST, and the client could lose our response.
  // So: half-close, then discard input for a bounded time and amount before closing.
  beast::error_code ec;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  if (ec) return do_close();
  drain_read();
}

void connection::drain_read() {
  constexpr std::size_t drain_max = 1 << 20;
  if (closed_ || drained_ > drain_max) return do_close();
  if (!drain_buf_) drain_buf_ = std::make_unique<std::array<char, 4096>>();
  stream_.expires_after(std::chrono::seconds(2));
  stream_.async_read_some(asio::buffer(*drain_buf_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
    if (ec) return self->do_close();
    self->drained_ += n;
    self->drain_read();
  });
}

void connection::upgrade_to_chat(const request& req, std::string room_id) {
  if (closed_) return srv_->chat->release(remote_ip_);
  closed_ = true;  // from now on the socket belongs to the chat session
  answered_ = true;
  pending_.reset();
  chat::open_request info;
  info.room_id = std::move(room_id);
  info.origin = std::string(req[bhttp::field::origin]);
  info.connection_id = id_;
  info.ip = remote_ip_;
  beast::error_code ec;
  const auto ep = stream_.socket().remote_endpoint(ec);
  if (!ec) info.peer = (ep.address().is_v6() ? "[" + remote_ip_ + "]" : remote_ip_) + ":" + std::to_string(ep.port());
  const auto data = buffer_.data();
  std::string leftover(static_cast<const char*>(data.data()), data.size());
  buffer_ = {};
  auto hub = srv_->chat;
  srv_->forget(id_);
  hub->start_session(stream_.release_socket(), std::move(leftover), req, std::move(info));
}

void connection::do_close() {
  if (closed_) return;
  closed_ = true;
  if (auto p = std::move(pending_)) p->cancel();
  beast::error_code ec;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  stream_.close();
  srv_->forget(id_);
}

}  // namespace onair::net::http
