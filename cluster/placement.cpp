#include "cluster/placement.hpp"

#include <algorithm>
#include <cmath>

namespace onair::cluster {

namespace {

/// Spare capacity in (0, 1]: a loaded node still wins some keys, just fewer.
double weight(const member& m) {
  const double used = m.ld.rooms / 200.0 + m.ld.streams / 40.0 + m.ld.viewers / 10000.0 + m.ld.cpu_pct / 100.0;
  return 1.0 / (1.0 + used);
}

bool eligible(const member& m) { return m.state == member_state::alive && !m.draining; }

}  // namespace

/// FNV-1a then the splitmix64 finalizer: stable across processes, builds and machines, which placement
/// needs (every node must compute the same order), unlike std::hash.
std::uint64_t rendezvous_hash(const std::string& a, const std::string& b) {
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&](const std::string& s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  mix(a);
  h ^= 0xff;  // separator: ("ab","c") and ("a","bc") differ
  h *= 1099511628211ull;
  mix(b);
  h += 0x9e3779b97f4a7c15ull;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

double hrw_score(const std::string& key, const member& m) {
  // Weighted rendezvous hashing (Schindelhauer & Schomaker): score = -w / ln(u), u uniform in (0,1).
  const double u = (static_cast<double>(rendezvous_hash(key, m.node_id) >> 11) + 0.5) / 9007199254740992.0;
  return -weight(m) / std::log(u);
}

std::vector<member> rank(const std::string& key, const std::string& home_region, const std::vector<member>& members) {
  std::vector<std::pair<double, const member*>> scored;
  for (const auto& m : members)
    if (eligible(m)) scored.emplace_back(hrw_score(key, m), &m);
  std::sort(scored.begin(), scored.end(), [&](const auto& a, const auto& b) {
    const bool ha = a.second->region == home_region, hb = b.second->region == home_region;
    if (ha != hb) return ha;  // the home region first
    if (a.first != b.first) return a.first > b.first;
    return a.second->node_id < b.second->node_id;
  });
  std::vector<member> out;
  out.reserve(scored.size());
  for (auto& [s, m] : scored) out.push_back(*m);
  return out;
}

std::optional<std::string> choose_owner(const std::string& key, const std::string& home_region,
                                        const std::vector<member>& members, const std::string& current_owner) {
  // Sticky: a room moves only when its owner dies or drains (DESIGN.md section 5).
  if (!current_owner.empty()) {
    for (const auto& m : members)
      if (m.node_id == current_owner && eligible(m)) return current_owner;
  }
  auto ranked = rank(key, home_region, members);
  if (ranked.empty()) return std::nullopt;
  return ranked.front().node_id;
}

std::optional<member> best_ingest(const std::string& region, const std::vector<member>& members) {
  const member* best = nullptr;
  auto better = [&](const member& m) {
    if (!best) return true;
    const bool in = m.region == region, best_in = best->region == region;
    if (in != best_in) return in;
    if (weight(m) != weight(*best)) return weight(m) > weight(*best);
    return m.node_id < best->node_id;
  };
  for (const auto& m : members)
    if (eligible(m) && better(m)) best = &m;
  if (!best) return std::nullopt;
  return *best;
}

}  // namespace onair::cluster
