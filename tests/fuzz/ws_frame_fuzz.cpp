// Fuzz target for the WebSocket frame parser (net/chat/ws_frame.hpp).
// Input layout: byte 0 picks a split point (as a fraction of the rest), byte 1 the message limit; the
// rest is client bytes. Checks, beyond "no crash": consumption never exceeds the input, the events are
// the same whether the bytes come whole, split in two or one at a time, messages respect the limit,
// text messages and close reasons are UTF-8, control payloads are at most 125 bytes, errors carry
// 1002/1007/1009 and stick.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "net/chat/ws_frame.hpp"

namespace {

using namespace onair::net::chat;

void check(bool ok) {
  if (!ok) std::abort();
}

struct event {
  ws_event::kind what;
  bool text;
  std::uint16_t code;
  std::string payload;
  bool operator==(const event&) const = default;
};

std::vector<event> run(std::size_t max, const std::vector<std::span<const std::uint8_t>>& chunks) {
  ws_frame_parser p(max);
  std::vector<event> out;
  for (auto in : chunks) {
    while (!in.empty()) {
      const auto e = p.feed(in);
      check(e.consumed <= in.size());
      in = in.subspan(e.consumed);
      if (e.what == ws_event::kind::need_more) {
        check(in.empty());
        break;
      }
      switch (e.what) {
        case ws_event::kind::message:
          check(e.payload.size() <= max);
          if (e.text) check(valid_utf8(e.payload));
          break;
        case ws_event::kind::ping:
        case ws_event::kind::pong:
          check(e.payload.size() <= ws_max_control_payload);
          break;
        case ws_event::kind::close:
          check(e.payload.size() <= ws_max_control_payload - 2 && valid_utf8(e.payload));
          check(e.code == 1005 || valid_close_code(e.code));
          break;
        case ws_event::kind::error: {
          check(e.code == 1002 || e.code == 1007 || e.code == 1009);
          const auto again = p.feed(in);
          check(again.what == ws_event::kind::error && again.code == e.code && again.consumed == 0);
          break;
        }
        default:
          break;
      }
      out.push_back({e.what, e.text, e.code, std::string(e.payload)});
      if (e.what == ws_event::kind::error) return out;
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::span<const std::uint8_t> in(data + 2, size - 2);
  const std::size_t max = 16 + std::size_t{data[1]} * 64;
  const auto whole = run(max, {in});
  const auto k = in.empty() ? 0 : std::size_t{data[0]} * in.size() / 256;
  check(run(max, {in.first(k), in.subspan(k)}) == whole);
  if (in.size() <= 512) {
    std::vector<std::span<const std::uint8_t>> ones;
    for (std::size_t i = 0; i < in.size(); ++i) ones.push_back(in.subspan(i, 1));
    check(run(max, ones) == whole);
  }
  return 0;
}
