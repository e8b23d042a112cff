#include "bench/onair_bench/mixed_scenario.hpp"

#include <csignal>
#include <cstdio>
#include <memory>

#include "bench/onair_bench/chat_clients.hpp"
#include "bench/onair_bench/hls_viewers.hpp"
#include "bench/onair_bench/process_control.hpp"
#include "bench/onair_bench/publish_scenario.hpp"

namespace onair::bench {

namespace {

nlohmann::json gaps_json(const gap_report& g) {
  return {{"clients", g.clients}, {"recovered", g.recovered}, {"gap_ms", latency_json(g.gap_ms)}};
}

}  // namespace

nlohmann::json run_mixed(const mixed_options& o, const std::string& scenario) {
  nlohmann::json params = {{"rtmp_urls", o.rtmp_urls}, {"file", o.file},       {"publishers", o.publishers},
                           {"reconnect_next", o.next_url_on_reconnect},
                           {"hls_urls", o.hls_urls},   {"viewers", o.viewers}, {"ramp_up_s", o.ramp_up_s},
                           {"threads", o.threads},     {"variant", o.variant}, {"chat_url", o.chat_url},
                           {"chatters", o.chatters},   {"chat_rate", o.chat_rate}, {"duration_s", o.duration_s},
                           {"server_pids", o.server_pids}};
  const auto start_ns = mono_ns();
  const auto deadline = start_ns + static_cast<std::int64_t>(o.duration_s * 1e9);

  // The restart recipe of every faulted PID is read now, while it runs.
  struct planned {
    fault_spec spec;
    process_spec recipe;
    int live_pid = 0;
    bool killed = false, restarted = false;
    nlohmann::json event;
  };
  std::vector<planned> faults;
  auto server_pids = o.server_pids;
  for (const auto& f : o.faults) {
    auto recipe = read_process_spec(f.pid);
    if (recipe.argv.empty()) return {{"error", "--kill: no readable process " + std::to_string(f.pid)}};
    faults.push_back({f, recipe, f.pid, false, false, {{"pid", f.pid}, {"at_s", f.at_s}, {"signal", f.signal}}});
    if (std::find(server_pids.begin(), server_pids.end(), f.pid) == server_pids.end()) server_pids.push_back(f.pid);
  }

  std::unique_ptr<publisher_set> pubs;
  if (!o.rtmp_urls.empty()) {
    publish_options po;
    po.urls = o.rtmp_urls;
    po.file = o.file;
    po.publishers = o.publishers;
    po.reconnect = true;
    po.next_url_on_reconnect = o.next_url_on_reconnect;
    pubs = std::make_unique<publisher_set>(po, deadline);
    if (!pubs->error().empty()) return {{"error", pubs->error()}};
  }
  std::vector<std::unique_ptr<hls_viewers>> viewers;
  if (o.viewers > 0)
    for (const auto& u : o.hls_urls) {
      viewers.push_back(std::make_unique<hls_viewers>(u, o.variant, o.threads, deadline));
      if (!viewers.back()->error().empty()) return {{"error", viewers.back()->error()}};
    }
  if (o.viewers > 0 && viewers.empty()) return {{"error", "--viewers needs --hls-url"}};
  std::unique_ptr<chat_clients> chat;
  if (o.chatters > 0) {
    chat = std::make_unique<chat_clients>(o.chat_url, o.chatters, o.chat_rate, deadline);
    if (!chat->error().empty()) return {{"error", chat->error()}};
  }

  // Viewers of several URLs share one counter set through one track each; the hls track sums them.
  server_sampler server(server_pids);
  std::vector<std::unique_ptr<track>> tracks;
  if (pubs) tracks.push_back(std::make_unique<track>(track{"publish", "tags", &pubs->counters(), {}}));
  for (std::size_t i = 0; i < viewers.size(); ++i)
    tracks.push_back(std::make_unique<track>(
        track{viewers.size() > 1 ? "hls" + std::to_string(i + 1) : "hls", "parts", &viewers[i]->counters(), {}}));
  if (chat) tracks.push_back(std::make_unique<track>(track{"chat", "msgs", &chat->counters(), {}}));

  const double hls_start = o.hls_start_s >= 0 ? o.hls_start_s : (pubs ? 3.0 : 0.0);
  bool viewers_started = false, marked = false;
  // Gaps are measured from the first fault (kill or command) on.
  auto mark_gaps = [&] {
    if (marked) return;
    marked = true;
    for (auto& v : viewers) v->mark_gaps();
    if (chat) chat->mark_gaps();
  };
  std::vector<bool> exec_done(o.execs.size(), false);
  auto exec_events = nlohmann::json::array();
  supervision sv;
  sv.duration_s = o.duration_s;
  for (auto& t : tracks) sv.tracks.push_back(t.get());
  sv.server = &server;
  sv.tick = [&](double t) {
    if (!viewers_started && t >= hls_start) {
      viewers_started = true;
      const int n = static_cast<int>(viewers.size());
      for (int i = 0; i < n; ++i) viewers[static_cast<std::size_t>(i)]->add(o.viewers / n + (i < o.viewers % n ? 1 : 0), o.ramp_up_s);
    }
    for (auto& v : viewers) v->check_stalls();
    for (std::size_t i = 0; i < o.execs.size(); ++i) {
      if (exec_done[i] || t < o.execs[i].at_s) continue;
      exec_done[i] = true;
      mark_gaps();
      const int pid = start_process(shell_command(o.execs[i].command), o.restart_log);
      exec_events.push_back({{"at_s", o.execs[i].at_s}, {"command", o.execs[i].command},
                             {"started_at_s", (mono_ns() - start_ns) / 1e9}, {"pid", pid}});
      std::fprintf(stderr, "\nfault: ran '%s' as PID %d at %.1f s\n", o.execs[i].command.c_str(), pid, t);
    }
    for (auto& f : faults) {
      if (!f.killed && t >= f.spec.at_s) {
        f.killed = true;
        mark_gaps();
        const bool ok = kill_and_wait(f.live_pid, f.spec.signal, 2000);
        f.event["killed_at_s"] = (mono_ns() - start_ns) / 1e9;
        f.event["killed"] = ok;
        std::fprintf(stderr, "\nfault: signal %d to PID %d at %.1f s: %s\n", f.spec.signal, f.live_pid, t,
                     ok ? "done" : "failed");
      }
      if (f.killed && !f.restarted && f.spec.restart_after_s >= 0 && t >= f.spec.at_s + f.spec.restart_after_s) {
        f.restarted = true;
        const int pid = start_process(f.recipe, o.restart_log);
        f.event["restarted_at_s"] = (mono_ns() - start_ns) / 1e9;
        f.event["restarted_pid"] = pid;
        server.replace(f.live_pid, pid);
        // A later fault on the same original PID hits the restarted process.
        for (auto& g : faults)
          if (g.live_pid == f.live_pid && !g.killed) g.live_pid = pid;
        f.live_pid = pid;
        std::fprintf(stderr, "\nfault: restarted as PID %d at %.1f s\n", pid, t);
      }
    }
  };
  if (pubs) pubs->start();
  if (chat) chat->start();
  supervise(sv);
  const auto end_ns = mono_ns();
  if (pubs) pubs->stop();
  for (auto& v : viewers) v->stop();
  if (chat) chat->stop();

  nlohmann::json j;
  j["tool"] = "onair-bench";
  j["scenario"] = scenario;
  j["params"] = params;
  auto& parts = j["parts"] = nlohmann::json::object();
  std::size_t k = 0;
  if (pubs) {
    parts["publish"] = result_json("publish", {}, tracks[k++]->series, pubs->counters(), latency_histogram{});
    parts["publish"]["failures"] = pubs->failures();
  }
  if (!viewers.empty()) {
    // One hls part over all URLs: series summed per second, latency merged.
    latency_histogram lat;
    live_counters total;
    std::vector<second_sample> series;
    for (auto& v : viewers) {
      lat.merge(v->take_latency());
      auto s = v->counters().snapshot();
      total.units += s.units;
      total.bytes += s.bytes;
      total.stalls += s.stalls;
      total.errors += s.errors;
      const auto& ts = tracks[k++]->series;
      if (series.empty()) series = ts;
      else
        for (std::size_t i = 0; i < std::min(series.size(), ts.size()); ++i) {
          series[i].active += ts[i].active;
          series[i].units += ts[i].units;
          series[i].bytes += ts[i].bytes;
          series[i].stalls += ts[i].stalls;
          series[i].errors += ts[i].errors;
        }
    }
    parts["hls"] = result_json("hls", {}, series, total, lat);
    auto& kinds = parts["hls"]["errors_by_kind"] = nlohmann::json::object();
    for (auto& v : viewers)
      for (auto& [k, n] : v->errors_by_kind()) kinds[k] = kinds.value(k, std::int64_t{0}) + n;
  }
  if (chat) {
    parts["chat"] = chat->result({}, tracks[k++]->series);
  }
  if (!faults.empty() || !o.execs.empty()) {
    auto& ev = j["faults"] = nlohmann::json::array();
    for (auto& f : faults) ev.push_back(f.event);
    j["execs"] = exec_events;
    gap_report hg;
    for (auto& v : viewers) hg.merge(v->gaps(end_ns));
    if (!viewers.empty()) j["gaps"]["hls"] = gaps_json(hg);
    if (chat) j["gaps"]["chat"] = gaps_json(chat->gaps(end_ns));
  }
  return j;
}

}  // namespace onair::bench
