#pragma once
/// RFC 6455 section 5 framing: opcodes, the sans-IO parser of client frames (ws_frame_parser.cpp) and
/// the encoder of server frames (ws_frame.cpp). No sockets here.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "media/bytes.hpp"

namespace onair::net::chat {

/// RFC 6455 5.2 opcodes (11.8 registry).
enum class ws_opcode : std::uint8_t { continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA };

/// RFC 6455 5.5: control frame payloads are at most 125 bytes.
inline constexpr std::size_t ws_max_control_payload = 125;

/// Encodes one unmasked, unfragmented server frame (RFC 6455 5.1: a server never masks) into a new
/// buffer: header then `payload`. A broadcast is encoded once and the same buffer is written to every
/// connection.
media::shared_bytes encode_ws_frame(ws_opcode op, std::span<const std::uint8_t> payload);
inline media::shared_bytes encode_ws_frame(ws_opcode op, std::string_view payload) {
  return encode_ws_frame(op, std::span(reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()));
}
/// A close frame (RFC 6455 5.5.1): `code` in network order, then `reason` cut to fit in 125 bytes.
/// code 0 sends an empty body (no status).
media::shared_bytes encode_ws_close(std::uint16_t code, std::string_view reason);

/// RFC 6455 7.4.1/7.4.2: may `code` appear in a close frame on the wire? (1005, 1006, 1015 and the
/// unassigned 1016-2999 may not.)
bool valid_close_code(std::uint16_t code);

/// Strict UTF-8 (RFC 3629 section 4: no overlong forms, no surrogates, nothing above U+10FFFF), as
/// RFC 6455 8.1 requires of text messages and close reasons.
bool valid_utf8(std::string_view s);

/// What one ws_frame_parser::feed() call produced.
struct ws_event {
  enum class kind : std::uint8_t {
    need_more,  ///< every input byte consumed; no complete message or control frame yet
    message,    ///< a complete data message (fragments joined): `text`, `payload`
    ping,       ///< `payload` (0-125 bytes), to be echoed in a pong (RFC 6455 5.5.2)
    pong,       ///< `payload`
    close,      ///< the peer's close frame: `code` (1005 when it carried none, RFC 6455 7.1.5), `payload` = reason
    error,      ///< the connection must be failed with close `code` (1002, 1007, 1009); `payload` says why
  };
  kind what = kind::need_more;
  std::size_t consumed = 0;  ///< input bytes used; feed the rest again
  bool text = false;         ///< message: opcode text (else binary)
  std::uint16_t code = 0;    ///< close / error
  std::string_view payload;  ///< valid until the next feed()
};

/// Push parser of client-to-server frames (RFC 6455 5.2-5.5). Feed it bytes as they arrive, split
/// anywhere; each call returns at the first complete message or control frame, or when the input is
/// used up. After an `error` the parser stays failed (every later call returns the same error).
///
/// Limits: a data message (all fragments) larger than `max_message` bytes fails with 1009 as soon as
/// a frame header announces it, before its payload is read (RFC 6455 7.4.1 "too big").
class ws_frame_parser {
 public:
  explicit ws_frame_parser(std::size_t max_message) : max_message_(max_message) {}

  ws_event feed(std::span<const std::uint8_t> in);

  /// True between frames of a fragmented message or inside a frame (more bytes are expected).
  bool mid_message() const { return state_ != state::header || hdr_len_ > 0 || in_message_; }
  /// Frees the message buffer if a large message left it big (idle connections stay small). Call
  /// only when done with the payload of the last event.
  void shrink();

 private:
  enum class state : std::uint8_t { header, payload, failed };
  ws_event fail(std::uint16_t code, std::string_view why);
  ws_event on_prefix();   // first two header bytes
  ws_event on_header();   // the whole header
  ws_event on_frame_end(std::size_t consumed);

  std::size_t max_message_;
  std::string message_;  ///< the data message being assembled (unmasked)
  std::array<std::uint8_t, ws_max_control_payload> control_{};  ///< a control frame's payload (may interleave fragments, 5.4)
  std::array<std::uint8_t, 14> hdr_{};  ///< 2 + up to 8 length + 4 mask bytes
  std::uint64_t length_ = 0;    ///< payload length of the current frame
  std::uint64_t received_ = 0;  ///< payload bytes of the current frame seen so far
  std::string_view error_;
  std::uint16_t error_code_ = 0;
  std::uint8_t hdr_len_ = 0;
  std::uint8_t hdr_need_ = 2;
  ws_opcode opcode_ = ws_opcode::continuation;
  state state_ = state::header;
  bool fin_ = false;
  bool in_message_ = false;    ///< a fragmented data message is open (RFC 6455 5.4)
  bool message_text_ = false;  ///< its first frame's opcode
  bool delivered_ = false;     ///< message_ was handed out: clear it on the next feed()
};

}  // namespace onair::net::chat
