// Fuzz target: AMF0 decoding (net/rtmp/amf0.hpp); whatever decodes must re-encode and decode the same.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "net/rtmp/amf0.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onair::net::rtmp;
  std::vector<amf0_value> values;
  if (amf0_decode_all(std::span<const std::uint8_t>(data, size), values)) return 0;
  std::vector<std::uint8_t> wire;
  for (const auto& v : values) amf0_encode(v, wire);
  std::vector<amf0_value> again;
  if (amf0_decode_all(wire, again)) __builtin_trap();
  if (again.size() != values.size()) __builtin_trap();
  std::vector<std::uint8_t> wire2;
  for (const auto& v : again) amf0_encode(v, wire2);
  if (wire2 != wire) __builtin_trap();
  return 0;
}
