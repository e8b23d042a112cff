#include "cluster/succession.hpp"

#include <algorithm>
#include <tuple>

#include "cluster/placement.hpp"

namespace onair::cluster {

namespace {

bool candidate(const member& m) {
  return (m.state == member_state::alive || m.state == member_state::suspect) && !m.draining;
}

const member* find(const std::vector<member>& members, const std::string& id) {
  for (const auto& m : members)
    if (m.node_id == id) return &m;
  return nullptr;
}

}  // namespace

std::vector<std::string> succession(const std::string& key, const std::string& home_region,
                                    const std::vector<member>& members) {
  std::vector<std::tuple<bool, std::uint64_t, const member*>> scored;
  for (const auto& m : members)
    if (candidate(m)) scored.emplace_back(m.region != home_region, rendezvous_hash(key, m.node_id), &m);
  std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
    if (std::get<0>(a) != std::get<0>(b)) return !std::get<0>(a);  // the home region first
    if (std::get<1>(a) != std::get<1>(b)) return std::get<1>(a) > std::get<1>(b);
    return std::get<2>(a)->node_id < std::get<2>(b)->node_id;
  });
  std::vector<std::string> out;
  out.reserve(scored.size());
  for (const auto& s : scored) out.push_back(std::get<2>(s)->node_id);
  return out;
}

bool has_majority(const std::vector<member>& members) {
  std::size_t known = 0, alive = 0;
  for (const auto& m : members) {
    if (m.state == member_state::left) continue;
    ++known;
    if (m.state == member_state::alive) ++alive;
  }
  return 2 * alive > known;
}

bool owner_gone(const std::string& owner, const std::vector<member>& members) {
  const auto* m = find(members, owner);
  return m && (m->state == member_state::dead || m->state == member_state::left);
}

std::optional<std::string> successor(const std::string& key, const std::string& home_region,
                                     const std::string& owner, const std::vector<member>& members) {
  if (!owner_gone(owner, members)) return std::nullopt;
  for (auto& id : succession(key, home_region, members))
    if (id != owner) return id;
  return std::nullopt;
}

std::optional<std::string> backup_of(const std::string& key, const std::string& home_region,
                                     const std::string& owner, const std::vector<member>& members) {
  for (auto& id : succession(key, home_region, members)) {
    if (id == owner) continue;
    if (const auto* m = find(members, id); m && m->state == member_state::alive) return id;
  }
  return std::nullopt;
}

}  // namespace onair::cluster
