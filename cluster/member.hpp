#pragma once
/// What the cluster knows about one node (DESIGN.md section 5).
#include <cstdint>
#include <string>

namespace onair::cluster {

enum class member_state : std::uint8_t { alive, suspect, dead, left };

/// Where a node can be reached. Hosts are what other nodes dial (--advertise), ports are the real ones.
struct endpoints {
  std::string host;            ///< advertised address, e.g. "127.0.0.1"
  std::uint16_t gossip = 0;    ///< UDP
  std::uint16_t rtmp = 0;
  std::uint16_t http = 0;
  std::uint16_t caf = 0;       ///< CAF middleman (node-to-node actor messages)
  bool operator==(const endpoints&) const = default;
};

/// Load a node reports about itself, carried in gossip (placement weights by it).
struct load {
  std::uint32_t rooms = 0;
  std::uint32_t streams = 0;
  std::uint32_t viewers = 0;
  std::uint16_t cpu_pct = 0;   ///< 0..100 per core, averaged over the node's cores
  bool operator==(const load&) const = default;
};

struct member {
  std::string node_id;
  std::string region;
  std::string zone;
  endpoints ep;
  member_state state = member_state::alive;
  std::uint64_t incarnation = 0;  ///< SWIM: only the member itself raises it, to refute suspicion
  load ld;
  bool draining = false;          ///< placement avoids it; the drain issue moves rooms away
  bool operator==(const member&) const = default;
};

const char* to_string(member_state s);

}  // namespace onair::cluster
