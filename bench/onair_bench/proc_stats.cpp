#include "bench/onair_bench/proc_stats.hpp"

#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

namespace onair::bench {

namespace {

std::optional<std::int64_t> to_int(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p == s.data()) return std::nullopt;
  return v;
}

}  // namespace

std::string read_proc_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::optional<std::string_view> stat_field(std::string_view line, int n) {
  auto close = line.rfind(')');
  if (close == std::string_view::npos || n < 3) return std::nullopt;
  // Fields resume after the command name's last ')': field 3 is the first one there.
  std::string_view rest = line.substr(close + 1);
  std::size_t i = 0;
  for (int field = 3;; ++field) {
    while (i < rest.size() && rest[i] == ' ') ++i;
    if (i >= rest.size()) return std::nullopt;
    auto j = std::min(rest.find(' ', i), rest.size());
    if (field == n) return rest.substr(i, j - i);
    i = j;
  }
}

std::optional<std::int64_t> parse_stat_cpu_ticks(std::string_view line) {
  // utime and stime are fields 14 and 15 (proc(5)).
  auto ut = stat_field(line, 14), st = stat_field(line, 15);
  if (!ut || !st) return std::nullopt;
  auto u = to_int(*ut), s = to_int(*st);
  if (!u || !s) return std::nullopt;
  return *u + *s;
}

std::optional<int> parse_stat_ppid(std::string_view line) {
  auto f = stat_field(line, 4);
  if (!f) return std::nullopt;
  auto v = to_int(*f);
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

std::optional<std::int64_t> parse_status_rss_kb(std::string_view text) {
  auto p = text.find("\nVmRSS:");
  if (p == std::string_view::npos) {
    if (text.rfind("VmRSS:", 0) != 0) return std::nullopt;
    p = 0;
  } else {
    ++p;
  }
  auto i = p + 6;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  auto j = i;
  while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
  return to_int(text.substr(i, j - i));
}

proc_sample sample_proc(int pid) {
  proc_sample s;
  s.at_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::steady_clock::now().time_since_epoch()).count();
  if (pid <= 0) return s;
  const std::string dir = "/proc/" + std::to_string(pid);
  if (auto t = parse_stat_cpu_ticks(read_proc_file(dir + "/stat")))
    s.cpu_s = static_cast<double>(*t) / static_cast<double>(sysconf(_SC_CLK_TCK));
  if (auto r = parse_status_rss_kb(read_proc_file(dir + "/status"))) s.rss_kb = *r;
  return s;
}

std::vector<std::pair<int, int>> proc_parents() {
  std::vector<std::pair<int, int>> out;
  for (const auto& e : std::filesystem::directory_iterator("/proc", std::filesystem::directory_options::skip_permission_denied)) {
    auto p = to_int(e.path().filename().string());
    if (!p) continue;
    if (auto pp = parse_stat_ppid(read_proc_file(e.path().string() + "/stat"))) out.emplace_back(static_cast<int>(*p), *pp);
  }
  return out;
}

proc_sample sample_proc_tree(int pid, const std::vector<std::pair<int, int>>& parents) {
  auto total = sample_proc(pid);
  if (total.cpu_s < 0) return total;
  std::vector<int> tree{pid};
  for (std::size_t i = 0; i < tree.size(); ++i)
    for (auto [child, parent] : parents)
      if (parent == tree[i]) tree.push_back(child);
  for (std::size_t i = 1; i < tree.size(); ++i) {
    auto s = sample_proc(tree[i]);
    if (s.cpu_s > 0) total.cpu_s += s.cpu_s;
    if (s.rss_kb > 0) total.rss_kb += s.rss_kb;
  }
  return total;
}

double cpu_percent(const proc_sample& a, const proc_sample& b) {
  if (a.cpu_s < 0 || b.cpu_s < 0 || b.at_ns <= a.at_ns || b.cpu_s < a.cpu_s) return -1;
  return (b.cpu_s - a.cpu_s) * 100.0 / (static_cast<double>(b.at_ns - a.at_ns) / 1e9);
}

server_sampler::server_sampler(std::vector<int> pids, bool with_children)
    : pids_(std::move(pids)), prev_(pids_.size()), with_children_(with_children) {}

void server_sampler::replace(int old_pid, int new_pid) {
  for (std::size_t i = 0; i < pids_.size(); ++i)
    if (pids_[i] == old_pid) {
      pids_[i] = new_pid;
      prev_[i] = proc_sample{};
    }
}

std::pair<double, double> server_sampler::sample() {
  double cpu = 0, rss_kb = 0;
  bool any_cpu = false;
  // One scan of /proc serves every PID's tree.
  const auto parents = with_children_ ? proc_parents() : std::vector<std::pair<int, int>>{};
  for (std::size_t i = 0; i < pids_.size(); ++i) {
    auto now = with_children_ ? sample_proc_tree(pids_[i], parents) : sample_proc(pids_[i]);
    if (auto pct = cpu_percent(prev_[i], now); pct >= 0) {
      cpu += pct;
      any_cpu = true;
    }
    if (now.rss_kb > 0) rss_kb += static_cast<double>(now.rss_kb);
    prev_[i] = now;
  }
  return {any_cpu ? cpu : -1, rss_kb / 1024.0};
}

}  // namespace onair::bench
