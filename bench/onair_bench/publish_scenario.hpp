#pragma once
/// `onair-bench publish`: N RTMP publishers looping one pre-encoded FLV file at real time.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace onair::bench {

/// Parameters of the publish scenario.
struct publish_options {
  std::vector<std::string> urls;  ///< rtmp://host:port/app/key; publisher i uses urls[i % size]
  std::string file;
  int publishers = 0;             ///< 0: one per URL
  double duration_s = 30;
  double ramp_up_s = 0;
};

/// Runs the scenario; returns the JSON result, or an "error" member when nothing could start.
nlohmann::json run_publish(const publish_options& o);

}  // namespace onair::bench
