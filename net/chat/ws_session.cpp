// One WebSocket chat connection: RFC 6455 framing done here (ws_frame.hpp), a bounded send queue
// drained by gathered writes, the join/idle/close deadlines. All state lives on the connection's io
// context, which one thread runs (io_runtime); only send()/close() are called from other threads.
//
// Why not Beast's websocket::stream: a broadcast frame must be encoded once and the same bytes written
// to every connection, several queued frames must leave in one writev, and an idle connection should
// cost little memory. The stream does a write operation per message and keeps per-connection buffers.
#include "net/chat/ws_session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <array>
#include <chrono>
#include <utility>
#include <vector>

#include "net/chat/fanout_member.hpp"
#include "net/chat/send_queue.hpp"
#include "net/chat/ws_frame.hpp"
#include "net/chat/ws_handshake.hpp"

namespace onair::net::chat {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

/// Frames gathered into one write at most (Asio hands at most 64 buffers to one sendmsg) and bytes.
constexpr std::size_t max_gather_frames = 64;
constexpr std::size_t max_gather_bytes = 256 * 1024;

asio::steady_timer::duration seconds(double s) {
  return std::chrono::duration_cast<asio::steady_timer::duration>(std::chrono::duration<double>(s));
}

asio::io_context& context_of(tcp::socket& s) {
  // Every socket of the node is bound to one of io_runtime's io_contexts (see http_server.cpp).
  return static_cast<asio::io_context&>(asio::query(s.get_executor(), asio::execution::context));
}

}  // namespace

class ws_session;

/// Per io_context: the sessions with something to write. Frames queued by the handlers that run
/// before the flush (several broadcast jobs, an ack) leave in one gathered write per session, so
/// under load there are fewer sendmsg calls than frames. Without a write delay nothing waits for a
/// timer; with one (ws_options::write_delay_s) the first session to become dirty arms a timer and
/// every session dirty by then is flushed when it fires.
class write_batcher final : public asio::execution_context::service {
 public:
  static asio::execution_context::id id;
  explicit write_batcher(asio::execution_context& ctx)
      : service(ctx), ctx_(static_cast<asio::io_context&>(ctx)), timer_(ctx_) {}

  void add(std::shared_ptr<ws_session> s, double delay_s) {
    dirty_.push_back(std::move(s));
    if (posted_) return;
    posted_ = true;
    if (delay_s <= 0) return asio::post(ctx_, [this] { run(); });
    timer_.expires_after(seconds(delay_s));
    timer_.async_wait([this](error_code ec) {
      if (!ec) run();
    });
  }

 private:
  void run();
  void shutdown() override {
    timer_.cancel();
    dirty_.clear();
    batch_.clear();
  }

  asio::io_context& ctx_;
  asio::steady_timer timer_;
  std::vector<std::shared_ptr<ws_session>> dirty_;
  std::vector<std::shared_ptr<ws_session>> batch_;
  bool posted_ = false;
};

asio::execution_context::id write_batcher::id;

class ws_session final : public fanout_member, public std::enable_shared_from_this<ws_session> {
 public:
  ws_session(std::shared_ptr<ws_hub> hub, tcp::socket socket, open_request info)
      : hub_(std::move(hub)),
        ctx_(context_of(socket)),
        socket_(std::move(socket)),
        timer_(ctx_),
        batcher_(asio::use_service<write_batcher>(ctx_)),
        queue_(hub_->options().send_queue_frames),
        parser_(hub_->options().max_frame_bytes),
        id_(info.connection_id),
        ip_(info.ip),
        info_(std::make_unique<open_request>(std::move(info))) {}

  ~ws_session() override {
    // Only reached without finish() when the io_context was torn down with our handlers queued:
    // the contract is still "on_close exactly once".
    if (!finished_) {
      if (handler_) handler_->on_close();
      hub_->release(ip_);
    }
  }

  void start(std::string leftover, const upgrade_request& req) {
    error_code ec;
    // Reads and the first write attempt are synchronous calls that must never block the io thread.
    socket_.non_blocking(true, ec);
    socket_.set_option(tcp::no_delay(true), ec);  // a chat frame should not wait for an ACK (Nagle)
    auto answer = answer_upgrade(req);
    if (!answer.accepted) {
      // A refused handshake: send the HTTP error, then close (no WebSocket frames ever).
      auto body = std::make_shared<std::string>(std::move(answer.response));
      asio::async_write(socket_, asio::buffer(*body), [self = shared_from_this(), body](error_code, std::size_t) {
        error_code ignored;
        self->socket_.shutdown(tcp::socket::shutdown_send, ignored);
        self->finish();
      });
      return;
    }
    hub_->add(id_, shared_from_this());
    // The 101 leaves first, as raw bytes, with whatever the handler queues right after it.
    queue_.push(media::make_shared_bytes({answer.response.begin(), answer.response.end()}), priority::normal);
    handler_ = hub_->handler().on_open(std::move(*info_), shared_from_this());
    info_.reset();
    if (!handler_) start_close(close_code::not_found, "no such room", false);
    else arm_timer(hub_->options().join_timeout_s);
    // Written now, before any pipelined input is parsed: an error there clears the queue, and the
    // 101 must be on its way by then.
    flush();
    // The client may have sent frames right behind its request (pipelined before our 101).
    if (!leftover.empty()) process_input({reinterpret_cast<const std::uint8_t*>(leftover.data()), leftover.size()});
    if (!finished_) wait_readable();
  }

  // --- session_sink, any thread ---

  bool send(media::shared_bytes frame, priority p) override {
    if (sink_closed_.load(std::memory_order_acquire) || !frame) return false;
    // Encoded here (on the caller's thread): a unicast frame is copied once, behind its header.
    auto wire = encode_ws_frame(ws_opcode::text, std::span<const std::uint8_t>(*frame));
    asio::post(ctx_, [self = shared_from_this(), wire = std::move(wire), p] { self->deliver(wire, p); });
    return true;
  }

  void close(std::uint16_t code, std::string reason) override {
    if (sink_closed_.exchange(true, std::memory_order_acq_rel)) return;
    asio::post(ctx_, [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
      self->start_close(code, std::move(reason), false);
    });
  }

  std::uint64_t dropped() const override { return dropped_.load(std::memory_order_relaxed); }
  std::size_t queued() const override { return queued_.load(std::memory_order_relaxed); }

  // --- fanout_member, on ctx_'s thread ---

  asio::io_context& context() override { return ctx_; }

  void deliver(const media::shared_bytes& wire, priority p) override {
    if (close_requested_ || finished_) return;
    const auto dropped_before = queue_.dropped();
    const auto r = queue_.push(wire, p);
    queued_.store(static_cast<std::uint32_t>(queue_.size()), std::memory_order_relaxed);
    if (const auto d = queue_.dropped() - dropped_before) {  // evicted or refused droppable frames
      dropped_.store(queue_.dropped(), std::memory_order_relaxed);
      hub_->dropped_total_.fetch_add(d, std::memory_order_relaxed);
    }
    switch (r) {
      case send_queue::push_result::queued:
        return schedule_flush();
      case send_queue::push_result::dropped:
        return;
      case send_queue::push_result::overflow:
        hub_->slow_total_.fetch_add(1, std::memory_order_relaxed);
        // What is queued will never reach this client in time; the close frame goes right after
        // the write in flight.
        return start_close(close_code::slow_consumer, "slow consumer", true);
    }
  }

  /// Called by write_batcher: writes what is queued, gathered, starting with a synchronous attempt
  /// (on loopback and on a healthy connection the kernel takes it all: no async operation at all).
  void flush() {
    dirty_ = false;
    for (int round = 0; round < 4; ++round) {
      if (writing_ || finished_ || !gather()) return;
      error_code ec;
      const auto n = socket_.write_some(iov_, ec);
      if (ec && ec != asio::error::would_block && ec != asio::error::try_again) return finish();
      const auto sent = ec ? 0 : n;
      if (sent == gathered_) {
        if (written()) return;
        continue;
      }
      // The kernel buffer is full: write the rest asynchronously; frames queued meanwhile go out
      // together in the next gathered write.
      skip_written(sent);
      writing_ = true;
      asio::async_write(socket_, iov_, [self = shared_from_this()](error_code e, std::size_t) {
        self->on_write(e);
      });
      return;
    }
    schedule_flush();  // a lot is queued: let the shard's other sessions write first
  }

 private:
  void schedule_flush() {
    if (dirty_ || writing_ || finished_) return;
    dirty_ = true;
    batcher_.add(shared_from_this(), hub_->options().write_delay_s);
  }

  /// Moves up to max_gather_* of what is waiting into inflight_/iov_: a pending control frame first
  /// (RFC 6455 5.4: control frames may go between messages), then queued frames, then our close frame
  /// once nothing else is left (5.5.1: it is the last frame we send). False when there is nothing.
  bool gather() {
    inflight_.clear();
    iov_.clear();
    gathered_ = 0;
    close_in_flight_ = false;
    const auto take = [this](media::shared_bytes f) {
      iov_.emplace_back(f->data(), f->size());
      gathered_ += f->size();
      inflight_.push_back(std::move(f));
    };
    if (control_) take(std::move(control_));
    while (!queue_.empty() && inflight_.size() < max_gather_frames && gathered_ < max_gather_bytes) take(queue_.pop());
    queued_.store(static_cast<std::uint32_t>(queue_.size()), std::memory_order_relaxed);
    if (queue_.empty() && close_requested_ && !close_sent_ && inflight_.size() < max_gather_frames) {
      take(encode_ws_close(close_code_, reason_));
      close_sent_ = true;
      close_in_flight_ = true;
    }
    return !inflight_.empty();
  }

  void skip_written(std::size_t n) {
    std::size_t i = 0;
    while (i < iov_.size() && n >= iov_[i].size()) n -= iov_[i++].size();
    iov_.erase(iov_.begin(), iov_.begin() + static_cast<std::ptrdiff_t>(i));
    if (n > 0) iov_.front() += n;
  }

  /// Everything gathered is written. True when the session is done writing for good.
  bool written() {
    inflight_.clear();
    iov_.clear();
    if (!close_in_flight_) return false;
    after_close_sent();
    return true;
  }

  void on_write(error_code ec) {
    writing_ = false;
    if (ec) {
      inflight_.clear();
      return finish();
    }
    if (written()) return;
    flush();
  }

  void after_close_sent() {
    // RFC 6455 7.1.1: once both close frames are exchanged, the server closes the TCP connection first.
    if (close_received_) return finish();
    if (parser_failed_) {
      // Failing the connection (7.1.7): no close frame can be parsed any more; half-close so the
      // peer sees EOF after our close frame, and read (discarding) until it closes too.
      error_code ignored;
      socket_.shutdown(tcp::socket::shutdown_send, ignored);
      draining_ = true;
    }
    // Otherwise wait for the peer's close frame; the close deadline bounds both waits.
  }

  // --- reading ---

  void wait_readable() {
    socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](error_code ec) { self->on_readable(ec); });
  }

  void on_readable(error_code ec) {
    if (finished_) return;
    if (ec) return finish();
    // One buffer per io thread, not per connection: an idle connection holds no read buffer.
    thread_local std::array<std::uint8_t, 16 * 1024> buf;
    for (int i = 0; i < 4; ++i) {
      error_code rec;
      const auto n = socket_.read_some(asio::buffer(buf), rec);
      if (rec == asio::error::would_block || rec == asio::error::try_again) break;
      if (rec) return finish();  // EOF or reset: the peer is gone
      active_ = true;
      if (!draining_) process_input({buf.data(), n});
      if (finished_) return;
      if (n < buf.size()) break;
    }
    parser_.shrink();  // a 4 KB message grows the buffer; an idle session should not keep it
    wait_readable();
  }

  void process_input(std::span<const std::uint8_t> in) {
    while (!in.empty() && !finished_ && !parser_failed_) {
      const auto e = parser_.feed(in);
      in = in.subspan(e.consumed);
      switch (e.what) {
        case ws_event::kind::need_more:
          return;
        case ws_event::kind::message:
          // 5.5.1: after our close frame, data from the peer is ignored.
          if (!close_requested_ && handler_) handle_message(e.text, e.payload);
          break;
        case ws_event::kind::ping:
          // 5.5.3: a pong answers the most recent ping; an unanswered earlier one may be skipped.
          if (!close_sent_) {
            control_ = encode_ws_frame(ws_opcode::pong, e.payload);
            schedule_flush();
          }
          break;
        case ws_event::kind::pong:
          break;  // it was activity; active_ is set already
        case ws_event::kind::close:
          close_received_ = true;
          if (close_sent_) return finish();  // the reply to our close: handshake done (7.1.1)
          // 5.5.1: answer with a close frame echoing the code, after nothing else.
          queue_.clear();
          queued_.store(0, std::memory_order_relaxed);
          if (close_requested_) return schedule_flush();  // ours is already waiting to go
          return start_close(e.code == 1005 ? 0 : e.code, "", true);
        case ws_event::kind::error:
          // 7.1.7: fail the connection with 1002 (protocol), 1007 (not UTF-8) or 1009 (too big).
          parser_failed_ = true;
          queue_.clear();
          queued_.store(0, std::memory_order_relaxed);
          if (close_requested_) return schedule_flush();
          return start_close(e.code, std::string(e.payload), true);
      }
    }
  }

  void handle_message(bool text, std::string_view payload) {
    if (!text) return send_error("invalid_frame", "binary frames are not supported");
    auto parsed = parse_client_frame(payload);
    if (auto* err = std::get_if<frame_error>(&parsed)) return send_error(err->code, err->message);
    auto& frame = std::get<client_frame>(parsed);
    const bool is_join = std::holds_alternative<join_frame>(frame);
    if (!joined_ && !is_join) return send_error("join_required", "the first frame must be a join frame");
    if (joined_ && is_join) return send_error("already_joined", "this connection has already joined");
    if (is_join) {
      joined_ = true;
      arm_timer(hub_->options().idle_timeout_s / 2);  // from the join deadline to keep-alive
    }
    handler_->on_frame(std::move(frame));
  }

  void send_error(const std::string& code, const std::string& message) {
    deliver(encode_ws_frame(ws_opcode::text, render_error(code, message)), priority::normal);
  }

  // --- closing and deadlines ---

  void start_close(std::uint16_t code, std::string reason, bool discard_queue) {
    sink_closed_.store(true, std::memory_order_release);
    if (close_requested_ || finished_) return;
    close_requested_ = true;
    close_code_ = code;
    reason_ = std::move(reason);  // encode_ws_close cuts it to fit 5.5's 125 bytes
    if (discard_queue) {
      queue_.clear();
      queued_.store(0, std::memory_order_relaxed);
    }
    arm_timer(hub_->options().close_timeout_s);
    schedule_flush();
  }

  /// One timer per connection: the join deadline until the join, then the keep-alive tick, and the
  /// close deadline once a close is under way. Re-armed rarely (never per frame).
  void arm_timer(double secs) {
    const auto gen = ++timer_gen_;
    timer_.expires_after(seconds(secs));
    timer_.async_wait([self = shared_from_this(), gen](error_code ec) {
      if (ec || gen != self->timer_gen_ || self->finished_) return;
      self->on_timer();
    });
  }

  void on_timer() {
    if (close_requested_) return finish();  // close frame stuck behind a write, or no reply to it
    if (!joined_) return start_close(close_code::join_timeout, "join timeout", false);
    // Keep-alive, as Beast's timeout::suggested(server): a tick every half idle timeout. Silent for a
    // tick: ping (RFC 6455 5.5.2; browsers answer on their own). Silent for the next one too: drop.
    if (active_) {
      active_ = false;
      ping_sent_ = false;
    } else if (!ping_sent_) {
      ping_sent_ = true;
      if (!control_) control_ = encode_ws_frame(ws_opcode::ping, std::string_view{});
      schedule_flush();
    } else {
      return finish();
    }
    arm_timer(hub_->options().idle_timeout_s / 2);
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    sink_closed_.store(true, std::memory_order_release);
    ++timer_gen_;
    timer_.cancel();
    queue_.clear();
    queued_.store(0, std::memory_order_relaxed);
    control_.reset();
    if (!writing_) inflight_.clear();  // an aborted write still owns its buffers until its handler
    error_code ignored;
    socket_.close(ignored);
    hub_->remove(id_);
    // The slot comes back now, not when the last sink reference (held by actors/) goes away.
    hub_->release(ip_);
    if (handler_) handler_->on_close();
  }

  std::shared_ptr<ws_hub> hub_;
  asio::io_context& ctx_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  write_batcher& batcher_;
  send_queue queue_;
  ws_frame_parser parser_;
  std::vector<media::shared_bytes> inflight_;  ///< frames of the write in progress (kept alive)
  std::vector<asio::const_buffer> iov_;        ///< their buffers, for one gathered write
  media::shared_bytes control_;                ///< a pong or ping to send before the next frames
  std::shared_ptr<session_handler> handler_;
  std::uint64_t id_;
  std::string ip_;  ///< the peer address: its per-address slot is given back on finish
  std::unique_ptr<open_request> info_;  // only until on_open
  std::string reason_;
  std::size_t gathered_ = 0;
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint32_t> queued_{0};
  std::atomic<bool> sink_closed_{false};
  std::uint32_t timer_gen_ = 0;
  std::uint16_t close_code_ = 0;
  bool joined_ = false;
  bool dirty_ = false;            ///< in the batcher's list
  bool writing_ = false;          ///< an async write is in flight
  bool close_requested_ = false;  ///< our close frame is queued (or sent)
  bool close_sent_ = false;       ///< our close frame was gathered for writing
  bool close_in_flight_ = false;  ///< ... in the current gathered write
  bool close_received_ = false;   ///< the peer's close frame arrived
  bool parser_failed_ = false;    ///< a protocol error: no more input is parsed
  bool draining_ = false;         ///< input is discarded until EOF
  bool active_ = true;            ///< something was read since the last keep-alive tick (the request was)
  bool ping_sent_ = false;
  bool finished_ = false;
};

void write_batcher::run() {
  posted_ = false;
  batch_.swap(dirty_);
  for (auto& s : batch_) s->flush();
  batch_.clear();
}

ws_hub::ws_hub(chat_handler& handler, ws_options opts) : handler_(handler), opts_(std::move(opts)) {}

bool ws_hub::origin_allowed(std::string_view origin) const {
  if (opts_.origin_allow_list.empty()) return true;
  for (const auto& o : opts_.origin_allow_list)
    if (o == origin) return true;
  return false;
}

ws_hub::reserve_result ws_hub::try_reserve(const std::string& ip) {
  auto n = open_.load(std::memory_order_relaxed);
  do {
    if (n >= opts_.max_connections) {
      refused_node_full_.fetch_add(1, std::memory_order_relaxed);
      return reserve_result::node_full;
    }
  } while (!open_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
  if (opts_.max_connections_per_ip == 0) return reserve_result::ok;
  std::lock_guard lock(per_ip_mutex_);
  auto& mine = per_ip_[ip];
  if (mine < opts_.max_connections_per_ip) {
    ++mine;
    return reserve_result::ok;
  }
  open_.fetch_sub(1, std::memory_order_relaxed);
  refused_address_full_.fetch_add(1, std::memory_order_relaxed);
  return reserve_result::address_full;
}

ws_stats ws_hub::stats() const {
  ws_stats s;
  s.open = open_.load(std::memory_order_relaxed);
  s.dropped_frames = dropped_total_.load(std::memory_order_relaxed);
  s.slow_consumer_closes = slow_total_.load(std::memory_order_relaxed);
  s.refused_node_full = refused_node_full_.load(std::memory_order_relaxed);
  s.refused_address_full = refused_address_full_.load(std::memory_order_relaxed);
  return s;
}

void ws_hub::release(const std::string& ip) {
  open_.fetch_sub(1, std::memory_order_relaxed);
  if (opts_.max_connections_per_ip == 0) return;
  std::lock_guard lock(per_ip_mutex_);
  auto it = per_ip_.find(ip);
  if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);  // the map holds busy addresses only
}

void ws_hub::start_session(asio::ip::tcp::socket socket, std::string leftover, const upgrade_request& req,
                           open_request info) {
  auto s = std::make_shared<ws_session>(shared_from_this(), std::move(socket), std::move(info));
  s->start(std::move(leftover), req);
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
