#include "net/hls/viewer_throttle.hpp"

namespace onair::net::hls {

viewer_throttle::viewer_throttle(clock::duration interval, clock::duration idle_ttl, std::size_t max_entries)
    : interval_(interval), idle_ttl_(idle_ttl), max_entries_(max_entries == 0 ? 1 : max_entries) {}

void viewer_throttle::prune(clock::time_point now) {
  for (auto it = last_.begin(); it != last_.end();) {
    if (now - it->second > idle_ttl_)
      it = last_.erase(it);
    else
      ++it;
  }
  next_prune_ = now + idle_ttl_ / 2;
}

bool viewer_throttle::should_report(const std::string& room_id, const std::string& session,
                                    clock::time_point now) {
  std::string key;
  key.reserve(room_id.size() + 1 + session.size());
  key.append(room_id).push_back('\n');
  key.append(session);

  std::lock_guard lock(mutex_);
  // Prune periodically (amortised O(1) per call), and whenever the table is full.
  if (now >= next_prune_ || last_.size() >= max_entries_) prune(now);
  auto it = last_.find(key);
  if (it != last_.end()) {
    if (now - it->second < interval_) return false;
    it->second = now;
    return true;
  }
  // Still full after pruning: report without remembering (fail open: the observer sees more calls,
  // memory stays bounded).
  if (last_.size() < max_entries_) last_.emplace(std::move(key), now);
  return true;
}

std::size_t viewer_throttle::size() const {
  std::lock_guard lock(mutex_);
  return last_.size();
}

}  // namespace onair::net::hls
