#include "net/http/http_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <vector>

#include "net/http/connection.hpp"
#include "net/http/server_impl.hpp"
#include "net/http/static_routes.hpp"
#include "net/io_runtime_impl.hpp"

namespace onair::net::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

server::impl::impl(io_runtime& io_, server_options opts_, api::api_handler& api_, hls::index& index_,
                   hls::viewer_observer& viewers_)
    : io(io_), opts(opts_), api(api_), index(index_), viewers(viewers_), acceptor(asio::make_strand(io_.get().primary())) {
  if (!opts.web_root.empty()) web = std::make_shared<static_site>(opts.web_root);
}

const char* default_web_root() {
#ifdef ONAIR_DEFAULT_WEB_ROOT
  return ONAIR_DEFAULT_WEB_ROOT;
#else
  return "web/dist";
#endif
}

void server::impl::do_accept() {
  // Each context is run by one thread, so a connection needs no strand: its socket is bound to the
  // next context as is, and the chat session that may take it over writes on it without one.
  acceptor.async_accept(io.get().next(),
                        [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
                          if (self->stopped || !self->acceptor.is_open()) return;
                          if (!ec) {
                            std::shared_ptr<connection> c;
                            {
                              std::lock_guard lock(self->conns_mutex);
                              const auto id = self->next_conn_id++;
                              c = std::make_shared<connection>(std::move(socket), self, id);
                              self->conns.emplace(id, c);
                            }
                            c->start();
                          }
                          // No error stops the listener: out of descriptors, wait (accept_backoff);
                          // anything else (ECONNABORTED), accept again at once.
                          if (self->backoff.on_result(ec, [self] { self->do_accept(); })) return;
                          self->do_accept();
                        });
}

void server::impl::forget(std::uint64_t conn_id) {
  std::lock_guard lock(conns_mutex);
  conns.erase(conn_id);
}

server::server(io_runtime& io, server_options opts, api::api_handler& api, hls::index& index,
               hls::viewer_observer& viewers)
    : impl_(std::make_shared<impl>(io, opts, api, index, viewers)) {}

server::~server() { stop(); }

void server::set_chat(chat::chat_handler& handler, chat::ws_options opts) {
  impl_->chat = std::make_shared<chat::ws_hub>(handler, std::move(opts));
}

std::function<chat::ws_stats()> server::chat_stats_source() const {
  auto hub = impl_->chat;
  if (!hub) return [] { return chat::ws_stats{}; };
  return [hub] { return hub->stats(); };
}

void server::set_steering(std::shared_ptr<const hls::steering_table> table) { impl_->steering = std::move(table); }

std::error_code server::listen(const std::string& host, std::uint16_t port) {
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
  if (ec) return ec;
  const tcp::endpoint ep{addr, port};
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (ec) return ec;
  a.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return ec;
  a.bind(ep, ec);
  if (ec) return ec;
  a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return ec;
  impl_->bound_port = a.local_endpoint(ec).port();
  if (ec) return ec;
  // Start accepting on the acceptor's strand so stop() and the accept loop never race.
  asio::post(a.get_executor(), [self = impl_] { self->do_accept(); });
  return {};
}

std::uint16_t server::port() const { return impl_->bound_port; }

void server::stop() {
  if (impl_->stopped.exchange(true)) return;
  auto self = impl_;
  asio::post(self->acceptor.get_executor(), [self] {
    boost::system::error_code ec;
    self->backoff.cancel();
    self->acceptor.close(ec);
  });
  std::vector<std::shared_ptr<connection>> open;
  {
    std::lock_guard lock(self->conns_mutex);
    for (auto& [id, w] : self->conns)
      if (auto c = w.lock()) open.push_back(std::move(c));
  }
  for (auto& c : open) c->close();
  // RFC 6455 7.4.1: 1001 tells chat clients to reconnect (to another node).
  if (self->chat) self->chat->close_all(chat::close_code::going_away, "server shutting down");
}

}  // namespace onair::net::http
