#include "bench/onair_bench/run_common.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <thread>

namespace onair::bench {

counters_snapshot live_counters::snapshot() const {
  counters_snapshot s;
  s.active = active.load(std::memory_order_relaxed);
  s.units = units.load(std::memory_order_relaxed);
  s.bytes = bytes.load(std::memory_order_relaxed);
  s.stalls = stalls.load(std::memory_order_relaxed);
  s.errors = errors.load(std::memory_order_relaxed);
  return s;
}

std::int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t mono_ns() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

void supervise(supervision& sv) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<counters_snapshot> prev;
  for (auto* t : sv.tracks) prev.push_back(t->counters->snapshot());
  int second = 0;
  server_sampler self({static_cast<int>(getpid())}, false);
  self.sample();
  for (int i = 1;; ++i) {
    std::this_thread::sleep_until(start + std::chrono::milliseconds(100 * i));
    const double t = i / 10.0;
    if (sv.tick) sv.tick(t);
    if (i % 10 == 0) {
      ++second;
      std::pair<double, double> server{-1, -1};
      if (sv.server && !sv.server->empty()) server = sv.server->sample();
      const double client_cpu = self.sample().first;
      std::string line = "\r[" + std::to_string(second) + "s]";
      char buf[256];
      for (std::size_t k = 0; k < sv.tracks.size(); ++k) {
        auto& tr = *sv.tracks[k];
        auto now = tr.counters->snapshot();
        auto s = delta_sample(second, prev[k], now);
        s.server_cpu_pct = server.first;
        s.server_rss_mb = server.second;
        s.client_cpu_pct = client_cpu;
        prev[k] = now;
        tr.series.push_back(s);
        std::snprintf(buf, sizeof buf, " %s: active %lld %s/s %lld %.2f Mbit/s stalls %lld/%lld errors %lld |",
                      tr.name.c_str(), static_cast<long long>(s.active), tr.unit.c_str(),
                      static_cast<long long>(s.units), static_cast<double>(s.bytes) * 8 / 1e6,
                      static_cast<long long>(s.stalls), static_cast<long long>(now.stalls),
                      static_cast<long long>(now.errors));
        line += buf;
      }
      if (server.second >= 0) {
        std::snprintf(buf, sizeof buf, " server %.0f%% CPU %.0f MB", std::max(0.0, server.first), server.second);
        line += buf;
      }
      std::snprintf(buf, sizeof buf, " | client %.0f%% CPU", std::max(0.0, client_cpu));
      line += buf;
      std::fprintf(stderr, "%s   ", line.c_str());
      std::fflush(stderr);
    }
    if (t >= sv.duration_s || (sv.done && sv.done())) break;
  }
  std::fprintf(stderr, "\n");
}

nlohmann::json result_json(const std::string& scenario, const nlohmann::json& params,
                           const std::vector<second_sample>& series, const live_counters& c,
                           const latency_histogram& latency) {
  nlohmann::json j;
  j["tool"] = "onair-bench";
  j["scenario"] = scenario;
  j["params"] = params;
  auto& s = j["series"] = nlohmann::json::array();
  for (const auto& x : series) {
    nlohmann::json p = {{"t", x.t_s},           {"active", x.active}, {"units", x.units},
                        {"bytes", x.bytes},     {"stalls", x.stalls}, {"errors", x.errors}};
    if (x.client_cpu_pct >= 0) p["client_cpu_pct"] = x.client_cpu_pct;
    if (x.server_rss_mb >= 0) {
      p["server_cpu_pct"] = x.server_cpu_pct;
      p["server_rss_mb"] = x.server_rss_mb;
    }
    s.push_back(std::move(p));
  }
  auto total = c.snapshot();
  j["totals"] = {{"units", total.units}, {"bytes", total.bytes}, {"stalls", total.stalls}, {"errors", total.errors}};
  j["latency_ms"] = latency_json(latency);
  return j;
}

nlohmann::json latency_json(const latency_histogram& latency) {
  nlohmann::json l = {{"count", latency.count()}, {"mean", latency.mean_ms()}, {"p50", latency.percentile_ms(0.5)},
                      {"p90", latency.percentile_ms(0.9)}, {"p95", latency.percentile_ms(0.95)},
                      {"p99", latency.percentile_ms(0.99)}, {"max", latency.max_ms()}};
  // At most ~400 CDF points keep the file small; the last point (fraction 1) is always kept.
  auto cdf = latency.cdf();
  auto& out = l["cdf"] = nlohmann::json::array();
  const std::size_t step = std::max<std::size_t>(1, cdf.size() / 400);
  for (std::size_t i = 0; i < cdf.size(); ++i)
    if (i % step == 0 || i + 1 == cdf.size()) out.push_back({cdf[i].first, cdf[i].second});
  return l;
}

bool write_json(const std::string& path, const nlohmann::json& j) {
  std::ofstream f(path);
  f << j.dump(1) << "\n";
  return static_cast<bool>(f);
}

void raise_fd_limit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
}

}  // namespace onair::bench
