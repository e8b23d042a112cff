#include "bench/onair_bench/chat_scenario.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

namespace onair::bench {

nlohmann::json run_chat(const chat_options& o, const std::string& chat_load_path) {
  nlohmann::json params = {{"url", o.url}, {"chatters", o.chatters}, {"rate", o.rate}, {"duration_s", o.duration_s},
                           {"warmup_s", o.warmup_s}};
  char tmpl[] = "/tmp/onair-bench-chat-XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd < 0) return {{"error", std::string("mkstemp: ") + std::strerror(errno)}};
  close(fd);
  const std::string out_json = tmpl;
  std::vector<std::string> args = {chat_load_path, "--url", o.url, "--connections", std::to_string(o.chatters),
                                   "--rate", std::to_string(o.rate), "--duration", std::to_string(o.duration_s),
                                   "--warmup", std::to_string(o.warmup_s), "--json", out_json};
  if (o.server_pid > 0) {
    args.push_back("--server-pid");
    args.push_back(std::to_string(o.server_pid));
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  // chat_load bounds itself (connect, drain and hard deadlines), so a plain wait is bounded too.
  if (int rc = posix_spawn(&pid, chat_load_path.c_str(), nullptr, nullptr, argv.data(), environ); rc != 0)
    return {{"error", "cannot start " + chat_load_path + ": " + std::strerror(rc)}};
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  std::ifstream f(out_json);
  nlohmann::json r = nlohmann::json::parse(f, nullptr, false);
  unlink(out_json.c_str());
  if (r.is_discarded() || !r.is_object()) return {{"error", "chat_load wrote no result (exit status " + std::to_string(status) + ")"}};

  nlohmann::json j;
  j["tool"] = "onair-bench";
  j["scenario"] = "chat";
  j["params"] = params;
  j["series"] = nlohmann::json::array();  // chat_load reports whole-window figures only (docs/bench-tool.md)
  j["totals"] = {{"units", r.value("delivered", 0)},
                 {"bytes", 0},
                 {"stalls", 0},
                 {"errors", r.value("error_frames", 0) + r.value("disconnects", 0) + r.value("connect_failed", 0)},
                 {"lost", r.value("lost", 0)},
                 {"duplicates", r.value("duplicates", 0)}};
  auto lat = r.value("latency_ms", nlohmann::json::object());
  j["latency_ms"] = {{"count", r.value("delivered", 0)}, {"mean", lat.value("mean", 0.0)}, {"p50", lat.value("p50", 0.0)},
                     {"p90", lat.value("p90", 0.0)}, {"p95", lat.value("p90", 0.0)}, {"p99", lat.value("p99", 0.0)},
                     {"max", lat.value("max", 0.0)}, {"cdf", nlohmann::json::array()}};
  j["latency_ms"]["p95_is_p90"] = true;
  j["chat_load"] = r;  // everything chat_load measured (server CPU/RSS, loss, ...) kept as is
  return j;
}

}  // namespace onair::bench
