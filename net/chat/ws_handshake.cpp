#include "net/chat/ws_handshake.hpp"

#include <boost/beast/websocket/detail/hybi13.hpp>

namespace onair::net::chat {

namespace bhttp = boost::beast::http;

namespace {

std::string_view view(boost::beast::string_view s) { return {s.data(), s.size()}; }

/// 4.2.1 item 5: the key is base64 of 16 random bytes, i.e. 22 base64 characters and "==".
bool well_formed_key(std::string_view k) {
  if (k.size() != 24 || k.substr(22) != "==") return false;
  for (std::size_t i = 0; i < 22; ++i) {
    const char c = k[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'))
      return false;
  }
  return true;
}

ws_handshake_answer refuse(unsigned status, std::string_view reason, std::string_view body, bool version_header) {
  std::string r = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
                  "\r\nServer: onair\r\nContent-Type: text/plain\r\nAccess-Control-Allow-Origin: *\r\n"
                  "Connection: close\r\n";
  if (version_header) r += "Sec-WebSocket-Version: 13\r\n";
  r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  r += body;
  return {false, std::move(r)};
}

}  // namespace

std::string ws_accept_key(std::string_view key) {
  boost::beast::websocket::detail::sec_ws_accept_type out;
  boost::beast::websocket::detail::make_sec_ws_accept(out, boost::beast::string_view(key.data(), key.size()));
  return std::string(out.data(), out.size());
}

ws_handshake_answer answer_upgrade(const upgrade_request& req) {
  // 4.2.1 item 2: a Host header field.
  if (req.find(bhttp::field::host) == req.end()) return refuse(400, "Bad Request", "missing Host\n", false);
  const auto key = view(req[bhttp::field::sec_websocket_key]);
  if (!well_formed_key(key)) return refuse(400, "Bad Request", "missing or malformed Sec-WebSocket-Key\n", false);
  const auto version = view(req[bhttp::field::sec_websocket_version]);
  if (version.empty()) return refuse(400, "Bad Request", "missing Sec-WebSocket-Version\n", true);
  // 4.2.2 item 4 / 4.4: name the version we speak.
  if (version != "13") return refuse(426, "Upgrade Required", "unsupported Sec-WebSocket-Version\n", true);
  std::string r =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nServer: onair\r\n"
      "Sec-WebSocket-Accept: ";
  r += ws_accept_key(key);
  r += "\r\n\r\n";
  return {true, std::move(r)};
}

}  // namespace onair::net::chat
