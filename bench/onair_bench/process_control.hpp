#pragma once
/// Killing and restarting server processes by PID for the fault scenario. A restart runs the same
/// command line in the same working directory with the same environment, read from /proc before the
/// kill, so the node comes back on the ports and data folder it had.
#include <string>
#include <vector>

namespace onair::bench {

/// How to start a process again.
struct process_spec {
  std::string exe;  ///< /proc/PID/exe (argv[0] may be a bare name found through PATH)
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::string cwd;
  std::vector<int> cpus;  ///< CPU affinity (a node started under `taskset` comes back pinned the same way)
};

/// One scheduled fault: signal `pid` at `at_s`, start it again `restart_after_s` later (< 0: never).
struct fault_spec {
  int pid = 0;
  double at_s = 0;
  double restart_after_s = -1;
  int signal = 9;
};

/// Parses "PID:AT[:RESTART_AFTER]" (seconds); false with a message in `error` when malformed.
bool parse_fault_spec(const std::string& text, fault_spec& out, std::string& error);

/// A command run at a time of the fault scenario (e.g. `onair drain`: a planned fault, not a crash).
struct exec_spec {
  double at_s = 0;
  std::string command;  ///< run with /bin/sh -c, in the background, output to the restart log
};

/// Parses "AT:COMMAND" (seconds); false with a message in `error` when malformed.
bool parse_exec_spec(const std::string& text, exec_spec& out, std::string& error);

/// The process spec of `/bin/sh -c command` in this process's working directory and environment.
process_spec shell_command(const std::string& command);

/// Reads /proc/PID/{cmdline,environ,cwd}; empty argv when the process cannot be read.
process_spec read_process_spec(int pid);

/// Splits a NUL-separated /proc list (cmdline, environ) into its strings.
std::vector<std::string> split_nul_list(const std::string& bytes);

/// Sends `signal` to `pid` and waits up to `wait_ms` for it to be gone (or a zombie awaiting its
/// parent). Returns false when the signal could not be sent.
bool kill_and_wait(int pid, int signal, int wait_ms);

/// Starts `spec` detached from this process's terminal signals, output appended to `log_path`
/// (/dev/null when empty). Returns the new PID, or -1.
int start_process(const process_spec& spec, const std::string& log_path);

}  // namespace onair::bench
