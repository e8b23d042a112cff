#include "cluster/suspicion.hpp"

#include <algorithm>
#include <cmath>

namespace onair::cluster {

suspicion::suspicion(std::int64_t start_ms, std::int64_t min_ms, std::int64_t max_ms, std::size_t k,
                     std::string first_from)
    : start_ms_(start_ms), min_ms_(min_ms), max_ms_(std::max(min_ms, max_ms)), k_(k) {
  confirmers_.push_back(std::move(first_from));
}

bool suspicion::confirm(const std::string& from) {
  if (std::find(confirmers_.begin(), confirmers_.end(), from) != confirmers_.end()) return false;
  // Beyond k confirmations the timeout is already at its minimum; stop growing the list.
  if (confirmers_.size() > k_ + 1) return false;
  confirmers_.push_back(from);
  return true;
}

std::int64_t suspicion::timeout_ms() const {
  if (k_ == 0) return min_ms_;  // too few members to expect confirmations (memberlist: n − 2 < k)
  const double c = static_cast<double>(std::min(confirmations(), k_));
  const double frac = std::log(c + 1.0) / std::log(static_cast<double>(k_) + 1.0);
  const double t = static_cast<double>(max_ms_) - static_cast<double>(max_ms_ - min_ms_) * frac;
  return std::max(min_ms_, static_cast<std::int64_t>(std::floor(t)));
}

}  // namespace onair::cluster
