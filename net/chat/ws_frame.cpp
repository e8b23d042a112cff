// Server-side RFC 6455 framing helpers: frame encoding, close codes, UTF-8 validation.
#include "net/chat/ws_frame.hpp"

#include <vector>

namespace onair::net::chat {

media::shared_bytes encode_ws_frame(ws_opcode op, std::span<const std::uint8_t> payload) {
  const auto n = payload.size();
  std::vector<std::uint8_t> out;
  out.reserve(n + 10);
  out.push_back(static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(op)));  // FIN, RSV 0 (5.2)
  // RFC 6455 5.2: the minimal length encoding, mask bit clear (5.1: servers never mask).
  if (n < 126) {
    out.push_back(static_cast<std::uint8_t>(n));
  } else if (n <= 0xFFFF) {
    out.push_back(126);
    out.push_back(static_cast<std::uint8_t>(n >> 8));
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    out.push_back(127);
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(std::uint64_t{n} >> shift));
  }
  out.insert(out.end(), payload.begin(), payload.end());
  return media::make_shared_bytes(std::move(out));
}

media::shared_bytes encode_ws_close(std::uint16_t code, std::string_view reason) {
  if (code == 0) return encode_ws_frame(ws_opcode::close, std::span<const std::uint8_t>{});
  // 5.5: 125 bytes of payload, 2 of them the code; cut on a UTF-8 boundary so the reason stays valid.
  if (reason.size() > ws_max_control_payload - 2) {
    auto cut = ws_max_control_payload - 2;
    while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
    reason = reason.substr(0, cut);
  }
  std::vector<std::uint8_t> body;
  body.reserve(2 + reason.size());
  body.push_back(static_cast<std::uint8_t>(code >> 8));
  body.push_back(static_cast<std::uint8_t>(code));
  body.insert(body.end(), reason.begin(), reason.end());
  return encode_ws_frame(ws_opcode::close, body);
}

bool valid_close_code(std::uint16_t code) {
  // 7.4.1 defined codes that may be sent, the IANA-registered 1012-1014, and 3000-4999 (7.4.2).
  if (code >= 3000 && code <= 4999) return true;
  switch (code) {
    case 1000: case 1001: case 1002: case 1003: case 1007: case 1008: case 1009: case 1010: case 1011:
    case 1012: case 1013: case 1014:
      return true;
    default:
      return false;  // 1004 reserved, 1005/1006/1015 never on the wire, the rest unassigned
  }
}

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    // ASCII fast path, 8 bytes at a time (chat is mostly ASCII).
    while (end - p >= 8) {
      std::uint64_t w;
      __builtin_memcpy(&w, p, 8);
      if (w & 0x8080808080808080ull) break;
      p += 8;
    }
    if (p == end) break;
    const unsigned c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    // RFC 3629 section 4 (the table of well-formed sequences).
    std::size_t len;
    unsigned lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) len = 3, lo = 0xA0;
    else if (c == 0xED) len = 3, hi = 0x9F;  // no surrogates
    else if (c >= 0xE1 && c <= 0xEF) len = 3;
    else if (c == 0xF0) len = 4, lo = 0x90;
    else if (c == 0xF4) len = 4, hi = 0x8F;  // nothing above U+10FFFF
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else return false;  // C0, C1 (overlong), F5-FF, stray continuation bytes
    if (static_cast<std::size_t>(end - p) < len) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (std::size_t i = 2; i < len; ++i)
      if ((p[i] & 0xC0) != 0x80) return false;
    p += len;
  }
  return true;
}

}  // namespace onair::net::chat
