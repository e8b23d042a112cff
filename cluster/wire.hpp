#pragma once
/// The gossip wire format (DESIGN.md section 5; docs/cluster.md "Wire format").
///
/// A datagram is an envelope around one msgpack packet:
///   [version: 1 byte][tag: HMAC-SHA256(secret, version ‖ payload), 32 bytes][payload: msgpack]
/// The payload is one msgpack array; every packet carries the sender's node id, so a node that restarts
/// at another address is still recognised (memberlist carries the node name the same way).
/// Decoding arbitrary bytes never throws and never allocates more than the datagram justifies.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cluster/member.hpp"

namespace onair::cluster::wire {

/// The protocol version byte at the start of every datagram.
inline constexpr std::uint8_t protocol_version = 1;
/// HMAC-SHA256 tag length.
inline constexpr std::size_t tag_bytes = 32;
/// Bytes the envelope adds in front of the payload.
inline constexpr std::size_t envelope_bytes = 1 + tag_bytes;

/// Why a datagram was rejected.
enum class errc { ok = 0, auth = 1, version = 2, malformed = 3 };
const std::error_category& wire_category();
std::error_code make_error_code(errc e);

/// Packet types (SWIM section 3 + Lifeguard nack + memberlist push-pull and gossip-only packets).
enum class packet_type : std::uint8_t {
  ping = 1,       ///< direct or indirect probe; `target` is the node id the sender means to reach
  ack = 2,        ///< answer to a ping; also the indirect ack an intermediary forwards to the requester
  ping_req = 3,   ///< ask the receiver to probe `target` at `target_addr` for the sender (SWIM 3.1)
  nack = 4,       ///< Lifeguard 4.3: the intermediary got no ack from the target in time
  push_pull = 5,  ///< full state exchange (join and anti-entropy), possibly split over datagrams
  gossip = 6,     ///< piggyback-only packet (memberlist's gossip interval)
};

/// One piggybacked membership claim: the member as the claimant sees it, and who made a suspect/dead
/// claim (Lifeguard counts independent suspicion confirmations by claimant).
struct member_update {
  member m;
  std::string from;  ///< node id of the claimant (suspect/dead); for alive/left the member itself
  bool operator==(const member_update&) const = default;
};

/// One decoded packet. Fields unused by a type are left empty/zero.
struct packet {
  packet_type type = packet_type::ping;
  std::string from;               ///< sender node id
  std::uint32_t seq = 0;          ///< ping/ack/ping_req/nack sequence number
  std::string target;             ///< ping, ping_req: node id to reach
  std::string target_addr;        ///< ping_req: "host:port" of the target
  bool reply = false;             ///< push_pull: this is the answer (do not answer again)
  bool first = false;             ///< push_pull: first datagram of an exchange (answer this one only)
  std::vector<member_update> state;   ///< push_pull: (part of) the sender's full member list
  std::vector<member_update> gossip;  ///< piggybacked updates (every type)
  bool operator==(const packet&) const = default;
};

/// Encodes one update on its own (the broadcast queue keeps updates encoded, so packing is a copy).
std::vector<std::uint8_t> encode_update(const member_update& u);
/// Encodes a packet. `pre_encoded` are extra gossip entries produced by encode_update, appended after
/// `p.gossip` in the same array.
std::vector<std::uint8_t> encode(const packet& p,
                                 std::span<const std::span<const std::uint8_t>> pre_encoded = {});
/// Upper bound of what encode() adds for the gossip array header (msgpack array16/32).
inline constexpr std::size_t gossip_array_overhead = 5;
/// Decodes a payload; nullopt for anything that is not a well-formed packet. Never throws.
std::optional<packet> decode(std::span<const std::uint8_t> payload);

/// Wraps a payload in the envelope: version byte, HMAC tag, payload.
std::vector<std::uint8_t> seal(std::span<const std::uint8_t> payload, std::string_view secret);

/// Result of open(): `ec` is errc::ok and `payload` points into the datagram, or `ec` says why not.
struct opened {
  std::error_code ec;
  std::span<const std::uint8_t> payload;
};
/// Checks version and tag. Never throws. Order: too short → malformed; other version byte → version;
/// no room for a tag → malformed; tag mismatch (compared in constant time) → auth.
opened open(std::span<const std::uint8_t> datagram, std::string_view secret);

/// "host:port", with brackets around an IPv6 host.
std::string address_of(const endpoints& ep);

}  // namespace onair::cluster::wire

template <>
struct std::is_error_code_enum<onair::cluster::wire::errc> : std::true_type {};
