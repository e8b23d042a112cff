#pragma once
/// `onair-bench hls` (M LL-HLS viewers for a while) and `onair-bench ramp` (viewers added in steps
/// until stalls appear: the knee).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace onair::bench {

/// Parameters of the hls scenario.
struct hls_options {
  std::string url;            ///< multivariant or media playlist (http://)
  int viewers = 10;
  double duration_s = 30;
  double ramp_up_s = 0;       ///< viewers start evenly spread over this time
  int threads = 1;            ///< io_contexts (one thread each); viewers are spread over them
  int variant = 0;            ///< which EXT-X-STREAM-INF of a multivariant playlist to follow
  std::vector<int> server_pids;  ///< sampled for CPU and RSS once a second
};

/// Runs the scenario; returns the JSON result, or an "error" member when nothing could start.
nlohmann::json run_hls(const hls_options& o);

/// Parameters of the ramp scenario: `start` viewers, then `step` more every `step_s` seconds until a
/// step sees a stall or an error, or `max` viewers have run one full step.
struct ramp_options {
  std::string url;
  int start = 100;
  int step = 100;
  int max = 10000;
  double step_s = 10;
  int threads = 1;
  int variant = 0;
  std::vector<int> server_pids;
};

/// Runs the ramp; the result's "steps" hold viewers, stalls, errors, latency and server CPU per step,
/// and "knee_viewers" the most viewers a step held with zero stalls and zero errors.
nlohmann::json run_ramp(const ramp_options& o);

}  // namespace onair::bench
