// Sans-IO parser of client WebSocket frames (RFC 6455 5.2-5.5). The session feeds it whatever the
// socket gave; nothing here blocks, allocates per frame (beyond the message buffer) or knows of sockets.
#include <algorithm>

#include "net/chat/ws_frame.hpp"

namespace onair::net::chat {

namespace {
bool is_control(ws_opcode op) { return (static_cast<std::uint8_t>(op) & 0x8) != 0; }
}  // namespace

ws_event ws_frame_parser::fail(std::uint16_t code, std::string_view why) {
  state_ = state::failed;
  error_code_ = code;
  error_ = why;
  return {ws_event::kind::error, 0, false, code, why};
}

void ws_frame_parser::shrink() {
  if (message_.capacity() > 256 && !mid_message()) std::string().swap(message_);
}

ws_event ws_frame_parser::feed(std::span<const std::uint8_t> in) {
  if (state_ == state::failed) return {ws_event::kind::error, 0, false, error_code_, error_};
  if (delivered_) {
    delivered_ = false;
    message_.clear();
  }
  std::size_t pos = 0;
  while (pos < in.size() || (state_ == state::payload && received_ == length_)) {
    if (state_ == state::header) {
      while (hdr_len_ < hdr_need_ && pos < in.size()) {
        hdr_[hdr_len_++] = in[pos++];
        if (hdr_len_ == 2) {
          if (auto e = on_prefix(); e.what == ws_event::kind::error) return e;
        }
      }
      if (hdr_len_ < hdr_need_) break;
      if (auto e = on_header(); e.what == ws_event::kind::error) return e;
      continue;  // a zero-length payload completes right away
    }
    // state::payload: unmask (RFC 6455 5.3: octet i is XORed with mask octet i mod 4).
    const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(in.size() - pos, length_ - received_));
    const std::uint8_t* key = &hdr_[hdr_need_ - 4];
    if (is_control(opcode_)) {
      for (std::size_t i = 0; i < take; ++i) control_[received_ + i] = in[pos + i] ^ key[(received_ + i) & 3];
    } else {
      const auto base = message_.size();
      message_.resize(base + take);
      for (std::size_t i = 0; i < take; ++i)
        message_[base + i] = static_cast<char>(in[pos + i] ^ key[(received_ + i) & 3]);
    }
    received_ += take;
    pos += take;
    if (received_ == length_) {
      auto e = on_frame_end(pos);
      if (e.what != ws_event::kind::need_more) return e;
    }
  }
  return {ws_event::kind::need_more, pos, false, 0, {}};
}

ws_event ws_frame_parser::on_prefix() {
  const std::uint8_t b0 = hdr_[0], b1 = hdr_[1];
  fin_ = (b0 & 0x80) != 0;
  // 5.2: RSV1-3 must be 0 unless an extension says otherwise; we negotiate none.
  if (b0 & 0x70) return fail(1002, "reserved bits set");
  const auto op = b0 & 0x0F;
  if (op != 0x0 && op != 0x1 && op != 0x2 && op != 0x8 && op != 0x9 && op != 0xA)
    return fail(1002, "unknown opcode");  // 5.2: reserved opcodes fail the connection
  opcode_ = static_cast<ws_opcode>(op);
  // 5.1: a client masks every frame; the server closes on an unmasked one.
  if (!(b1 & 0x80)) return fail(1002, "unmasked client frame");
  const auto len7 = b1 & 0x7F;
  if (is_control(opcode_)) {
    // 5.5: control frames carry at most 125 bytes and are never fragmented.
    if (!fin_) return fail(1002, "fragmented control frame");
    if (len7 > 125) return fail(1002, "control frame too long");
  } else if (opcode_ == ws_opcode::continuation) {
    if (!in_message_) return fail(1002, "continuation without a message");  // 5.4
  } else if (in_message_) {
    return fail(1002, "new message inside a fragmented one");  // 5.4: fragments are not interleaved
  }
  hdr_need_ = static_cast<std::uint8_t>(2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4);
  return {};
}

ws_event ws_frame_parser::on_header() {
  const auto len7 = hdr_[1] & 0x7F;
  std::uint64_t len = len7;
  if (len7 == 126) {
    len = (std::uint64_t{hdr_[2]} << 8) | hdr_[3];
    if (len < 126) return fail(1002, "length not minimally encoded");  // 5.2 "the minimal number of bytes"
  } else if (len7 == 127) {
    len = 0;
    for (int i = 2; i < 10; ++i) len = (len << 8) | hdr_[i];
    if (len >> 63) return fail(1002, "64-bit length with the top bit set");  // 5.2
    if (len <= 0xFFFF) return fail(1002, "length not minimally encoded");
  }
  if (opcode_ == ws_opcode::close && len == 1) return fail(1002, "close frame with a 1-byte body");  // 5.5.1
  if (!is_control(opcode_)) {
    if (len > max_message_ || message_.size() + len > max_message_) return fail(1009, "message too big");
    if (opcode_ != ws_opcode::continuation) {
      message_text_ = opcode_ == ws_opcode::text;
      message_.clear();
    }
    in_message_ = !fin_;
    message_.reserve(message_.size() + static_cast<std::size_t>(len));
  }
  length_ = len;
  received_ = 0;
  state_ = state::payload;
  return {};
}

ws_event ws_frame_parser::on_frame_end(std::size_t consumed) {
  state_ = state::header;
  hdr_len_ = 0;
  hdr_need_ = 2;
  const auto n = static_cast<std::size_t>(length_);
  const std::string_view control(reinterpret_cast<const char*>(control_.data()), n);
  switch (opcode_) {
    case ws_opcode::ping:
      return {ws_event::kind::ping, consumed, false, 0, control};
    case ws_opcode::pong:
      return {ws_event::kind::pong, consumed, false, 0, control};
    case ws_opcode::close: {
      if (n == 0) return {ws_event::kind::close, consumed, false, 1005, {}};  // 7.1.5: no status code
      const auto code = static_cast<std::uint16_t>((control_[0] << 8) | control_[1]);
      if (!valid_close_code(code)) return fail(1002, "invalid close code");  // 7.4
      const auto reason = control.substr(2);
      if (!valid_utf8(reason)) return fail(1007, "close reason is not UTF-8");  // 5.5.1
      return {ws_event::kind::close, consumed, false, code, reason};
    }
    default:
      break;
  }
  if (!fin_) return {ws_event::kind::need_more, consumed, false, 0, {}};  // more fragments follow
  in_message_ = false;
  // 8.1: a text message must be valid UTF-8 as a whole (a code point may span fragments).
  if (message_text_ && !valid_utf8(message_)) return fail(1007, "text message is not UTF-8");
  delivered_ = true;
  return {ws_event::kind::message, consumed, message_text_, 0, message_};
}

}  // namespace onair::net::chat
