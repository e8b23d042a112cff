#pragma once
/// `onair-bench compare`: the same publish + viewers scenario against two servers, one after the other
/// in one invocation (e.g. onair's LL-HLS and nginx-rtmp's plain HLS), with ratios of what viewers saw
/// and what each server spent.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace onair::bench {

/// One side of a comparison.
struct compare_target {
  std::string name;
  std::string rtmp_url;  ///< where the publisher sends (rtmp://.../app/key)
  std::string hls_url;   ///< what viewers follow
  int pid = 0;           ///< server PID sampled for CPU and RSS (0: not sampled)
};

/// Parameters of the compare scenario.
struct compare_options {
  compare_target a, b;
  std::string file;
  int viewers = 100;
  double duration_s = 30;
  double warmup_s = 6;  ///< publishing before viewers join (a plain-HLS server needs a few segments)
  double ramp_up_s = 5;
  int threads = 1;
};

/// Runs both sides; the result holds each side's mixed result, a summary per side and the ratios a/b.
nlohmann::json run_compare(const compare_options& o);

}  // namespace onair::bench
