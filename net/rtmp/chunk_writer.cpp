#include "net/rtmp/chunk_writer.hpp"

#include <algorithm>

namespace onair::net::rtmp {

namespace {

/// Basic header, RTMP spec 5.3.1.1: 1 byte for csid 2-63, 2 bytes for 64-319, 3 bytes for 64-65599.
void put_basic_header(std::vector<std::uint8_t>& out, int fmt, std::uint32_t csid) {
  const auto f = static_cast<std::uint8_t>(fmt << 6);
  if (csid >= 2 && csid <= 63) {
    out.push_back(static_cast<std::uint8_t>(f | csid));
  } else if (csid >= 64 && csid <= 319) {
    out.push_back(f);
    out.push_back(static_cast<std::uint8_t>(csid - 64));
  } else {
    const std::uint32_t v = csid - 64;
    out.push_back(static_cast<std::uint8_t>(f | 1));
    out.push_back(static_cast<std::uint8_t>(v & 0xff));
    out.push_back(static_cast<std::uint8_t>((v >> 8) & 0xff));
  }
}

void put_be(std::vector<std::uint8_t>& out, std::uint32_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

}  // namespace

void chunk_writer::write(std::uint32_t csid, std::uint8_t type_id, std::uint32_t stream_id,
                         std::uint32_t timestamp, std::span<const std::uint8_t> payload,
                         std::vector<std::uint8_t>& out) const {
  const bool extended = timestamp >= 0xffffff;  // 5.3.1.3
  std::size_t pos = 0;
  out.reserve(out.size() + payload.size() + 16 + payload.size() / chunk_size_ * 8);
  // Type 0 message header, 5.3.1.2.1: timestamp(3) length(3) type(1) stream id(4, little-endian).
  put_basic_header(out, 0, csid);
  put_be(out, extended ? 0xffffff : timestamp, 3);
  put_be(out, static_cast<std::uint32_t>(payload.size()), 3);
  out.push_back(type_id);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(stream_id >> (8 * i)));
  if (extended) put_be(out, timestamp, 4);
  do {
    if (pos > 0) {
      put_basic_header(out, 3, csid);    // 5.3.1.2.4: continuation
      if (extended) put_be(out, timestamp, 4);  // repeated in type 3 chunks (5.3.1.3)
    }
    const std::size_t n = std::min<std::size_t>(chunk_size_, payload.size() - pos);
    out.insert(out.end(), payload.begin() + static_cast<std::ptrdiff_t>(pos),
               payload.begin() + static_cast<std::ptrdiff_t>(pos + n));
    pos += n;
  } while (pos < payload.size());
}

}  // namespace onair::net::rtmp
