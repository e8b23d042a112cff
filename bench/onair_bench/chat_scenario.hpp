#pragma once
/// `onair-bench chat`: K WebSocket chat receivers and senders at a fixed total rate (chat_clients.hpp),
/// with per-second series, delivery latency, loss and the server's CPU and RSS.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace onair::bench {

/// Parameters of the chat scenario.
struct chat_options {
  std::string url;          ///< ws://127.0.0.1:PORT/ws/rooms/ID/chat
  int chatters = 100;       ///< receivers
  double rate = 10;         ///< messages per second over all senders
  double duration_s = 30;
  std::vector<int> server_pids;  ///< sampled for CPU/RSS once a second
};

/// Runs the scenario; returns the JSON result or an "error" member.
nlohmann::json run_chat(const chat_options& o);

}  // namespace onair::bench
