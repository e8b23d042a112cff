#pragma once
/// Node-wide metrics written by actors and read by GET /metrics. Thread-safe.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "net/chat/ws_options.hpp"

namespace onair::actors {

/// A Prometheus histogram of durations in seconds: 10 ms buckets up to 1 s, then coarser. Lock-free.
/// Scrapers compute quantiles from bucket deltas between two scrapes, which leaves warm-up out.
class latency_histogram {
 public:
  static constexpr std::size_t fine_buckets = 100;  ///< 0.01 .. 1.00 s
  static constexpr double coarse[] = {1.25, 1.5, 2.0, 3.0, 5.0, 10.0};
  static constexpr std::size_t bucket_count = fine_buckets + std::size(coarse);

  void add(double seconds);
  /// Upper bound of bucket i (seconds).
  static double upper(std::size_t i);
  /// Count in bucket i (not cumulative); the +Inf overflow is bucket_count.
  std::uint64_t bucket(std::size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6; }

 private:
  std::atomic<std::uint64_t> counts_[bucket_count + 1]{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_us_{0};
};

struct node_metrics {
  /// RTMP message received → the part holding it fetchable (first frame of each part).
  latency_histogram ingest_to_part;
  /// HLS edge: update sent by the origin's packager → applied here (docs/cluster.md, HLS edge path).
  latency_histogram edge_update;
  std::atomic<std::uint64_t> frames_in{0};
  std::atomic<std::uint64_t> parts_out{0};
  std::atomic<std::uint64_t> segments_out{0};
  std::atomic<std::uint64_t> publishes_accepted{0};
  std::atomic<std::uint64_t> publishes_refused{0};
  std::atomic<std::uint64_t> publishers_replaced{0};
  std::atomic<std::uint64_t> packager_errors{0};
  std::atomic<std::uint64_t> chat_messages{0};      ///< durable chat messages accepted
  std::atomic<std::uint64_t> chat_sessions{0};      ///< WebSocket chat sessions open
  std::atomic<std::uint64_t> rooms_taken_over{0};   ///< rooms this node took over from a gone owner
  std::atomic<std::uint64_t> rooms_handed_off{0};   ///< rooms this node handed to the next node (drain)
  std::atomic<std::uint64_t> chat_backup_failures{0};  ///< chat batches not acknowledged: no second copy
  /// The chat transport's totals (net keeps them); set once before the node serves, unset: not exported.
  std::function<net::chat::ws_stats()> chat_transport;
};

/// Prometheus text exposition (format 0.0.4) of the metrics plus node counts.
std::string render_prometheus(const node_metrics& m, std::uint64_t rooms, std::uint64_t live, std::uint64_t viewers);

}  // namespace onair::actors
