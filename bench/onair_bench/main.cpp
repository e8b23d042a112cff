/// onair-bench: the load tester's tool (issue #7). Subcommands drive HLS viewers, RTMP publishers and
/// WebSocket chatters against any server given by URL, and write a JSON result (and an HTML report).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "bench/onair_bench/chat_scenario.hpp"
#include "bench/onair_bench/compare_scenario.hpp"
#include "bench/onair_bench/hls_scenario.hpp"
#include "bench/onair_bench/mixed_scenario.hpp"
#include "bench/onair_bench/publish_scenario.hpp"
#include "bench/onair_bench/run_common.hpp"

namespace {

/// Renders the HTML report with report.py (standard-library Python; the path is fixed at build time).
int render_html(const std::string& json_path, const std::string& html_path) {
  std::string cmd = "python3 '" ONAIR_BENCH_REPORT_PY "' '" + json_path + "' --html '" + html_path + "'";
  return std::system(cmd.c_str());
}

/// --server-pid, the same on every subcommand that samples servers.
void add_server_pids(CLI::App* c, std::vector<int>& pids) {
  c->add_option("--server-pid", pids, "server PID to sample CPU and RSS of (repeat for a cluster)");
}

int finish(const nlohmann::json& result, const std::string& json_path, const std::string& html_path) {
  if (result.contains("error")) {
    std::cerr << "onair-bench: " << result["error"].get<std::string>() << "\n";
    return 2;
  }
  // One summary line per part (mixed and fault have several; compare has one set per side).
  auto print = [](const std::string& name, const nlohmann::json& r) {
    const auto& l = r["latency_ms"];
    const auto& t = r["totals"];
    std::printf("%s: units %lld, bytes %lld, stalls %lld, errors %lld; latency ms p50 %.0f p90 %.0f p99 %.0f max %.0f (n=%lld)\n",
                name.c_str(), t["units"].get<long long>(), t["bytes"].get<long long>(), t["stalls"].get<long long>(),
                t["errors"].get<long long>(), l["p50"].get<double>(), l["p90"].get<double>(), l["p99"].get<double>(),
                l["max"].get<double>(), l["count"].get<long long>());
  };
  if (result.contains("sides")) {
    for (const auto& side : result["sides"])
      for (auto& [k, v] : side["parts"].items()) print(side["name"].get<std::string>() + " " + k, v);
    std::printf("ratios (%s): %s\n", result["ratios_are"].get<std::string>().c_str(), result["ratios"].dump().c_str());
  } else if (result.contains("parts")) {
    for (auto& [k, v] : result["parts"].items()) print(k, v);
  } else {
    print(result["scenario"].get<std::string>(), result);
  }
  if (result.contains("gaps"))
    for (auto& [k, g] : result["gaps"].items())
      std::printf("gap %s: %d of %d clients recovered; gap ms p50 %.0f p99 %.0f max %.0f\n", k.c_str(),
                  g["recovered"].get<int>(), g["clients"].get<int>(), g["gap_ms"]["p50"].get<double>(),
                  g["gap_ms"]["p99"].get<double>(), g["gap_ms"]["max"].get<double>());
  if (result.contains("knee_viewers"))
    std::printf("knee: %d viewers with zero stalls%s\n", result["knee_viewers"].get<int>(),
                result["knee_found"].get<bool>() ? "" : " (no step stalled: --max reached, a lower bound)");
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
  add_server_pids(hls, ho.server_pids);

  onair::bench::ramp_options ro;
  auto* ramp = app.add_subcommand("ramp", "add LL-HLS viewers in steps until a step stalls: the knee");
  ramp->add_option("--url", ro.url, "multivariant or media playlist URL (http://)")->required();
  ramp->add_option("--start", ro.start, "viewers in the first step")->check(CLI::Range(1, 100000));
  ramp->add_option("--step", ro.step, "viewers added per step")->check(CLI::Range(1, 100000));
  ramp->add_option("--max", ro.max, "stop after the step that reaches this many")->check(CLI::Range(1, 100000));
  ramp->add_option("--step-seconds", ro.step_s, "seconds per step")->check(CLI::Range(2.0, 600.0));
  ramp->add_option("--threads", ro.threads, "io threads")->check(CLI::Range(1, 64));
  ramp->add_option("--variant", ro.variant, "variant index of a multivariant playlist")->check(CLI::Range(0, 64));
  add_server_pids(ramp, ro.server_pids);

  onair::bench::publish_options po;
  auto* pub = app.add_subcommand("publish", "N RTMP publishers looping an FLV file at real time");
  pub->add_option("--url", po.urls, "rtmp://host:port/app/stream_key (repeat: publishers take them in turn)")
      ->required();
  pub->add_option("--file", po.file, "pre-encoded FLV file (H.264/AAC)")->required();
  pub->add_option("--publishers", po.publishers, "publishers (default: one per --url)")->check(CLI::Range(0, 10000));
  pub->add_option("--duration", po.duration_s, "seconds")->check(CLI::Range(0.5, 3600.0));
  pub->add_option("--ramp-up", po.ramp_up_s, "seconds over which publishers connect")->check(CLI::Range(0.0, 3600.0));
  pub->add_flag("--reconnect", po.reconnect, "publish again 1 s after a lost connection");
  add_server_pids(pub, po.server_pids);

  onair::bench::chat_options co;
  auto* chat = app.add_subcommand("chat", "K WebSocket chat receivers and senders at a total rate");
  chat->add_option("--url", co.url, "ws://127.0.0.1:PORT/ws/rooms/ID/chat")->required();
  chat->add_option("--chatters", co.chatters, "receiving connections")->check(CLI::Range(1, 100000));
  chat->add_option("--rate", co.rate, "messages per second, all senders together")->check(CLI::Range(0.1, 1000.0));
  chat->add_option("--duration", co.duration_s, "seconds")->check(CLI::Range(0.5, 3600.0));
  add_server_pids(chat, co.server_pids);

  // mixed and fault share their options; fault adds the kill schedule.
  onair::bench::mixed_options mo;
  std::vector<std::string> kills;
  auto add_mixed = [&mo](CLI::App* c) {
    c->add_option("--rtmp-url", mo.rtmp_urls, "publish here (repeat; publishers reconnect after a loss)");
    c->add_option("--file", mo.file, "FLV file the publishers loop");
    c->add_option("--publishers", mo.publishers, "publishers (default: one per --rtmp-url)")->check(CLI::Range(0, 10000));
    c->add_flag("--reconnect-next", mo.next_url_on_reconnect,
                "a publisher's reconnect goes to the next --rtmp-url (an encoder's backup server list)");
    c->add_option("--hls-url", mo.hls_urls, "playlist viewers follow (repeat: viewers are split over them)");
    c->add_option("--viewers", mo.viewers, "LL-HLS viewers")->check(CLI::Range(0, 100000));
    c->add_option("--hls-start", mo.hls_start_s, "second at which viewers start (default 3 with publishers, else 0)");
    c->add_option("--ramp-up", mo.ramp_up_s, "seconds over which viewers join")->check(CLI::Range(0.0, 3600.0));
    c->add_option("--threads", mo.threads, "viewer io threads per --hls-url")->check(CLI::Range(1, 64));
    c->add_option("--variant", mo.variant, "variant index of a multivariant playlist")->check(CLI::Range(0, 64));
    c->add_option("--chat-url", mo.chat_url, "ws://HOST:PORT/ws/rooms/ID/chat");
    c->add_option("--chatters", mo.chatters, "chat receivers")->check(CLI::Range(0, 100000));
    c->add_option("--chat-rate", mo.chat_rate, "chat messages per second, all senders together")->check(CLI::Range(0.1, 1000.0));
    c->add_option("--duration", mo.duration_s, "seconds")->check(CLI::Range(0.5, 3600.0));
    add_server_pids(c, mo.server_pids);
  };
  auto* mixed = app.add_subcommand("mixed", "publishers, LL-HLS viewers and chatters at once");
  add_mixed(mixed);
  auto* fault = app.add_subcommand("fault", "mixed load while node PIDs are killed and restarted (or commands run, e.g. a drain); reports the gaps");
  add_mixed(fault);
  std::vector<std::string> execs;
  fault->add_option("--kill", kills, "PID:AT[:RESTART_AFTER] (seconds; repeat)");
  fault->add_option("--exec", execs, "AT:COMMAND: run a shell command at AT seconds, e.g. `onair drain` (repeat)");
  bool graceful = false;
  fault->add_flag("--term", graceful, "send SIGTERM (a drain) instead of SIGKILL (a crash)");
  fault->add_option("--restart-log", mo.restart_log, "append restarted processes' output here");

  onair::bench::compare_options cmp;
  auto* compare = app.add_subcommand("compare", "one publisher + M viewers against server A, then B; ratios A/B");
  compare->add_option("--a-name", cmp.a.name, "name of A")->required();
  compare->add_option("--a-rtmp", cmp.a.rtmp_url, "A's rtmp:// publish URL")->required();
  compare->add_option("--a-hls", cmp.a.hls_url, "A's playlist URL")->required();
  compare->add_option("--a-pid", cmp.a.pid, "A's server PID (CPU/RSS)");
  compare->add_option("--b-name", cmp.b.name, "name of B")->required();
  compare->add_option("--b-rtmp", cmp.b.rtmp_url, "B's rtmp:// publish URL")->required();
  compare->add_option("--b-hls", cmp.b.hls_url, "B's playlist URL")->required();
  compare->add_option("--b-pid", cmp.b.pid, "B's server PID (CPU/RSS)");
  compare->add_option("--file", cmp.file, "FLV file the publisher loops")->required();
  compare->add_option("--viewers", cmp.viewers, "viewers per side")->check(CLI::Range(1, 100000));
  compare->add_option("--duration", cmp.duration_s, "measured seconds per side")->check(CLI::Range(1.0, 3600.0));
  compare->add_option("--warmup", cmp.warmup_s, "publishing seconds before viewers join")->check(CLI::Range(0.0, 600.0));
  compare->add_option("--ramp-up", cmp.ramp_up_s, "seconds over which viewers join")->check(CLI::Range(0.0, 3600.0));
  compare->add_option("--threads", cmp.threads, "viewer io threads")->check(CLI::Range(1, 64));

  CLI11_PARSE(app, argc, argv);
  for (const auto& k : kills) {
    onair::bench::fault_spec f;
    std::string err;
    if (!onair::bench::parse_fault_spec(k, f, err)) {
      std::cerr << "onair-bench: " << err << "\n";
      return 2;
    }
    if (graceful) f.signal = 15;
    mo.faults.push_back(f);
  }
  for (const auto& e : execs) {
    onair::bench::exec_spec x;
    std::string err;
    if (!onair::bench::parse_exec_spec(e, x, err)) {
      std::cerr << "onair-bench: " << err << "\n";
      return 2;
    }
    mo.execs.push_back(x);
  }
  if (*fault && mo.faults.empty() && mo.execs.empty()) {
    std::cerr << "onair-bench: fault needs at least one --kill or --exec\n";
    return 2;
  }
  if ((*mixed || *fault) && !mo.rtmp_urls.empty() && mo.file.empty()) {
    std::cerr << "onair-bench: --rtmp-url needs --file\n";
    return 2;
  }
  nlohmann::json result;
  if (*hls) result = onair::bench::run_hls(ho);
  else if (*ramp) result = onair::bench::run_ramp(ro);
  else if (*mixed) result = onair::bench::run_mixed(mo, "mixed");
  else if (*fault) result = onair::bench::run_mixed(mo, "fault");
  else if (*compare) result = onair::bench::run_compare(cmp);
  else if (*pub) result = onair::bench::run_publish(po);
  else if (*chat) result = onair::bench::run_chat(co);
  return finish(result, json_path, html_path);
}
