#pragma once
/// The gossip transport: the SWIM core on its own libuv loop thread (so viewer load cannot starve the
/// failure detector — the false-positive problem Lifeguard fixes), UDP datagrams authenticated with
/// HMAC-SHA256 under the cluster secret and carrying a protocol version (cluster/wire.hpp).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "cluster/member.hpp"
#include "cluster/swim.hpp"

namespace onair::cluster {

struct gossip_options {
  swim_config swim;
  std::string bind_host = "0.0.0.0";
  std::uint16_t port = 7946;            ///< 0 = any free port (then self.ep.gossip is filled in)
  std::string secret;                   ///< cluster secret; packets without a valid HMAC are dropped
  std::vector<std::string> seeds;       ///< "host:port" of members to join through
  std::int64_t rejoin_interval_ms = 5000;  ///< retry the seeds while no other member is known
};

/// Counters for /metrics and the benchmarks. Read from any thread.
struct gossip_stats {
  std::uint64_t packets_in = 0, packets_out = 0;
  std::uint64_t bytes_in = 0, bytes_out = 0;
  std::uint64_t dropped_auth = 0;     ///< bad or missing HMAC (forged, wrong secret)
  std::uint64_t dropped_version = 0;  ///< another protocol version
  std::uint64_t dropped_malformed = 0;
};

class gossip_node {
 public:
  gossip_node(gossip_options opts, member self);
  ~gossip_node();  ///< stops the loop (without a graceful leave)
  gossip_node(const gossip_node&) = delete;
  gossip_node& operator=(const gossip_node&) = delete;

  /// Called on the loop thread for every membership change; must not block (actors/ does one anon_send).
  void set_event_handler(std::function<void(const member_event&)> fn);
  /// Binds the UDP socket, starts the loop thread and joins through the seeds.
  std::error_code start();
  /// The bound UDP port.
  std::uint16_t port() const;
  /// Snapshot of every known member (thread-safe).
  std::vector<member> members() const;
  /// This node as it is advertised.
  member self() const;
  /// Thread-safe: what this node says about its load and drain state (disseminated by gossip).
  void update_self(const load& ld, bool draining);
  /// Graceful leave: disseminates `left`, waits up to `grace` for it to go out, then stops the loop.
  void leave(std::chrono::milliseconds grace);
  gossip_stats stats() const;

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace onair::cluster
