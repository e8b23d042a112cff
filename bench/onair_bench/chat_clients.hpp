#pragma once
/// In-process WebSocket chatters for the mixed and fault scenarios: receivers that join a room's chat
/// (docs/chat-protocol.md) and count every `msg` once, and senders that publish at a fixed total rate.
/// Everyone reconnects after a lost connection, receivers with `since` (the last seq they have), so a
/// node restart shows up as a gap and, if the server lost messages, as lost sequence numbers.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/onair_bench/run_common.hpp"
#include "bench/onair_bench/unit_gaps.hpp"

namespace onair::bench {

/// Receivers and senders of one chat URL on one io thread.
class chat_clients {
 public:
  /// `rate`: messages per second over all senders; each sender stays at 0.5 msg/s, under onair's default
  /// anonymous limit of 1 msg/s (burst 5), so there are ceil(rate / 0.5) senders.
  chat_clients(const std::string& url, int receivers, double rate, std::int64_t deadline_ns);
  ~chat_clients();
  const std::string& error() const { return error_; }
  void start();
  /// active = joined receivers, units = messages delivered (counted once per receiver), errors =
  /// lost connections, failed joins and error frames.
  live_counters& counters();
  latency_histogram take_latency();
  std::int64_t sent() const;
  /// Sequence numbers a receiver skipped (never delivered, not even in a `since` replay).
  std::int64_t lost() const;
  /// `gap` frames: a reconnect whose `since` was older than the retained history.
  std::int64_t gap_frames() const;
  void mark_gaps();
  gap_report gaps(std::int64_t end_ns) const;
  /// The chat result: the common form (result_json) plus `sent`, `lost` and `gap_frames` in the totals.
  nlohmann::json result(const nlohmann::json& params, const std::vector<second_sample>& series);
  void stop();

  struct context;

 private:
  std::string error_;
  std::vector<unit_clock> watches_;
  std::unique_ptr<context> ctx_;
  std::thread thread_;
};

}  // namespace onair::bench
