#pragma once
/// Sans-IO SWIM membership with the Lifeguard refinements (DESIGN.md section 5): packets and ticks in,
/// packets and events out, clock injected — so a 100-node cluster with loss and partitions can be
/// simulated deterministically in a unit test (tests/cluster/swim_simulation_test.cpp).
///
/// Protocol: every probe interval ping one member (round-robin over a shuffled list); no ack within the
/// probe timeout → ask k members to ping-req it; still nothing → suspect it. Suspicion times out into
/// dead; the timeout starts at suspicion_max × log10(n) × probe interval and shrinks towards
/// suspicion_min with independent confirmations (Lifeguard). A node's local health multiplier (missed
/// acks, refuted suspicions) stretches its own probe timeouts. Membership changes piggyback on every
/// packet with a retransmit bound of retransmit_mult × log10(n+1). A member refutes suspicion of
/// itself by raising its incarnation. Graceful leave is disseminated as `left`.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "cluster/member.hpp"

namespace onair::cluster {

struct swim_config {
  std::int64_t probe_interval_ms = 500;
  std::int64_t probe_timeout_ms = 250;      ///< direct ping ack deadline (before the health multiplier)
  std::size_t indirect_checks = 3;          ///< k members asked to ping-req
  double suspicion_min_mult = 2;            ///< Lifeguard: suspicion timeout bounds, × log10(n) × interval
  double suspicion_max_mult = 6;
  std::size_t retransmit_mult = 4;          ///< piggyback each update this × log10(n+1) times
  std::size_t max_packet_bytes = 1400;      ///< stay under a typical MTU
  std::uint32_t awareness_max = 8;          ///< Lifeguard local health multiplier cap
  std::int64_t push_pull_interval_ms = 30000;  ///< full state exchange with a random member (anti-entropy)
  // Added with the implementation (memberlist's gossip interval and "gossip to the dead"):
  std::int64_t gossip_interval_ms = 125;    ///< send queued updates in gossip-only packets this often
  std::size_t gossip_nodes = 3;             ///< to this many random members each gossip interval
  std::int64_t gossip_to_dead_ms = 30000;   ///< keep gossiping to a member this long after it died
};

/// A datagram to send. `to` is "host:port".
struct outgoing {
  std::string to;
  std::vector<std::uint8_t> payload;  ///< already encoded (cluster/wire.hpp), not yet authenticated
};

/// A membership change seen by this node.
struct member_event {
  enum class kind : std::uint8_t { joined, updated, suspect, alive_again, dead, left };
  kind what;
  member m;
};

class swim {
 public:
  swim(swim_config cfg, member self, std::uint64_t seed);
  ~swim();

  /// Starts contacting these addresses ("host:port"); may be called again to retry.
  std::vector<outgoing> join(const std::vector<std::string>& seeds, std::int64_t now_ms);
  /// A datagram arrived (already authenticated and version-checked by the transport).
  std::vector<outgoing> on_packet(const std::string& from, const std::uint8_t* data, std::size_t size,
                                  std::int64_t now_ms);
  /// Advances timers; call at least every probe_interval/4.
  std::vector<outgoing> tick(std::int64_t now_ms);
  /// Graceful leave: disseminates `left` for this node (send what is returned, then stop).
  std::vector<outgoing> leave(std::int64_t now_ms);
  /// Updates what this node says about itself (load, draining, endpoints); disseminated like any change.
  void update_self(const load& ld, bool draining);

  /// Events since the last call.
  std::vector<member_event> drain_events();
  /// Every known member including this one, any state.
  std::vector<member> members() const;
  const member& self() const;
  /// Lifeguard local health score (0 = healthy).
  std::uint32_t local_health() const;
  /// Packets on_packet could not decode (dropped and counted; the transport reports them).
  std::uint64_t malformed_packets() const;
  /// Updates still queued for piggybacking (leave waits for its `left` to go out).
  std::size_t pending_broadcasts() const;

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace onair::cluster
