#pragma once
/// Lifeguard dynamic suspicion timeout (Dadgar et al., arXiv:1707.00788, section 4.2; memberlist
/// suspicion.go): a suspicion starts with the longest timeout and shrinks towards the shortest as
/// independent members confirm it, so a real failure is declared quickly while a lone (possibly
/// unhealthy) suspector gives the suspect the longest time to refute.
#include <cstdint>
#include <string>
#include <vector>

namespace onair::cluster {

class suspicion {
 public:
  /// `k` confirmations bring the timeout down to `min_ms`; `first_from` is the first suspector.
  suspicion(std::int64_t start_ms, std::int64_t min_ms, std::int64_t max_ms, std::size_t k, std::string first_from);

  /// Counts an independent confirmation; returns false for a repeat from the same member.
  bool confirm(const std::string& from);
  /// max(min, max − (max − min) · log(c + 1) / log(k + 1)), c = confirmations beyond the first.
  std::int64_t timeout_ms() const;
  /// When the suspect is declared dead if nobody refutes it.
  std::int64_t deadline_ms() const { return start_ms_ + timeout_ms(); }
  std::size_t confirmations() const { return confirmers_.size() - 1; }

 private:
  std::int64_t start_ms_, min_ms_, max_ms_;
  std::size_t k_;
  std::vector<std::string> confirmers_;  ///< small (≤ k + 1 matter); linear search is fine
};

}  // namespace onair::cluster
