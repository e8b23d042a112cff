// Fuzz target: the server handshake (net/rtmp/handshake.hpp) fed in pieces whose sizes come from the input.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "net/rtmp/handshake.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onair::net::rtmp;
  if (size == 0) return 0;
  const std::size_t piece = 1 + data[0] * 16;  // first byte: piece size, so splits get exercised
  std::span<const std::uint8_t> in(data + 1, size - 1);
  handshake h([](std::span<std::uint8_t> out) {
    for (auto& b : out) b = 0x42;
  });
  std::vector<std::uint8_t> out;
  while (!in.empty() && !h.done()) {
    const auto chunk = in.first(std::min(piece, in.size()));
    const auto r = h.feed(chunk, out);
    if (r.status == feed_status::error) break;
    if (r.consumed > chunk.size()) __builtin_trap();
    in = in.subspan(r.consumed);
    if (r.consumed < chunk.size() && !h.done()) __builtin_trap();  // must consume all until done
  }
  if (!out.empty() && out.size() != 1 + 2 * handshake_size) __builtin_trap();
  return 0;
}
