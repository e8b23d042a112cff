#include "net/http/client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>

namespace onair::net::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

std::string fetch(const client_request& req, client_response& out) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  asio::ip::tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(req.host, std::to_string(req.port), ec);
  if (ec) return "cannot resolve " + req.host + ": " + ec.message();
  std::string error;
  stream.expires_after(req.timeout);  // one deadline for connect, write and read together
  bhttp::request<bhttp::string_body> r{bhttp::string_to_verb(req.method), req.target, 11};
  r.set(bhttp::field::host, req.host + ":" + std::to_string(req.port));
  r.set(bhttp::field::user_agent, "onair-cli");
  if (!req.bearer_token.empty()) r.set(bhttp::field::authorization, "Bearer " + req.bearer_token);
  if (!req.body.empty()) r.set(bhttp::field::content_type, "application/json");
  r.body() = req.body;
  r.prepare_payload();
  beast::flat_buffer buf;
  bhttp::response<bhttp::string_body> res;
  // The async API with a stream deadline is Beast's way to bound a blocking exchange in time.
  stream.async_connect(endpoints, [&](beast::error_code e, const auto&) {
    if (e) return (void)(error = "cannot connect to " + req.host + ":" + std::to_string(req.port) + ": " + e.message());
    bhttp::async_write(stream, r, [&](beast::error_code e, std::size_t) {
      if (e) return (void)(error = "cannot send the request: " + e.message());
      bhttp::async_read(stream, buf, res, [&](beast::error_code e, std::size_t) {
        if (e) error = "no answer: " + e.message();
      });
    });
  });
  io.run();
  if (!error.empty()) return error;
  out.status = static_cast<int>(res.result_int());
  out.body = std::move(res.body());
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  return {};
}

bool parse_base_url(const std::string& url, std::string& host, std::uint16_t& port) {
  constexpr std::string_view scheme = "http://";
  std::string_view rest(url);
  if (rest.substr(0, scheme.size()) != scheme) return false;
  rest.remove_prefix(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty() || rest.find('/') != std::string_view::npos) return false;
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos) {
    host = std::string(rest);
    port = 80;
    return true;
  }
  host = std::string(rest.substr(0, colon));
  const auto p = rest.substr(colon + 1);
  unsigned v = 0;
  auto [end, err] = std::from_chars(p.data(), p.data() + p.size(), v);
  if (host.empty() || err != std::errc{} || end != p.data() + p.size() || v == 0 || v > 65535) return false;
  port = static_cast<std::uint16_t>(v);
  return true;
}

}  // namespace onair::net::http
