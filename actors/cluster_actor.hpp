#pragma once
/// The cluster actor: one per node. It turns gossip membership into CAF links — a direct middleman
/// connection to every alive member (DESIGN.md section 9: a handle reached through a third node routes
/// through it and its loss goes unreported) — answers the cluster view, and feeds this node's load back
/// into gossip. It is the actor a node publishes on its CAF port.
#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <memory>
#include <string>

#include "cluster/member.hpp"
#include "net/hls/steering.hpp"

namespace onair::cluster {
class gossip_node;
}

namespace onair::actors {

struct cluster_deps {
  caf::actor directory;
  std::shared_ptr<cluster::gossip_node> gossip;  ///< null on a standalone node
  cluster::member self;
  /// The HTTP server's content steering table (docs/hls-steering.md), refilled on every membership
  /// change, drain and start; null = none (tests).
  std::shared_ptr<net::hls::steering_table> steering;
};

/// Handles:
///   (update_atom, shared_ptr<gossip_node>, member self)  once the node's ports are known
///   (member_event)                     from the gossip loop thread
///   (dir_atom)                         -> this node's directory (asked by peers when a link comes up)
///   (cluster_atom)                     -> cluster_view: members, links, every room with owner and origin
/// Tells the directory (peer_up_atom, node, directory) / (peer_down_atom, node) as links come and go, and
/// (members_atom, members) on every membership change.
///   (ingest_atom, std::string region)  -> ingest_view (best node for a DJ there)
///   (drain_atom)                       this node drains: gossip and the directory's members say so
caf::actor spawn_cluster_actor(caf::actor_system& sys, cluster_deps deps);

}  // namespace onair::actors
