#pragma once
/// Who owns a room after its owner is gone, and when a node may decide that (DESIGN.md section 5,
/// "Failover" and "Split brain"). Pure functions over a gossip view, so every node that holds the same
/// view computes the same answer, and the directory's tests can drive them without sockets.
#include <optional>
#include <string>
#include <vector>

#include "cluster/member.hpp"

namespace onair::cluster {

/// The order in which nodes take over `key`: members that are alive or suspect (not dead, not left,
/// not draining), the home region first, each group by the unweighted rendezvous score of (key, node).
/// Unweighted on purpose: load figures travel by gossip and differ between nodes for seconds, while the
/// successor must be the same on every node. Initial placement (`rank`) still weighs by load.
std::vector<std::string> succession(const std::string& key, const std::string& home_region,
                                    const std::vector<member>& members);

/// True while `members` (which includes this node itself) shows a strict majority of the last known
/// non-left members alive. Dead members keep counting: a side that cannot see half the cluster may be
/// the minority of a partition and must not make a second owner.
bool has_majority(const std::vector<member>& members);

/// True when the owner named in a record is gone for good in this view: dead or left. Unknown owners
/// (never seen in gossip here) and suspect ones are not gone: suspicion may still be refuted.
bool owner_gone(const std::string& owner, const std::vector<member>& members);

/// The node that should own `key` now that `owner` is gone, or nullopt when `owner` is not gone or no
/// member can take it. Only that node acts (with epoch + 1); the others wait for its record.
std::optional<std::string> successor(const std::string& key, const std::string& home_region,
                                     const std::string& owner, const std::vector<member>& members);

/// The node that holds a second copy of the room's chat for `owner`: the first alive member of the
/// succession order other than the owner (so the node that would take the room over already holds its
/// acknowledged messages). nullopt when no other node is alive.
std::optional<std::string> backup_of(const std::string& key, const std::string& home_region,
                                     const std::string& owner, const std::vector<member>& members);

}  // namespace onair::cluster
