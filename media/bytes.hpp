#pragma once
/// Refcounted immutable byte buffers: the unit that crosses owners on the media path (DESIGN.md section 3).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace onair::media {

/// An immutable, shared byte buffer. Written once by its producer, then only read; viewers of a part
/// share one buffer, so a part body is never copied per viewer.
using shared_bytes = std::shared_ptr<const std::vector<std::uint8_t>>;

/// Wraps `v` (moved, not copied) into a shared buffer.
inline shared_bytes make_shared_bytes(std::vector<std::uint8_t> v) {
  return std::make_shared<const std::vector<std::uint8_t>>(std::move(v));
}

/// A view into a shared buffer that keeps the buffer alive (e.g. the NAL units inside an RTMP message).
struct bytes_view {
  shared_bytes owner;       ///< keeps the storage alive
  std::size_t offset = 0;   ///< first byte of the view inside *owner
  std::size_t size = 0;     ///< length of the view

  std::span<const std::uint8_t> span() const {
    return owner ? std::span<const std::uint8_t>(owner->data() + offset, size) : std::span<const std::uint8_t>{};
  }
  bool empty() const { return size == 0; }
};

/// A view of a whole shared buffer.
inline bytes_view whole(shared_bytes b) {
  const auto n = b ? b->size() : 0;
  return bytes_view{std::move(b), 0, n};
}

}  // namespace onair::media
