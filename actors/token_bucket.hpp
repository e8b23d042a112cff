#pragma once
/// A token bucket rate limiter (pure: the caller passes the time).
#include <algorithm>
#include <cstdint>

namespace onair::actors {

class token_bucket {
 public:
  /// `capacity` tokens at most (the burst), refilled at `per_second`.
  token_bucket(double capacity = 5, double per_second = 1) : capacity_(capacity), rate_(per_second), tokens_(capacity) {}

  /// Takes `cost` tokens if available at time `now_ms`; false (and nothing taken) when not.
  bool take(std::int64_t now_ms, double cost = 1) {
    refill(now_ms);
    if (tokens_ + 1e-9 < cost) return false;
    tokens_ -= cost;
    return true;
  }

  /// Milliseconds until `cost` tokens are available (0 when they are now).
  std::int64_t wait_ms(std::int64_t now_ms, double cost = 1) {
    refill(now_ms);
    if (tokens_ >= cost || rate_ <= 0) return 0;
    return static_cast<std::int64_t>((cost - tokens_) / rate_ * 1000.0 + 0.999);
  }

 private:
  void refill(std::int64_t now_ms) {
    if (last_ms_ != 0 && now_ms > last_ms_)
      tokens_ = std::min(capacity_, tokens_ + static_cast<double>(now_ms - last_ms_) * rate_ / 1000.0);
    if (now_ms > last_ms_) last_ms_ = now_ms;
  }

  double capacity_;
  double rate_;
  double tokens_;
  std::int64_t last_ms_ = 0;
};

}  // namespace onair::actors
