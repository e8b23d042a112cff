#include "bench/onair_bench/hls_scenario.hpp"

#include <algorithm>
#include <cstdio>

#include "bench/onair_bench/hls_viewers.hpp"
#include "bench/onair_bench/run_common.hpp"

namespace onair::bench {

nlohmann::json run_hls(const hls_options& o) {
  nlohmann::json params = {{"url", o.url}, {"viewers", o.viewers}, {"duration_s", o.duration_s},
                           {"ramp_up_s", o.ramp_up_s}, {"threads", o.threads}, {"variant", o.variant},
                           {"server_pids", o.server_pids}};
  hls_viewers v(o.url, o.variant, o.threads, mono_ns() + static_cast<std::int64_t>(o.duration_s * 1e9));
  if (!v.error().empty()) return {{"error", v.error()}};
  server_sampler server(o.server_pids);
  track tr{"hls", "parts", &v.counters(), {}};
  supervision sv;
  sv.duration_s = o.duration_s;
  sv.tracks = {&tr};
  sv.server = &server;
  sv.tick = [&](double t) {
    if (t <= 0.1) v.add(o.viewers, o.ramp_up_s);
    v.check_stalls();
  };
  sv.done = [&] { return v.viewers() == o.viewers && v.all_finished(); };
  supervise(sv);
  v.stop();
  auto j = result_json("hls", params, tr.series, v.counters(), v.take_latency());
  j["errors_by_kind"] = v.errors_by_kind();
  return j;
}

nlohmann::json run_ramp(const ramp_options& o) {
  nlohmann::json params = {{"url", o.url},         {"start", o.start},     {"step", o.step},
                           {"max", o.max},         {"step_s", o.step_s},   {"threads", o.threads},
                           {"variant", o.variant}, {"server_pids", o.server_pids}};
  // Enough time for every step up to max; the ramp usually ends earlier, at the first stalling step.
  const int steps_max = 1 + std::max(0, (o.max - o.start + o.step - 1) / std::max(1, o.step));
  const double duration = steps_max * o.step_s + 1;
  hls_viewers v(o.url, o.variant, o.threads, mono_ns() + static_cast<std::int64_t>(duration * 1e9));
  if (!v.error().empty()) return {{"error", v.error()}};
  server_sampler server(o.server_pids);
  track tr{"hls", "parts", &v.counters(), {}};
  latency_histogram all;
  auto steps = nlohmann::json::array();
  int knee = 0;
  bool stop = false, stalled = false;
  double step_end = 0;
  counters_snapshot at_step_start;

  supervision sv;
  sv.duration_s = duration;
  sv.tracks = {&tr};
  sv.server = &server;
  sv.tick = [&](double t) {
    v.check_stalls();
    if (t + 1e-9 < step_end) return;
    // A step ended: judge it, then add the next batch of viewers (spread over the first fifth of the step).
    if (step_end > 0) {
      auto now = v.counters().snapshot();
      auto lat = v.take_latency();
      const auto stalls = now.stalls - at_step_start.stalls;
      const auto errors = now.errors - at_step_start.errors;
      std::vector<double> step_cpu, client_cpu;
      for (const auto& x : tr.series)
        if (x.t_s > step_end - o.step_s) {
          step_cpu.push_back(x.server_cpu_pct);
          client_cpu.push_back(x.client_cpu_pct);
        }
      nlohmann::json st = {{"viewers", v.viewers()},
                           {"active", now.active},
                           {"parts", now.units - at_step_start.units},
                           {"mbit_s", static_cast<double>(now.bytes - at_step_start.bytes) * 8 / 1e6 / o.step_s},
                           {"stalls", stalls},
                           {"errors", errors},
                           {"latency_p50_ms", lat.percentile_ms(0.5)},
                           {"latency_p99_ms", lat.percentile_ms(0.99)},
                           {"server_cpu_pct_median", median_of(step_cpu)},
                           {"client_cpu_pct_median", median_of(client_cpu)}};
      steps.push_back(st);
      all.merge(lat);
      std::fprintf(stderr, "\nstep: %d viewers, %lld stalls, %lld errors, latency p99 %.0f ms\n", v.viewers(),
                   static_cast<long long>(stalls), static_cast<long long>(errors), lat.percentile_ms(0.99));
      if (stalls == 0 && errors == 0 && now.active == v.viewers()) knee = v.viewers();
      else stop = stalled = true;
      if (v.viewers() >= o.max) stop = true;
      at_step_start = now;
    }
    if (stop) return;
    const int add = step_end == 0 ? o.start : std::min(o.step, o.max - v.viewers());
    v.add(add, o.step_s / 5);
    step_end = (step_end == 0 ? t : step_end) + o.step_s;
  };
  sv.done = [&] { return stop; };
  supervise(sv);
  v.stop();
  all.merge(v.take_latency());
  auto j = result_json("ramp", params, tr.series, v.counters(), all);
  j["steps"] = steps;
  j["errors_by_kind"] = v.errors_by_kind();
  j["knee_viewers"] = knee;
  // Without a stalling step the knee lies above --max: the figure is a lower bound.
  j["knee_found"] = stalled;
  return j;
}

}  // namespace onair::bench
