#pragma once
/// Splits outgoing messages into chunks (RTMP spec 5.3): a type 0 chunk, then type 3 chunks.
#include <cstdint>
#include <span>
#include <vector>

namespace onair::net::rtmp {

class chunk_writer {
 public:
  /// Appends `payload` as one message to `out`.
  void write(std::uint32_t csid, std::uint8_t type_id, std::uint32_t stream_id, std::uint32_t timestamp,
             std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out) const;

  /// Our chunk size; change it right after writing the Set Chunk Size message that announces it.
  void set_chunk_size(std::uint32_t size) { chunk_size_ = size == 0 ? 128 : size; }
  std::uint32_t chunk_size() const { return chunk_size_; }

 private:
  std::uint32_t chunk_size_ = 128;  // RTMP spec 5.4.1 default
};

}  // namespace onair::net::rtmp
