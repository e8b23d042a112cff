#pragma once
/// Gaps clients saw during a fault: every client keeps the time of its last unit (part, segment or chat
/// message) and, once a fault is marked, the longest wait for a unit that ended after the mark.
#include <atomic>
#include <cstdint>

#include "bench/onair_bench/result_stats.hpp"

namespace onair::bench {

/// One client's unit clock, written by its io thread and read by the supervisor (relaxed atomics).
struct unit_clock {
  std::atomic<std::int64_t> last_unit_ns{0};  ///< 0: no unit yet
  std::atomic<std::int64_t> max_gap_ns{0};    ///< longest wait that ended after the mark

  /// A unit arrived at `now`; `mark` is the fault mark (0: none yet).
  void record_unit(std::int64_t now, std::int64_t mark) {
    if (mark && now >= mark) {
      auto gap = now - last_unit_ns.load(std::memory_order_relaxed);
      if (gap > max_gap_ns.load(std::memory_order_relaxed)) max_gap_ns.store(gap, std::memory_order_relaxed);
    }
    last_unit_ns.store(now, std::memory_order_relaxed);
  }
};

/// Gaps after a mark: per client, the longest wait for a unit that ended after the mark, or (not
/// recovered) from its last unit to the end.
struct gap_report {
  int clients = 0;           ///< clients that had a unit before the end
  int recovered = 0;         ///< of those, how many got a unit after the mark
  latency_histogram gap_ms;  ///< one sample per client

  /// Adds one client's clock.
  void add(const unit_clock& c, std::int64_t mark, std::int64_t end_ns) {
    auto last = c.last_unit_ns.load(std::memory_order_relaxed);
    if (last == 0 || mark == 0) return;
    ++clients;
    if (last >= mark) {
      ++recovered;
      gap_ms.add_ms(static_cast<double>(c.max_gap_ns.load(std::memory_order_relaxed)) / 1e6);
    } else {
      gap_ms.add_ms(static_cast<double>(end_ns - last) / 1e6);
    }
  }

  /// Adds another set of clients (viewers of another URL).
  void merge(const gap_report& o) {
    clients += o.clients;
    recovered += o.recovered;
    gap_ms.merge(o.gap_ms);
  }
};

}  // namespace onair::bench
