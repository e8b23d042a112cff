#pragma once
/// Region-aware rendezvous (HRW) placement (DESIGN.md section 5). Pure functions.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cluster/member.hpp"

namespace onair::cluster {

/// FNV-1a + splitmix64 of (key, node id): the same on every process, build and machine (every node
/// must compute the same order), unlike std::hash.
std::uint64_t rendezvous_hash(const std::string& key, const std::string& node_id);

/// Rendezvous score of (key, node), weighted by spare capacity: higher wins.
double hrw_score(const std::string& key, const member& m);

/// Members ordered by preference for `key`: alive, not draining; those in `home_region` first (then the
/// rest), each group by weighted HRW score. The first is the owner, the next its replica.
std::vector<member> rank(const std::string& key, const std::string& home_region, const std::vector<member>& members);

/// Sticky ownership: keeps `current_owner` while it is alive and not draining; otherwise the first of
/// rank(). nullopt when no member is eligible.
std::optional<std::string> choose_owner(const std::string& key, const std::string& home_region,
                                        const std::vector<member>& members, const std::string& current_owner);

/// The best ingest node for a DJ in `region`: the least-loaded alive member there, else anywhere.
std::optional<member> best_ingest(const std::string& region, const std::vector<member>& members);

}  // namespace onair::cluster
