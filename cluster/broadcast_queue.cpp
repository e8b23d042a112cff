#include "cluster/broadcast_queue.hpp"

namespace onair::cluster {

void broadcast_queue::push(const std::string& node_id, std::vector<std::uint8_t> encoded) {
  auto [it, fresh] = entries_.try_emplace(node_id);
  if (!fresh) order_.erase({it->second.transmits, ~it->second.seq, node_id});
  it->second = entry{0, next_seq_++, std::make_shared<const std::vector<std::uint8_t>>(std::move(encoded))};
  order_.insert({0, ~it->second.seq, node_id});
}

std::vector<broadcast_queue::bytes> broadcast_queue::take(std::size_t budget, std::size_t limit) {
  std::vector<bytes> out;
  std::vector<std::string> picked;
  constexpr std::size_t smallest_update = 24;  // a member update is never shorter than this
  for (auto it = order_.begin(); it != order_.end() && budget >= smallest_update; ++it) {
    const auto& id = std::get<2>(*it);
    const auto& e = entries_.at(id);
    if (e.data->size() > budget) continue;  // a smaller one further down may still fit
    budget -= e.data->size();
    out.push_back(e.data);
    picked.push_back(id);
  }
  for (const auto& id : picked) {
    auto& e = entries_.at(id);
    order_.erase({e.transmits, ~e.seq, id});
    if (++e.transmits >= limit) {
      entries_.erase(id);
    } else {
      order_.insert({e.transmits, ~e.seq, id});
    }
  }
  return out;
}

void broadcast_queue::clear() {
  entries_.clear();
  order_.clear();
}

}  // namespace onair::cluster
