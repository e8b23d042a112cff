/// onair-bench: the load tester's tool (issue #7). Subcommands drive HLS viewers, RTMP publishers and
/// WebSocket chatters against any server given by URL, and write a JSON result (and an HTML report).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "bench/onair_bench/chat_scenario.hpp"
#include "bench/onair_bench/hls_scenario.hpp"
#include "bench/onair_bench/publish_scenario.hpp"
#include "bench/onair_bench/run_common.hpp"

namespace {

/// Renders the HTML report with report.py (standard-library Python; the path is fixed at build time).
int render_html(const std::string& json_path, const std::string& html_path) {
  std::string cmd = "python3 '" ONAIR_BENCH_REPORT_PY "' '" + json_path + "' --html '" + html_path + "'";
  return std::system(cmd.c_str());
}

int finish(const nlohmann::json& result, const std::string& json_path, const std::string& html_path) {
  if (result.contains("error")) {
    std::cerr << "onair-bench: " << result["error"].get<std::string>() << "\n";
    return 2;
  }
  const auto& l = result["latency_ms"];
  const auto& t = result["totals"];
  std::printf("%s: units %lld, bytes %lld, stalls %lld, errors %lld; latency ms p50 %.0f p90 %.0f p99 %.0f max %.0f (n=%lld)\n",
              result["scenario"].get<std::string>().c_str(), t["units"].get<long long>(), t["bytes"].get<long long>(),
              t["stalls"].get<long long>(), t["errors"].get<long long>(), l["p50"].get<double>(),
              l["p90"].get<double>(), l["p99"].get<double>(), l["max"].get<double>(), l["count"].get<long long>());
  std::string json_out = json_path;
  if (json_out.empty() && !html_path.empty()) json_out = html_path + ".json";
  if (!json_out.empty() && !onair::bench::write_json(json_out, result)) {
    std::cerr << "onair-bench: cannot write " << json_out << "\n";
    return 2;
  }
  if (!html_path.empty() && render_html(json_out, html_path) != 0) {
    std::cerr << "onair-bench: report.py failed\n";
    return 2;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"onair-bench: publishers, HLS viewers and chatters against any RTMP/HLS/WebSocket server"};
  app.require_subcommand(1);
  // --json/--html may follow the subcommand's own options (CLI11 passes them up to the app).
  app.fallthrough();
  std::string json_path, html_path;
  app.add_option("--json", json_path, "write the JSON result here");
  app.add_option("--html", html_path, "write a self-contained HTML report here (via report.py)");

  onair::bench::hls_options ho;
  auto* hls = app.add_subcommand("hls", "M LL-HLS viewers with blocking reload");
  hls->add_option("--url", ho.url, "multivariant or media playlist URL (http://)")->required();
  hls->add_option("--viewers", ho.viewers, "concurrent viewers")->check(CLI::Range(1, 100000));
  hls->add_option("--duration", ho.duration_s, "seconds")->check(CLI::Range(0.5, 3600.0));
  hls->add_option("--ramp-up", ho.ramp_up_s, "seconds over which viewers join")->check(CLI::Range(0.0, 3600.0));
  hls->add_option("--threads", ho.threads, "io threads")->check(CLI::Range(1, 64));
  hls->add_option("--variant", ho.variant, "variant index of a multivariant playlist")->check(CLI::Range(0, 64));

  onair::bench::publish_options po;
  auto* pub = app.add_subcommand("publish", "N RTMP publishers looping an FLV file at real time");
  pub->add_option("--url", po.urls, "rtmp://host:port/app/stream_key (repeat: publishers take them in turn)")
      ->required();
  pub->add_option("--file", po.file, "pre-encoded FLV file (H.264/AAC)")->required();
  pub->add_option("--publishers", po.publishers, "publishers (default: one per --url)")->check(CLI::Range(0, 10000));
  pub->add_option("--duration", po.duration_s, "seconds")->check(CLI::Range(0.5, 3600.0));
  pub->add_option("--ramp-up", po.ramp_up_s, "seconds over which publishers connect")->check(CLI::Range(0.0, 3600.0));

  onair::bench::chat_options co;
  auto* chat = app.add_subcommand("chat", "K WebSocket chatters (runs bench/chat_load)");
  chat->add_option("--url", co.url, "ws://127.0.0.1:PORT/ws/rooms/ID/chat")->required();
  chat->add_option("--chatters", co.chatters, "receiving connections")->check(CLI::Range(1, 100000));
  chat->add_option("--rate", co.rate, "messages per second, all publishers together")->check(CLI::Range(0.1, 100000.0));
  chat->add_option("--duration", co.duration_s, "measured seconds")->check(CLI::Range(0.5, 3600.0));
  chat->add_option("--warmup", co.warmup_s, "seconds before measuring")->check(CLI::Range(0.0, 600.0));
  chat->add_option("--server-pid", co.server_pid, "server PID to sample CPU and RSS of");

  CLI11_PARSE(app, argc, argv);
  nlohmann::json result;
  if (*hls) result = onair::bench::run_hls(ho);
  else if (*pub) result = onair::bench::run_publish(po);
  else if (*chat) result = onair::bench::run_chat(co, ONAIR_BENCH_CHAT_LOAD);
  return finish(result, json_path, html_path);
}
