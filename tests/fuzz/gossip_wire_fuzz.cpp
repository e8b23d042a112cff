// Fuzz target: arbitrary bytes as a gossip datagram (anyone on the network can send one). Opening the
// envelope and decoding the payload must never crash or throw; whatever decodes must survive a
// re-encode; and the sans-IO SWIM core must swallow any authenticated payload (it only counts it).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include <string_view>

#include "cluster/member.hpp"
#include "cluster/swim.hpp"
#include "cluster/wire.hpp"

namespace {
constexpr std::string_view secret = "fuzz-secret";

onair::cluster::swim& core() {
  static onair::cluster::swim s(onair::cluster::swim_config{}, [] {
    onair::cluster::member m;
    m.node_id = "fuzz-self";
    m.ep.host = "127.0.0.1";
    m.ep.gossip = 7946;
    return m;
  }(), 1);
  return s;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onair::cluster::wire;
  const std::span<const std::uint8_t> bytes(data, size);

  // 1. The envelope: any verdict is fine, a crash is not; a sealed (non-empty) payload must open again.
  (void)open(bytes, secret);
  const auto sealed = seal(bytes, secret);
  const auto reopened = open(sealed, secret);
  if (size > 0 && reopened.ec) std::abort();
  if (size > 0 && !std::equal(reopened.payload.begin(), reopened.payload.end(), bytes.begin(), bytes.end()))
    std::abort();

  // 2. The payload: whatever decodes re-encodes to something that decodes to the same packet.
  if (auto p = decode(bytes)) {
    auto again = decode(encode(*p));
    if (!again || !(*again == *p)) std::abort();
  }

  // 3. The protocol core fed the bytes as an authenticated payload, then a tick: no crash, bounded state.
  static std::int64_t now = 0;
  now += 37;
  (void)core().on_packet("10.0.0.9:7946", data, size, now);
  (void)core().tick(now);
  (void)core().drain_events();
  return 0;
}
