#pragma once
/// `onair-bench publish`: N RTMP publishers looping one pre-encoded FLV file at real time. The
/// publisher set also runs inside the mixed, fault and compare scenarios.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/onair_bench/run_common.hpp"

namespace onair::bench {

/// Parameters of the publish scenario.
struct publish_options {
  std::vector<std::string> urls;  ///< rtmp://host:port/app/key; publisher i uses urls[i % size]
  std::string file;
  int publishers = 0;             ///< 0: one per URL
  double duration_s = 30;
  double ramp_up_s = 0;
  bool reconnect = false;         ///< after a lost connection, publish again 1 s later (as OBS does)
  /// With reconnect: each new attempt goes to the next URL in the list, as an encoder with a backup
  /// server list (or DNS that dropped a dead node) does; the origin-failover bench uses it.
  bool next_url_on_reconnect = false;
  std::vector<int> server_pids;   ///< sampled for CPU and RSS once a second
};

/// N publishers on one io thread. `error()` is set when the file or a URL is unusable.
class publisher_set {
 public:
  publisher_set(const publish_options& o, std::int64_t deadline_ns);
  ~publisher_set();
  const std::string& error() const { return error_; }
  /// Starts every publisher (spread over the ramp-up) on the set's own thread.
  void start();
  /// True when every publisher has ended (deadline reached, or failed without reconnect).
  bool all_done() const { return running_.load() == 0; }
  live_counters& counters() { return counters_; }
  /// Stops the thread; after it, failures() is stable.
  void stop();
  /// One message per failed or lost publish session.
  std::vector<std::string> failures();

  struct state;

 private:
  std::string error_;
  live_counters counters_;
  std::atomic<int> running_{0};
  std::unique_ptr<state> st_;
  std::thread thread_;
};

/// Runs the scenario; returns the JSON result, or an "error" member when nothing could start.
nlohmann::json run_publish(const publish_options& o);

}  // namespace onair::bench
