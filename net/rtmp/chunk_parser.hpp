#pragma once
/// Sans-IO RTMP chunk stream parser (RTMP spec 5.3): chunks in, whole messages out.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "net/rtmp/handshake.hpp"
#include "net/rtmp/message.hpp"

namespace onair::net::rtmp {

/// Limits of one parser (one connection).
struct chunk_parser_limits {
  std::uint32_t max_message_size = 8 * 1024 * 1024;  ///< larger message lengths are an error
  std::size_t max_chunk_streams = 64;                ///< distinct chunk stream ids kept
};

class chunk_parser {
 public:
  explicit chunk_parser(chunk_parser_limits limits = {});

  /// Pushes bytes. Returns `ok` as soon as one message is complete (fetch it with take_message()
  /// before feeding the rest of the input), `need_more` when all bytes were consumed, or `error`.
  /// Set Chunk Size (5.4.1) and Abort Message (5.4.2) take effect here, before the next chunk is
  /// read, and are still delivered.
  feed_result feed(std::span<const std::uint8_t> in);

  /// The message completed by the last `ok` feed.
  message take_message() { return std::move(ready_); }

  /// The chunk size the peer announced (128 until it sends Set Chunk Size).
  std::uint32_t chunk_size() const { return chunk_size_; }

 private:
  struct chunk_stream {
    std::uint32_t csid = 0;
    bool has_header = false;
    std::uint32_t timestamp = 0;   ///< of the current/last message
    std::uint32_t delta = 0;       ///< reused by type 3 chunks that start a new message
    std::uint32_t length = 0;
    std::uint8_t type_id = 0;
    std::uint32_t stream_id = 0;
    bool extended = false;         ///< the last type 0/1/2 header used an extended timestamp
    std::uint32_t extended_value = 0;
    bool in_progress = false;      ///< a message is partly received
    std::vector<std::uint8_t> payload;
  };

  chunk_stream* find(std::uint32_t csid);
  /// Interprets the complete header in hdr_ (fmt, csid, header sizes known); sets cur_/chunk_left_.
  std::error_code apply_header(int fmt, std::size_t basic_len, std::uint32_t csid);
  /// Moves the finished message of cur_ into ready_ and applies protocol control messages.
  std::error_code complete_message();

  chunk_parser_limits limits_;
  std::uint32_t chunk_size_ = 128;  // RTMP spec 5.4.1: default 128
  std::vector<chunk_stream> streams_;

  enum class state : std::uint8_t { header, payload, failed } state_ = state::header;
  std::uint8_t hdr_[3 + 11 + 4] = {};
  std::size_t hdr_have_ = 0;
  std::size_t cur_ = 0;            ///< index into streams_ of the chunk being read
  std::uint32_t chunk_left_ = 0;   ///< payload bytes left in the current chunk
  message ready_;
};

}  // namespace onair::net::rtmp
