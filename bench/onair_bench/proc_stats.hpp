#pragma once
/// A server process's CPU time and resident memory from Linux /proc (proc(5)): what the load tester
/// plots next to what the clients saw. The parsers are pure so tests can feed them recorded lines.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onair::bench {

/// The whole text of a /proc file (empty when it cannot be read, e.g. the process is gone).
std::string read_proc_file(const std::string& path);

/// Field `n` (proc(5) numbering, n >= 3) of a /proc/PID/stat line. The command name (field 2) may hold
/// spaces and parentheses, so fields are counted after its last ')'.
std::optional<std::string_view> stat_field(std::string_view stat_line, int n);

/// utime + stime (fields 14 and 15 of /proc/PID/stat, in clock ticks) of all threads of the process.
std::optional<std::int64_t> parse_stat_cpu_ticks(std::string_view stat_line);

/// VmRSS of /proc/PID/status in KiB.
std::optional<std::int64_t> parse_status_rss_kb(std::string_view status_text);

/// The parent PID (field 4 of /proc/PID/stat); nullopt when the line is malformed.
std::optional<int> parse_stat_ppid(std::string_view stat_line);

/// One reading of a process.
struct proc_sample {
  double cpu_s = -1;        ///< utime+stime in seconds; -1 when the process could not be read
  std::int64_t rss_kb = -1; ///< VmRSS; -1 when unknown
  std::int64_t at_ns = 0;   ///< steady clock when read
};

/// Reads /proc/PID/stat and /proc/PID/status now.
proc_sample sample_proc(int pid);

/// (pid, parent pid) of every process in /proc.
std::vector<std::pair<int, int>> proc_parents();

/// Reads `pid` and all its descendants (nginx's workers under its master, found in `parents`) and sums them.
proc_sample sample_proc_tree(int pid, const std::vector<std::pair<int, int>>& parents);

/// CPU use between two readings in percent of one core (100 = one core busy); -1 when either is
/// missing, the clock did not advance, or the counter went backwards (the PID was restarted).
double cpu_percent(const proc_sample& before, const proc_sample& after);

/// Samples a set of server processes (a cluster's nodes) with their descendants once a second and sums
/// them: CPU % of one core and RSS. A PID that is gone (killed by a fault scenario) counts as 0 until replaced.
class server_sampler {
 public:
  /// `with_children`: add each PID's descendants (one /proc scan per sample for all PIDs).
  explicit server_sampler(std::vector<int> pids = {}, bool with_children = true);
  /// Replaces `old_pid` (a restarted node) by `new_pid`; the new process's first second reads no CPU.
  void replace(int old_pid, int new_pid);
  bool empty() const { return pids_.empty(); }
  const std::vector<int>& pids() const { return pids_; }
  /// Reads every PID; returns {CPU % since the previous call (-1 on the first), RSS MB} summed.
  std::pair<double, double> sample();

 private:
  std::vector<int> pids_;
  std::vector<proc_sample> prev_;
  bool with_children_ = true;
};

}  // namespace onair::bench
