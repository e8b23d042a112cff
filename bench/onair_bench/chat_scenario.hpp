#pragma once
/// `onair-bench chat`: K WebSocket chatters. The load itself is bench/chat_load (issue #3's fan-out
/// client: receivers + rate-limited publishers, per-message delivery latency, loss and duplicates);
/// this runs it bounded and turns its result into onair-bench's JSON so one report renders all scenarios.
#include <string>

#include <nlohmann/json.hpp>

namespace onair::bench {

/// Parameters of the chat scenario (a subset of chat_load's; see its usage()).
struct chat_options {
  std::string url;         ///< ws://127.0.0.1:PORT/ws/rooms/ID/chat
  int chatters = 100;      ///< receivers (chat_load --connections)
  double rate = 10;        ///< messages per second over all publishers
  double duration_s = 30;
  double warmup_s = 2;
  int server_pid = 0;      ///< sampled for CPU/RSS by chat_load when set
};

/// Runs chat_load at `chat_load_path`; returns the JSON result or an "error" member.
nlohmann::json run_chat(const chat_options& o, const std::string& chat_load_path);

}  // namespace onair::bench
