#include "actors/node_metrics.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace onair::actors {

void latency_window::add(double seconds) {
  std::lock_guard lock(mutex_);
  samples_[next_] = seconds;
  next_ = (next_ + 1) % samples_.size();
  held_ = std::min(held_ + 1, samples_.size());
  ++count_;
  sum_ += seconds;
}

double latency_window::quantile(double q) const {
  std::vector<double> copy;
  {
    std::lock_guard lock(mutex_);
    copy.assign(samples_.begin(), samples_.begin() + static_cast<long>(held_));
  }
  if (copy.empty()) return 0;
  auto k = static_cast<std::size_t>(q * static_cast<double>(copy.size() - 1) + 0.5);
  std::nth_element(copy.begin(), copy.begin() + static_cast<long>(k), copy.end());
  return copy[k];
}

std::uint64_t latency_window::count() const {
  std::lock_guard lock(mutex_);
  return count_;
}

double latency_window::sum() const {
  std::lock_guard lock(mutex_);
  return sum_;
}

std::string render_prometheus(const node_metrics& m, std::uint64_t rooms, std::uint64_t live, std::uint64_t viewers) {
  std::string out;
  auto gauge = [&](const char* name, const char* help, double v) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} gauge\n{0} {2}\n", name, help, v);
  };
  auto counter = [&](const char* name, const char* help, std::uint64_t v) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} counter\n{0} {2}\n", name, help, v);
  };
  gauge("onair_rooms", "Rooms on this node.", static_cast<double>(rooms));
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
  out += "# HELP onair_ingest_to_part_seconds RTMP message received to LL-HLS part fetchable.\n"
         "# TYPE onair_ingest_to_part_seconds summary\n";
  for (double q : {0.5, 0.9, 0.99})
    out += fmt::format("onair_ingest_to_part_seconds{{quantile=\"{}\"}} {:.6f}\n", q, m.ingest_to_part.quantile(q));
  out += fmt::format("onair_ingest_to_part_seconds_sum {:.6f}\nonair_ingest_to_part_seconds_count {}\n",
                     m.ingest_to_part.sum(), m.ingest_to_part.count());
  return out;
}

}  // namespace onair::actors
