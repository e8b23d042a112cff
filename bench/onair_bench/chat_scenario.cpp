#include "bench/onair_bench/chat_scenario.hpp"

#include "bench/onair_bench/chat_clients.hpp"
#include "bench/onair_bench/run_common.hpp"

namespace onair::bench {

nlohmann::json run_chat(const chat_options& o) {
  nlohmann::json params = {{"url", o.url},   {"chatters", o.chatters},       {"rate", o.rate},
                           {"duration_s", o.duration_s}, {"server_pids", o.server_pids}};
  chat_clients chat(o.url, o.chatters, o.rate, mono_ns() + static_cast<std::int64_t>(o.duration_s * 1e9));
  if (!chat.error().empty()) return {{"error", chat.error()}};
  server_sampler server(o.server_pids);
  track tr{"chat", "msgs", &chat.counters(), {}};
  supervision sv;
  sv.duration_s = o.duration_s;
  sv.tracks = {&tr};
  sv.server = &server;
  chat.start();
  supervise(sv);
  chat.stop();
  return chat.result(params, tr.series);
}

}  // namespace onair::bench
