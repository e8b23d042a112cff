#pragma once
/// One reassembled RTMP message (RTMP spec 6.1) and the message type ids of RTMP spec 5.4, 6.2, 7.1.
#include <cstdint>

#include "media/bytes.hpp"

namespace onair::net::rtmp {

/// Message type ids.
namespace msg_type {
inline constexpr std::uint8_t set_chunk_size = 1;      ///< RTMP spec 5.4.1
inline constexpr std::uint8_t abort = 2;               ///< 5.4.2
inline constexpr std::uint8_t acknowledgement = 3;     ///< 5.4.3
inline constexpr std::uint8_t user_control = 4;        ///< 6.2 / 7.1.7
inline constexpr std::uint8_t window_ack_size = 5;     ///< 5.4.4
inline constexpr std::uint8_t set_peer_bandwidth = 6;  ///< 5.4.5
inline constexpr std::uint8_t audio = 8;               ///< 7.1.4
inline constexpr std::uint8_t video = 9;               ///< 7.1.5
inline constexpr std::uint8_t data_amf3 = 15;          ///< 7.1.2
inline constexpr std::uint8_t command_amf3 = 17;       ///< 7.1.1
inline constexpr std::uint8_t data_amf0 = 18;          ///< 7.1.2
inline constexpr std::uint8_t command_amf0 = 20;       ///< 7.1.1
inline constexpr std::uint8_t aggregate = 22;          ///< 7.1.6
}  // namespace msg_type

/// A complete message: header fields plus its payload, copied once out of the chunk stream into a
/// refcounted buffer that frames later point into (DESIGN.md section 4).
struct message {
  std::uint32_t csid = 0;        ///< chunk stream it arrived on
  std::uint8_t type_id = 0;
  std::uint32_t stream_id = 0;   ///< message stream id
  std::uint32_t timestamp = 0;   ///< absolute 32-bit timestamp (wraps; the session unwraps it)
  media::shared_bytes payload;   ///< never null for a delivered message
};

}  // namespace onair::net::rtmp
