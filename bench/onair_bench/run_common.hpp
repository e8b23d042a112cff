#pragma once
/// What every scenario shares: cumulative counters bumped by the load threads, the 100 ms supervisor
/// loop that prints the progress line once a second and records the per-second series, and the JSON
/// result file.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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

/// Runs until `duration_s` has passed or `done()` says so: every 100 ms calls `tick()` (stall checks),
/// every second appends a sample to `series` and rewrites the progress line on stderr.
/// `unit_name` labels the units column ("parts", "msgs", "tags").
void supervise(double duration_s, live_counters& c, const std::string& unit_name, std::vector<second_sample>& series,
               const std::function<void()>& tick, const std::function<bool()>& done);

/// The common JSON result: scenario, parameters, series, totals and latency percentiles.
nlohmann::json result_json(const std::string& scenario, const nlohmann::json& params,
                           const std::vector<second_sample>& series, const live_counters& c,
                           const latency_histogram& latency);

/// Writes `j` to `path` (pretty-printed); false on I/O failure.
bool write_json(const std::string& path, const nlohmann::json& j);

/// Raises RLIMIT_NOFILE to its hard limit: thousands of viewers need thousands of sockets.
void raise_fd_limit();

}  // namespace onair::bench
