#pragma once
/// The server side of the WebSocket opening handshake (RFC 6455 4.2), without I/O: the HTTP layer has
/// parsed the request and checked that it asks for an upgrade; this checks the rest and renders the
/// bytes to send back.
#include <string>
#include <string_view>

#include "net/chat/ws_session.hpp"

namespace onair::net::chat {

struct ws_handshake_answer {
  bool accepted = false;  ///< true: `response` is the 101; false: a refusal, close after sending it
  std::string response;   ///< the raw HTTP response
};

/// RFC 6455 4.2.2 step 5.4: base64(SHA-1(key + the GUID of 1.3)).
std::string ws_accept_key(std::string_view key);

/// Answers an upgrade request that net/http already found to be a GET with `Upgrade: websocket` and
/// `Connection: upgrade`: 101 with Sec-WebSocket-Accept, or 400 (no Host, no or malformed
/// Sec-WebSocket-Key, no Sec-WebSocket-Version) or 426 with `Sec-WebSocket-Version: 13` (another
/// version, 4.2.2 / 4.4). No subprotocol and no extension is ever selected.
ws_handshake_answer answer_upgrade(const upgrade_request& req);

}  // namespace onair::net::chat
