#pragma once
/// LL-HLS viewers in one process: each viewer is a C++20 coroutine on one of a few Asio io_contexts
/// (one thread each). Viewers can be added while the load runs (ramp), and the supervisor thread reads
/// their counters, stall state and the gaps they saw (fault).
#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/onair_bench/run_common.hpp"
#include "bench/onair_bench/unit_gaps.hpp"

namespace onair::bench {

/// What the supervisor thread reads about one viewer.
struct viewer_watch : unit_clock {
  std::atomic<std::int64_t> window_ns{0};     ///< stall window: 3 x part target (LL-HLS) or 3 x target duration
  std::atomic<bool> stalled{false};
  std::atomic<bool> finished{false};
};

/// A set of LL-HLS (or plain HLS) viewers of one playlist URL.
class hls_viewers {
 public:
  /// `error()` is set when the URL is not http:// or cannot be resolved; nothing runs then.
  hls_viewers(const std::string& url, int variant, int threads, std::int64_t deadline_ns);
  ~hls_viewers();
  const std::string& error() const { return error_; }

  /// Starts `n` more viewers, spread evenly over `ramp_s` seconds. Called from the supervisor thread.
  void add(int n, double ramp_s);
  /// Counts a stall for every viewer without a new unit within its window (once per episode).
  void check_stalls();
  bool all_finished() const;
  int viewers() const { return static_cast<int>(watches_.size()); }
  live_counters& counters();
  /// The latency samples recorded since the previous call (or the start), merged over the threads.
  latency_histogram take_latency();
  /// Errors by what failed and how ("part: HTTP 404", "blocking reload: timeout", ...).
  std::map<std::string, std::int64_t> errors_by_kind() const;
  /// Starts measuring gaps now (a fault happens); `gaps(end)` reports them.
  void mark_gaps();
  gap_report gaps(std::int64_t end_ns) const;
  /// Stops every viewer and joins the threads (also done by the destructor).
  void stop();

  struct context;

 private:
  std::string error_;
  std::deque<viewer_watch> watches_;  // deque: growing keeps references the viewers hold valid
  std::unique_ptr<context> ctx_;      // after watches_: destroyed first, with the viewers' frames
  std::vector<std::thread> threads_;
  std::size_t next_shard_ = 0;
};

}  // namespace onair::bench
