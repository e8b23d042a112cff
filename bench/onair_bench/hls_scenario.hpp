#pragma once
/// `onair-bench hls`: M LL-HLS viewers in one process, each a C++20 coroutine on an Asio io_context.
#include <string>

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
};

/// Runs the scenario; returns the JSON result, or an "error" member when nothing could start.
nlohmann::json run_hls(const hls_options& o);

}  // namespace onair::bench
