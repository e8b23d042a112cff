#pragma once
/// The maths of a bench result: a latency histogram with percentiles, and per-second series built from
/// cumulative counters sampled once a second.
#include <cstdint>
#include <string>
#include <vector>

namespace onair::bench {

/// Latency histogram with 1 ms buckets up to 120 s (the last bucket holds the overflow). Not thread
/// safe: each thread keeps its own and merges at the end.
class latency_histogram {
 public:
  static constexpr std::size_t buckets = 120000;
  /// Records one latency; negative values (clock steps) count as 0.
  void add_ms(double ms);
  void merge(const latency_histogram& other);
  std::uint64_t count() const { return count_; }
  double max_ms() const { return max_ms_; }
  double mean_ms() const { return count_ ? sum_ms_ / static_cast<double>(count_) : 0; }
  /// The smallest bucket upper bound with at least q of the samples at or below it (nearest rank);
  /// 0 when empty. q in [0, 1].
  double percentile_ms(double q) const;
  /// (latency upper bound ms, cumulative fraction) for every non-empty bucket: the CDF the report plots.
  std::vector<std::pair<double, double>> cdf() const;

 private:
  std::vector<std::uint32_t> b_ = std::vector<std::uint32_t>(buckets);
  std::uint64_t count_ = 0;
  double sum_ms_ = 0;
  double max_ms_ = 0;
};

/// One per-second sample of a run.
struct second_sample {
  double t_s = 0;              ///< seconds since the start
  std::int64_t active = 0;     ///< viewers / chatters / publishers connected
  std::int64_t units = 0;      ///< parts fetched, messages delivered or tags sent in that second
  std::int64_t bytes = 0;      ///< in that second
  std::int64_t stalls = 0;     ///< stall episodes that began in that second
  std::int64_t errors = 0;
  double server_cpu_pct = -1;  ///< summed over the sampled server PIDs, 100 = one core; -1: not sampled
  double server_rss_mb = -1;   ///< summed VmRSS of the sampled server PIDs; -1: not sampled
  double client_cpu_pct = -1;  ///< this tool's own CPU (100 = one core): a saturated client is not a server limit
};

/// Cumulative counters as read at one instant.
struct counters_snapshot {
  std::int64_t active = 0, units = 0, bytes = 0, stalls = 0, errors = 0;
};

/// Median of the non-negative values (negative ones mean "not measured"); -1 when there are none.
double median_of(std::vector<double> v);

/// a / b when both are positive; -1 otherwise (a figure that cannot be compared).
double ratio(double a, double b);

/// Turns a cumulative snapshot taken at `t_s` into a per-second sample against the previous one.
second_sample delta_sample(double t_s, const counters_snapshot& prev, const counters_snapshot& now);

}  // namespace onair::bench
