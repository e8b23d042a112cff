#pragma once
/// Node-wide metrics written by actors and read by GET /metrics. Thread-safe.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace onair::actors {

/// A bounded reservoir of the most recent samples (seconds), for p50/p99 in the Prometheus summary.
class latency_window {
 public:
  explicit latency_window(std::size_t capacity = 4096) : samples_(capacity) {}
  void add(double seconds);
  /// Quantile q in [0,1] over the samples currently held (0 when empty).
  double quantile(double q) const;
  std::uint64_t count() const;
  double sum() const;

 private:
  mutable std::mutex mutex_;
  std::vector<double> samples_;
  std::size_t next_ = 0;
  std::size_t held_ = 0;
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

struct node_metrics {
  /// RTMP message received → the part holding it fetchable (first frame of each part).
  latency_window ingest_to_part;
  std::atomic<std::uint64_t> frames_in{0};
  std::atomic<std::uint64_t> parts_out{0};
  std::atomic<std::uint64_t> segments_out{0};
  std::atomic<std::uint64_t> publishes_accepted{0};
  std::atomic<std::uint64_t> publishes_refused{0};
  std::atomic<std::uint64_t> publishers_replaced{0};
  std::atomic<std::uint64_t> packager_errors{0};
};

/// Prometheus text exposition (format 0.0.4) of the metrics plus node counts.
std::string render_prometheus(const node_metrics& m, std::uint64_t rooms, std::uint64_t live, std::uint64_t viewers);

}  // namespace onair::actors
