#pragma once
/// `onair-bench mixed` (publishers, LL-HLS viewers and chatters at once against one cluster) and
/// `onair-bench fault` (the same load while given server PIDs are killed and restarted on a schedule,
/// reporting the gap each viewer and chatter saw).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/onair_bench/process_control.hpp"

namespace onair::bench {

/// Parameters of the mixed and fault scenarios. Each kind of load is optional.
struct mixed_options {
  std::vector<std::string> rtmp_urls;  ///< publishers (with reconnect), publisher i on url i mod n
  std::string file;                    ///< FLV file they loop
  int publishers = 0;                  ///< 0: one per URL
  bool next_url_on_reconnect = false;  ///< a publisher's reconnect goes to the next --rtmp-url
  std::vector<std::string> hls_urls;   ///< viewer i follows url i mod n (one per node of a cluster)
  int viewers = 0;
  double hls_start_s = -1;             ///< when viewers start; < 0: 3 s after publishers start, else 0
  double ramp_up_s = 2;
  int threads = 1;
  int variant = 0;
  std::string chat_url;
  int chatters = 0;
  double chat_rate = 2;
  double duration_s = 30;
  std::vector<int> server_pids;        ///< sampled for CPU/RSS (faulted PIDs are added and followed)
  std::vector<fault_spec> faults;
  std::vector<exec_spec> execs;        ///< commands run at their time (a drain); faults for the gaps too
  std::string restart_log;             ///< output of restarted processes (default /dev/null)
};

/// Runs the mixed scenario (no faults) or the fault scenario (faults given); returns the JSON result.
nlohmann::json run_mixed(const mixed_options& o, const std::string& scenario);

}  // namespace onair::bench
