#include "bench/onair_bench/result_stats.hpp"

#include <algorithm>
#include <cmath>

namespace onair::bench {

void latency_histogram::add_ms(double ms) {
  if (!(ms >= 0)) ms = 0;  // also catches NaN
  ++count_;
  sum_ms_ += ms;
  max_ms_ = std::max(max_ms_, ms);
  ++b_[std::min<std::size_t>(static_cast<std::size_t>(ms), buckets - 1)];
}

void latency_histogram::merge(const latency_histogram& o) {
  for (std::size_t i = 0; i < buckets; ++i) b_[i] += o.b_[i];
  count_ += o.count_;
  sum_ms_ += o.sum_ms_;
  max_ms_ = std::max(max_ms_, o.max_ms_);
}

double latency_histogram::percentile_ms(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // Nearest rank: the ceil(q*n)-th smallest sample (at least the first).
  auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets; ++i) {
    seen += b_[i];
    if (seen >= rank) return std::min(static_cast<double>(i + 1), std::max(max_ms_, static_cast<double>(i)));
  }
  return max_ms_;
}

std::vector<std::pair<double, double>> latency_histogram::cdf() const {
  std::vector<std::pair<double, double>> out;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets && seen < count_; ++i) {
    if (!b_[i]) continue;
    seen += b_[i];
    out.emplace_back(static_cast<double>(i + 1), static_cast<double>(seen) / static_cast<double>(count_));
  }
  return out;
}

double median_of(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return x < 0; }), v.end());
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  const auto n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double ratio(double a, double b) { return a > 0 && b > 0 ? a / b : -1; }

second_sample delta_sample(double t_s, const counters_snapshot& prev, const counters_snapshot& now) {
  second_sample s;
  s.t_s = t_s;
  s.active = now.active;
  s.units = now.units - prev.units;
  s.bytes = now.bytes - prev.bytes;
  s.stalls = now.stalls - prev.stalls;
  s.errors = now.errors - prev.errors;
  return s;
}

}  // namespace onair::bench
