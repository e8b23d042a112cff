#pragma once
/// What every scenario shares: cumulative counters bumped by the load threads, the 100 ms supervisor
/// loop that prints the progress line once a second and records the per-second series (with the
/// server's CPU and RSS when PIDs are given), and the JSON result file.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/onair_bench/proc_stats.hpp"
#include "bench/onair_bench/result_stats.hpp"

namespace onair::bench {

/// Counters written by the load threads (relaxed atomics: they are statistics, read once a second).
struct live_counters {
  std::atomic<std::int64_t> active{0}, units{0}, bytes{0}, stalls{0}, errors{0};
  counters_snapshot snapshot() const;
};

/// Wall clock in ms since the Unix epoch: what EXT-X-PROGRAM-DATE-TIME is compared with.
std::int64_t wall_ms();
/// Monotonic clock in ns: what stall windows and pacing use.
std::int64_t mono_ns();

/// One kind of load in a run (viewers, publishers, chatters) and the per-second series recorded for it.
struct track {
  std::string name;             ///< "hls", "publish", ...
  std::string unit;             ///< what `units` counts: "parts", "tags", "msgs"
  live_counters* counters = nullptr;
  std::vector<second_sample> series;
};

/// What the supervisor loop runs.
struct supervision {
  double duration_s = 30;
  std::vector<track*> tracks;
  server_sampler* server = nullptr;          ///< sampled once a second into every track's samples
  std::function<void(double t_s)> tick;      ///< every 100 ms (stall checks, fault schedule, ramp steps)
  std::function<bool()> done;                ///< ends the run early when true
};

/// Runs until `duration_s` has passed or `done()` says so: every 100 ms calls `tick`, every second
/// appends a sample to each track's series and rewrites the progress line on stderr.
void supervise(supervision& s);

/// The common JSON result: scenario, parameters, series, totals and latency percentiles.
nlohmann::json result_json(const std::string& scenario, const nlohmann::json& params,
                           const std::vector<second_sample>& series, const live_counters& c,
                           const latency_histogram& latency);

/// Latency percentiles and a CDF of at most ~400 points, as result files carry them.
nlohmann::json latency_json(const latency_histogram& latency);

/// Writes `j` to `path` (pretty-printed); false on I/O failure.
bool write_json(const std::string& path, const nlohmann::json& j);

/// Raises RLIMIT_NOFILE to its hard limit: thousands of viewers need thousands of sockets.
void raise_fd_limit();

}  // namespace onair::bench
