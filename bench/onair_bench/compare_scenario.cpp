#include "bench/onair_bench/compare_scenario.hpp"

#include <algorithm>
#include <cstdio>

#include "bench/onair_bench/mixed_scenario.hpp"
#include "bench/onair_bench/result_stats.hpp"

namespace onair::bench {

namespace {

/// What a side's viewers saw and its server spent, over the seconds after every viewer had joined.
nlohmann::json summarize(const nlohmann::json& r, double from_s) {
  const auto& hls = r["parts"]["hls"];
  std::vector<double> cpu, rss, mbit, client;
  for (const auto& s : hls["series"]) {
    if (s["t"].get<double>() <= from_s) continue;
    mbit.push_back(s["bytes"].get<double>() * 8 / 1e6);
    client.push_back(s.value("client_cpu_pct", -1.0));
    if (s.contains("server_cpu_pct")) {
      cpu.push_back(s["server_cpu_pct"].get<double>());
      rss.push_back(s["server_rss_mb"].get<double>());
    }
  }
  const auto& l = hls["latency_ms"];
  return {{"viewers_parts", hls["totals"]["units"]},
          {"stalls", hls["totals"]["stalls"]},
          {"errors", hls["totals"]["errors"]},
          {"latency_p50_ms", l["p50"]},
          {"latency_p99_ms", l["p99"]},
          {"mbit_s_median", median_of(mbit)},
          {"server_cpu_pct_median", median_of(cpu)},
          {"server_rss_mb_median", median_of(rss)},
          {"client_cpu_pct_median", median_of(client)}};
}

}  // namespace

nlohmann::json run_compare(const compare_options& o) {
  nlohmann::json j;
  j["tool"] = "onair-bench";
  j["scenario"] = "compare";
  j["params"] = {{"file", o.file},         {"viewers", o.viewers},     {"duration_s", o.duration_s},
                 {"warmup_s", o.warmup_s}, {"ramp_up_s", o.ramp_up_s}, {"threads", o.threads}};
  nlohmann::json sides = nlohmann::json::array();
  for (const auto* t : {&o.a, &o.b}) {
    std::fprintf(stderr, "compare: %s\n", t->name.c_str());
    mixed_options m;
    m.rtmp_urls = {t->rtmp_url};
    m.file = o.file;
    m.hls_urls = {t->hls_url};
    m.viewers = o.viewers;
    m.hls_start_s = o.warmup_s;
    m.ramp_up_s = o.ramp_up_s;
    m.threads = o.threads;
    m.duration_s = o.warmup_s + o.duration_s;
    if (t->pid > 0) m.server_pids = {t->pid};
    auto r = run_mixed(m, "mixed");
    if (r.contains("error")) return {{"error", t->name + ": " + r["error"].get<std::string>()}};
    r["name"] = t->name;
    r["summary"] = summarize(r, o.warmup_s + o.ramp_up_s);
    sides.push_back(r);
  }
  j["sides"] = sides;
  const auto& a = sides[0]["summary"];
  const auto& b = sides[1]["summary"];
  auto& ratios = j["ratios"] = nlohmann::json::object();
  for (const char* k : {"latency_p50_ms", "latency_p99_ms", "server_cpu_pct_median", "server_rss_mb_median", "mbit_s_median"})
    ratios[k] = ratio(a[k].get<double>(), b[k].get<double>());
  j["ratios_are"] = o.a.name + " / " + o.b.name;
  return j;
}

}  // namespace onair::bench
