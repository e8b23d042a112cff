#include "net/rtmp/rtmp_server.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <mutex>
#include <unordered_map>

#include "net/accept_backoff.hpp"
#include "net/io_runtime_impl.hpp"
#include "net/rtmp/session.hpp"

namespace onair::net::rtmp {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
class connection;
}

struct server::impl : std::enable_shared_from_this<server::impl> {
  impl(io_runtime& io, server_options o, publish_handler& h)
      : io(io.get()), opts(o), handler(h), acceptor(asio::make_strand(io.get().primary())) {}

  void do_accept();
  void add(std::uint64_t id, const std::shared_ptr<connection>& c);
  void remove(std::uint64_t id);

  io_runtime::impl& io;  // accepted sockets go to its contexts round-robin
  server_options opts;
  publish_handler& handler;
  tcp::acceptor acceptor;  // its executor is a strand: accept and close never race
  accept_backoff backoff{acceptor.get_executor(), "rtmp"};  ///< on that strand too
  std::atomic<std::uint16_t> port{0};
  std::atomic<std::uint64_t> next_id{1};
  std::atomic<bool> stopped{false};
  std::mutex mu;
  std::unordered_map<std::uint64_t, std::weak_ptr<connection>> connections;
};

namespace {

/// A timeout of 0 seconds means "never" (a year is never for a TCP connection).
std::chrono::steady_clock::duration timeout(unsigned seconds) {
  return seconds == 0 ? std::chrono::steady_clock::duration(std::chrono::hours(24 * 365))
                      : std::chrono::steady_clock::duration(std::chrono::seconds(seconds));
}

/// One TCP connection: owns the socket, the session and one reusable read buffer. Everything runs
/// on the socket's strand (DESIGN.md section 3).
class connection final : public std::enable_shared_from_this<connection>, public session_host {
 public:
  connection(std::shared_ptr<server::impl> srv, tcp::socket socket, std::uint64_t id, std::string peer)
      : srv_(std::move(srv)),
        socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        id_(id),
        peer_(std::move(peer)),
        session_(session_options{srv_->opts.max_message_size, srv_->opts.out_chunk_size, srv_->opts.window_ack_size},
                 *this, id, peer_) {}

  ~connection() override { srv_->remove(id_); }

  void start() {
    spdlog::info("rtmp conn={} peer={} accepted", id_, peer_);
    deadline_ = std::chrono::steady_clock::now() + timeout(srv_->opts.handshake_timeout_s);
    arm_timer();
    do_read();
  }

  /// Thread-safe: closes on the strand.
  void close_async(const char* why) {
    asio::post(socket_.get_executor(), [self = shared_from_this(), why] { self->close(why); });
  }

  // session_host
  void on_publish_request(const std::string& app, const std::string& stream_key) override {
    publish_request req;
    req.connection_id = id_;
    req.app = app;
    req.stream_key = stream_key;
    req.peer = peer_;
    std::weak_ptr<connection> weak = shared_from_this();
    req.kick = [weak] {
      if (auto c = weak.lock()) c->close_async("kicked");
    };
    auto ex = socket_.get_executor();
    // The reply may come from any thread, exactly once: hop back onto the strand.
    srv_->handler.on_publish(std::move(req), [self = shared_from_this(), ex](publish_decision d) {
      asio::post(ex, [self, d = std::move(d)]() mutable {
        self->session_.on_publish_decision(std::move(d));
        self->after_session();
      });
    });
  }

 private:
  void do_read() {
    socket_.async_read_some(asio::buffer(read_buf_),
                            [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                              self->on_read(ec, n);
                            });
  }

  void on_read(boost::system::error_code ec, std::size_t n) {
    if (closed_) return;
    if (ec) {
      close(ec == asio::error::eof ? "peer closed" : "read error");
      return;
    }
    session_.feed(std::span<const std::uint8_t>(read_buf_.data(), n));
    if (session_.handshake_done())
      deadline_ = std::chrono::steady_clock::now() + timeout(srv_->opts.idle_timeout_s);
    after_session();
    if (!closed_ && !session_.wants_close()) do_read();
  }

  /// Sends what the session produced; closes once a closing session's output is flushed.
  void after_session() {
    if (closed_) return;
    flush();
    if (session_.wants_close() && !writing_) close("session closed");
  }

  void flush() {
    if (writing_ || session_.output().empty() || closed_) return;
    write_buf_.clear();
    std::swap(write_buf_, session_.output());
    writing_ = true;
    asio::async_write(socket_, asio::buffer(write_buf_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        self->writing_ = false;
                        if (ec) {
                          self->close("write error");
                          return;
                        }
                        self->after_session();
                      });
  }

  void arm_timer() {
    timer_.expires_at(deadline_);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->closed_) return;
      if (std::chrono::steady_clock::now() >= self->deadline_) {
        self->close(self->session_.handshake_done() ? "idle timeout" : "handshake timeout");
        return;
      }
      self->arm_timer();
    });
  }

  void close(const char* why) {
    if (closed_) return;
    closed_ = true;
    spdlog::info("rtmp conn={} peer={} closed: {}", id_, peer_, why);
    session_.close();  // ends the sink (exactly once)
    boost::system::error_code ignored;
    timer_.cancel(ignored);
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  std::shared_ptr<server::impl> srv_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  std::uint64_t id_;
  std::string peer_;
  session session_;
  std::array<std::uint8_t, 64 * 1024> read_buf_{};  // the one reusable read buffer
  std::vector<std::uint8_t> write_buf_;
  bool writing_ = false;
  bool closed_ = false;
  std::chrono::steady_clock::time_point deadline_;
};

std::string peer_of(const tcp::socket& s) {
  boost::system::error_code ec;
  const auto ep = s.remote_endpoint(ec);
  if (ec) return "?";
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

}  // namespace

void server::impl::do_accept() {
  acceptor.async_accept(asio::make_strand(io.next()), [self = shared_from_this()](boost::system::error_code ec,
                                                                            tcp::socket socket) {
    if (ec == asio::error::operation_aborted || self->stopped) return;
    // Out of descriptors: wait before the next accept (accept_backoff), or this loop spins.
    if (self->backoff.on_result(ec, [self] { self->do_accept(); })) return;
    if (ec) {
      spdlog::warn("rtmp accept error: {}", ec.message());
    } else {
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      const auto id = self->next_id++;
      auto peer = peer_of(socket);
      auto c = std::make_shared<connection>(self, std::move(socket), id, std::move(peer));
      self->add(id, c);
      c->start();
    }
    self->do_accept();
  });
}

void server::impl::add(std::uint64_t id, const std::shared_ptr<connection>& c) {
  std::lock_guard lock(mu);
  connections[id] = c;
}

void server::impl::remove(std::uint64_t id) {
  std::lock_guard lock(mu);
  connections.erase(id);
}

server::server(io_runtime& io, server_options opts, publish_handler& handler)
    : impl_(std::make_shared<impl>(io, opts, handler)) {}

server::~server() { stop(); }

std::error_code server::listen(const std::string& host, std::uint16_t port) {
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
  if (ec) return ec;
  const tcp::endpoint ep(addr, port);
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    a.close(ec);
    return ec;
  }
  impl_->port = a.local_endpoint(ec).port();
  spdlog::info("rtmp listening on {}:{}", host, impl_->port.load());
  asio::post(a.get_executor(), [self = impl_] { self->do_accept(); });
  return {};
}

std::uint16_t server::port() const { return impl_->port; }

void server::stop() {
  if (impl_->stopped.exchange(true)) return;
  asio::post(impl_->acceptor.get_executor(), [self = impl_] {
    boost::system::error_code ignored;
    self->backoff.cancel();
    self->acceptor.close(ignored);
  });
  std::vector<std::shared_ptr<connection>> live;
  {
    std::lock_guard lock(impl_->mu);
    for (auto& [id, weak] : impl_->connections)
      if (auto c = weak.lock()) live.push_back(std::move(c));
  }
  for (auto& c : live) c->close_async("server stopping");
}

}  // namespace onair::net::rtmp
