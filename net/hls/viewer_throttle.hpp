#pragma once
/// Throttles viewer_observer reports to at most one per second per (room, session), with a bounded table.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace onair::net::hls {

/// Thread-safe. Entries idle longer than `idle_ttl` are pruned, and the table never holds more than
/// `max_entries` sessions, so a flood of distinct session ids cannot grow memory without bound.
class viewer_throttle {
 public:
  using clock = std::chrono::steady_clock;

  /// `interval`: minimum time between two reports of one session; `idle_ttl`: forget sessions idle this long.
  explicit viewer_throttle(clock::duration interval = std::chrono::seconds(1),
                           clock::duration idle_ttl = std::chrono::seconds(30),
                           std::size_t max_entries = 100000);

  /// True when activity of `session` in `room_id` at `now` should be reported (and records it).
  bool should_report(const std::string& room_id, const std::string& session, clock::time_point now);

  /// Sessions currently remembered.
  std::size_t size() const;

 private:
  void prune(clock::time_point now);

  clock::duration interval_;
  clock::duration idle_ttl_;
  std::size_t max_entries_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, clock::time_point> last_;
  clock::time_point next_prune_{};
};

}  // namespace onair::net::hls
