// One WebSocket chat connection: Beast websocket stream, bounded send queue, join deadline.
// All state below lives on the socket's strand; only send()/close() are called from other threads.
#include "net/chat/ws_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <sstream>
#include <utility>

#include "net/chat/send_queue.hpp"

namespace onair::net::chat {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

class ws_session final : public ws_sink, public std::enable_shared_from_this<ws_session> {
 public:
  ws_session(std::shared_ptr<ws_hub> hub, asio::ip::tcp::socket socket, open_request info)
      : hub_(std::move(hub)),
        ws_(std::move(socket)),
        timer_(ws_.get_executor()),
        queue_(hub_->options().send_queue_frames),
        id_(info.connection_id),
        info_(std::make_unique<open_request>(std::move(info))) {}

  ~ws_session() override {
    // Only reached without finish() when the io_context was torn down with our handlers queued:
    // the contract is still "on_close exactly once".
    if (!finished_) {
      if (handler_) handler_->on_close();
      hub_->release();
    }
  }

  void run(std::string leftover, const upgrade_request& req) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "onair"); }));
    ws_.read_message_max(hub_->options().max_frame_bytes);  // larger → Beast closes with 1009
    ws_.auto_fragment(false);  // one frame per message, written straight from the shared buffer
    ws_.text(true);            // every server frame is JSON text
    hub_->add(id_, shared_from_this());
    auto done = [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); };
    if (leftover.empty()) return ws_.async_accept(req, std::move(done));
    // The client sent bytes right behind its request (frames pipelined before our 101). Beast can
    // only pick those up through the overload that parses the request from a buffer, so hand it the
    // request again followed by the leftover; it copies the buffer before returning.
    std::ostringstream raw;
    raw << req;
    auto bytes = raw.str() + leftover;
    ws_.async_accept(asio::buffer(bytes), std::move(done));
  }

  bool send(media::shared_bytes frame, priority p) override {
    if (sink_closed_.load(std::memory_order_acquire) || !frame) return false;
    asio::post(ws_.get_executor(), [self = shared_from_this(), frame = std::move(frame), p]() mutable {
      self->enqueue(std::move(frame), p);
    });
    return true;
  }

  void close(std::uint16_t code, std::string reason) override {
    if (sink_closed_.exchange(true, std::memory_order_acq_rel)) return;
    asio::post(ws_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
      self->start_close(code, std::move(reason), false);
    });
  }

  std::uint64_t dropped() const override { return dropped_.load(std::memory_order_relaxed); }
  std::size_t queued() const override { return queued_.load(std::memory_order_relaxed); }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return finish();  // not a valid handshake (Beast answered it with 400) or the peer left
    accepted_ = true;
    // Closed (server stop) while the handshake ran: send the close frame, never open a session.
    if (!close_requested_) {
      handler_ = hub_->handler().on_open(std::move(*info_), shared_from_this());
      if (!handler_) start_close(close_code::not_found, "no such room", false);
    }
    info_.reset();
    if (!close_requested_) arm_timer(hub_->options().join_timeout_s);
    maybe_write();  // frames the handler queued from on_open
    do_read();
  }

  void do_read() {
    ws_.async_read(rd_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) return finish();  // peer close, 1009/1007 sent by Beast, timeout, reset
    if (!close_requested_ && handler_) handle_frame();
    rd_.consume(rd_.size());
    // A 4 KB message grows the buffer; an idle session should not keep it (memory per connection).
    if (rd_.capacity() > 512) rd_.shrink_to_fit();
    do_read();
  }

  void handle_frame() {
    if (!ws_.got_text()) return send_error("invalid_frame", "binary frames are not supported");
    const auto data = rd_.data();
    auto parsed = parse_client_frame(std::string_view(static_cast<const char*>(data.data()), data.size()));
    if (auto* err = std::get_if<frame_error>(&parsed)) return send_error(err->code, err->message);
    auto& frame = std::get<client_frame>(parsed);
    const bool is_join = std::holds_alternative<join_frame>(frame);
    if (!joined_ && !is_join) return send_error("join_required", "the first frame must be a join frame");
    if (joined_ && is_join) return send_error("already_joined", "this connection has already joined");
    if (is_join) {
      joined_ = true;
      ++timer_gen_;
      timer_.cancel();
    }
    handler_->on_frame(std::move(frame));
  }

  void send_error(const std::string& code, const std::string& message) {
    auto bytes = render_error(code, message);
    enqueue(media::make_shared_bytes(std::vector<std::uint8_t>(bytes.begin(), bytes.end())), priority::normal);
  }

  void enqueue(media::shared_bytes frame, priority p) {
    if (close_requested_ || finished_) return;
    const auto dropped_before = queue_.dropped();
    const auto r = queue_.push(std::move(frame), p);
    queued_.store(static_cast<std::uint32_t>(queue_.size()), std::memory_order_relaxed);
    if (const auto d = queue_.dropped() - dropped_before) {  // evicted or refused droppable frames
      dropped_.store(queue_.dropped(), std::memory_order_relaxed);
      hub_->dropped_total_.fetch_add(d, std::memory_order_relaxed);
    }
    switch (r) {
      case send_queue::push_result::queued:
        return maybe_write();
      case send_queue::push_result::dropped:
        return;
      case send_queue::push_result::overflow:
        hub_->slow_total_.fetch_add(1, std::memory_order_relaxed);
        // What is queued will never reach this client in time; the close frame goes right after
        // the write in flight.
        return start_close(close_code::slow_consumer, "slow consumer", true);
    }
  }

  void maybe_write() {
    if (writing_ || !accepted_ || finished_) return;
    if (!queue_.empty()) {
      writing_ = queue_.pop();
      queued_.store(static_cast<std::uint32_t>(queue_.size()), std::memory_order_relaxed);
      // The shared buffer is written as is (never copied per session); writing_ keeps it alive.
      ws_.async_write(asio::buffer(writing_->data(), writing_->size()),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
      return;
    }
    if (close_requested_ && !close_sent_) {
      close_sent_ = true;
      // RFC 6455 5.5.1: the close frame is the last frame we send; the read loop ends when the
      // peer's close frame comes back (or the deadline timer drops the socket).
      websocket::close_reason cr(close_code_);
      cr.reason = reason_;
      ws_.async_close(cr, [self = shared_from_this()](beast::error_code ec) {
        if (ec) self->drop_socket();
      });
    }
  }

  void on_write(beast::error_code ec) {
    writing_.reset();
    if (ec) return drop_socket();  // the read side reports the end and calls finish()
    maybe_write();
  }

  void start_close(std::uint16_t code, std::string reason, bool discard_queue) {
    sink_closed_.store(true, std::memory_order_release);
    if (close_requested_ || finished_) return;
    close_requested_ = true;
    close_code_ = code;
    // RFC 6455 5.5: a control frame payload is at most 125 bytes, 2 of them the code.
    if (reason.size() > 123) reason.resize(123);
    reason_ = std::move(reason);
    if (discard_queue) {
      queue_.clear();
      queued_.store(0, std::memory_order_relaxed);
    }
    arm_timer(hub_->options().close_timeout_s);
    maybe_write();
  }

  /// One timer: the join deadline until the join frame, then the close deadline.
  void arm_timer(double seconds) {
    const auto gen = ++timer_gen_;
    timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(seconds)));
    timer_.async_wait([self = shared_from_this(), gen](beast::error_code ec) {
      if (ec || gen != self->timer_gen_ || self->finished_) return;
      if (self->close_requested_) return self->drop_socket();  // close frame stuck behind a write
      if (!self->joined_) self->start_close(close_code::join_timeout, "join timeout", false);
    });
  }

  void drop_socket() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    sink_closed_.store(true, std::memory_order_release);
    ++timer_gen_;
    timer_.cancel();
    queue_.clear();
    queued_.store(0, std::memory_order_relaxed);
    drop_socket();
    hub_->remove(id_);
    // The slot comes back now, not when the last sink reference (held by actors/) goes away.
    hub_->release();
    if (handler_) handler_->on_close();
  }

  std::shared_ptr<ws_hub> hub_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer rd_;  // empty until the first message; shrunk back after large ones
  asio::steady_timer timer_;
  send_queue queue_;
  media::shared_bytes writing_;
  std::shared_ptr<session_handler> handler_;
  std::uint64_t id_;
  std::unique_ptr<open_request> info_;  // only until on_open
  std::string reason_;
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint32_t> queued_{0};
  std::atomic<bool> sink_closed_{false};
  std::uint32_t timer_gen_ = 0;
  std::uint16_t close_code_ = 0;
  bool accepted_ = false;
  bool joined_ = false;
  bool close_requested_ = false;
  bool close_sent_ = false;
  bool finished_ = false;
};

ws_hub::ws_hub(chat_handler& handler, ws_options opts) : handler_(handler), opts_(std::move(opts)) {}

bool ws_hub::origin_allowed(std::string_view origin) const {
  if (opts_.origin_allow_list.empty()) return true;
  for (const auto& o : opts_.origin_allow_list)
    if (o == origin) return true;
  return false;
}

bool ws_hub::try_reserve() {
  auto n = open_.load(std::memory_order_relaxed);
  do {
    if (n >= opts_.max_connections) return false;
  } while (!open_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
  return true;
}

void ws_hub::release() { open_.fetch_sub(1, std::memory_order_relaxed); }

void ws_hub::start_session(asio::ip::tcp::socket socket, std::string leftover, const upgrade_request& req,
                           open_request info) {
  auto s = std::make_shared<ws_session>(shared_from_this(), std::move(socket), std::move(info));
  s->run(std::move(leftover), req);
}

void ws_hub::close_all(std::uint16_t code, const std::string& reason) {
  std::vector<std::shared_ptr<ws_session>> open;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, w] : sessions_)
      if (auto s = w.lock()) open.push_back(std::move(s));
  }
  for (auto& s : open) s->close(code, reason);
}

void ws_hub::add(std::uint64_t id, const std::shared_ptr<ws_session>& s) {
  std::lock_guard lock(mutex_);
  sessions_.emplace(id, s);
}

void ws_hub::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(id);
}

}  // namespace onair::net::chat
