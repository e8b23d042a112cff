#include "actors/node_metrics.hpp"

#include <cmath>
#include <fmt/format.h>

namespace onair::actors {

void latency_histogram::add(double seconds) {
  if (seconds < 0) seconds = 0;
  std::size_t i = 0;
  if (seconds <= 1.0) {
    // Bucket k holds (k/100, (k+1)/100]; the epsilon keeps exact boundaries in the lower bucket.
    auto k = static_cast<std::size_t>(std::ceil(seconds * 100.0 - 1e-9));
    i = k == 0 ? 0 : k - 1;
  } else {
    i = fine_buckets;
    while (i < bucket_count && seconds > upper(i)) ++i;
  }
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

double latency_histogram::upper(std::size_t i) {
  return i < fine_buckets ? static_cast<double>(i + 1) / 100.0 : coarse[i - fine_buckets];
}

std::string render_prometheus(const node_metrics& m, std::uint64_t rooms, std::uint64_t live, std::uint64_t viewers) {
  std::string out;
  auto gauge = [&](const char* name, const char* help, double v) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} gauge\n{0} {2}\n", name, help, v);
  };
  auto counter = [&](const char* name, const char* help, std::uint64_t v) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} counter\n{0} {2}\n", name, help, v);
  };
  auto histogram = [&](const char* name, const char* help, const latency_histogram& h) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} histogram\n", name, help);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < latency_histogram::bucket_count; ++i) {
      cumulative += h.bucket(i);
      out += fmt::format("{}_bucket{{le=\"{:g}\"}} {}\n", name, latency_histogram::upper(i), cumulative);
    }
    cumulative += h.bucket(latency_histogram::bucket_count);
    out += fmt::format("{0}_bucket{{le=\"+Inf\"}} {1}\n{0}_sum {2:.6f}\n{0}_count {3}\n", name, cumulative, h.sum(),
                       h.count());
  };
  gauge("onair_rooms", "Rooms owned by this node.", static_cast<double>(rooms));
  gauge("onair_live_streams", "Rooms with a live publisher.", static_cast<double>(live));
  gauge("onair_viewers", "HLS viewer sessions active in the last few seconds.", static_cast<double>(viewers));
  counter("onair_frames_in_total", "Frames received from RTMP publishers.", m.frames_in.load());
  counter("onair_parts_out_total", "LL-HLS parts published.", m.parts_out.load());
  counter("onair_segments_out_total", "HLS segments completed.", m.segments_out.load());
  counter("onair_publishes_accepted_total", "RTMP publishes accepted.", m.publishes_accepted.load());
  counter("onair_publishes_refused_total", "RTMP publishes refused (bad key, ended room).", m.publishes_refused.load());
  counter("onair_publishers_replaced_total", "Publishers replaced by a newer one with the same key.",
          m.publishers_replaced.load());
  counter("onair_packager_errors_total", "Frames the packager rejected.", m.packager_errors.load());
  counter("onair_chat_messages_total", "Chat messages stored and broadcast.", m.chat_messages.load());
  counter("onair_rooms_taken_over_total", "Rooms this node took over from an owner that died or left.",
          m.rooms_taken_over.load());
  counter("onair_rooms_handed_off_total", "Rooms this node handed to the next node while draining.",
          m.rooms_handed_off.load());
  counter("onair_chat_backup_failures_total",
          "Chat batches refused because the copy on the second node failed (senders told to resend).",
          m.chat_backup_failures.load());
  gauge("onair_chat_sessions", "WebSocket chat sessions open.", static_cast<double>(m.chat_sessions.load()));
  if (m.chat_transport) {
    const auto t = m.chat_transport();
    counter("onair_chat_frames_dropped_total",
            "Droppable chat frames (reactions, presence) shed from full per-connection send queues.", t.dropped_frames);
    counter("onair_chat_slow_consumer_closes_total", "Chat connections closed with 4008 (slow consumer).",
            t.slow_consumer_closes);
    out += "# HELP onair_chat_upgrades_refused_total Chat WebSocket upgrades refused for capacity.\n"
           "# TYPE onair_chat_upgrades_refused_total counter\n";
    out += fmt::format("onair_chat_upgrades_refused_total{{reason=\"node_full\"}} {}\n", t.refused_node_full);
    out += fmt::format("onair_chat_upgrades_refused_total{{reason=\"address_full\"}} {}\n", t.refused_address_full);
  }
  histogram("onair_ingest_to_part_seconds", "RTMP message received to the LL-HLS part holding it fetchable.",
            m.ingest_to_part);
  histogram("onair_edge_update_seconds",
            "HLS update sent by the origin's packager to applied on this edge node (wall clocks of both nodes).",
            m.edge_update);
  return out;
}

}  // namespace onair::actors
