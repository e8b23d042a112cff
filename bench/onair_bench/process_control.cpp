#include "bench/onair_bench/process_control.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "bench/onair_bench/proc_stats.hpp"

namespace onair::bench {

namespace {

/// 'Z' (zombie) or 'X' (dead) in /proc/PID/stat, or no such process: it no longer runs.
bool gone(int pid) {
  const auto stat = read_proc_file("/proc/" + std::to_string(pid) + "/stat");  // stat_field views into it
  auto state = stat_field(stat, 3);
  return !state || *state == "Z" || *state == "X";
}

}  // namespace

bool parse_fault_spec(const std::string& text, fault_spec& out, std::string& error) {
  fault_spec f;
  try {
    std::size_t a = text.find(':');
    if (a == std::string::npos) throw std::invalid_argument("no ':'");
    f.pid = std::stoi(text.substr(0, a));
    std::size_t b = text.find(':', a + 1);
    f.at_s = std::stod(text.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1));
    if (b != std::string::npos) f.restart_after_s = std::stod(text.substr(b + 1));
  } catch (const std::exception&) {
    error = "--kill wants PID:AT[:RESTART_AFTER] in seconds, got '" + text + "'";
    return false;
  }
  if (f.pid <= 1 || f.at_s < 0) {
    error = "--kill: PID must be > 1 and AT >= 0 in '" + text + "'";
    return false;
  }
  out = f;
  return true;
}

bool parse_exec_spec(const std::string& text, exec_spec& out, std::string& error) {
  const auto colon = text.find(':');
  exec_spec e;
  try {
    if (colon == std::string::npos) throw std::invalid_argument("no ':'");
    std::size_t used = 0;
    e.at_s = std::stod(text.substr(0, colon), &used);
    if (used != colon) throw std::invalid_argument("trailing characters");
  } catch (const std::exception&) {
    error = "--exec wants AT:COMMAND (AT in seconds), got '" + text + "'";
    return false;
  }
  e.command = text.substr(colon + 1);
  if (e.at_s < 0 || e.command.find_first_not_of(" \t") == std::string::npos) {
    error = "--exec: AT must be >= 0 and COMMAND not empty in '" + text + "'";
    return false;
  }
  out = e;
  return true;
}

process_spec shell_command(const std::string& command) {
  process_spec s;
  s.exe = "/bin/sh";
  s.argv = {"sh", "-c", command};
  for (char** e = environ; e && *e; ++e) s.env.emplace_back(*e);
  if (char* cwd = getcwd(nullptr, 0)) {
    s.cwd = cwd;
    std::free(cwd);
  }
  return s;
}

std::vector<std::string> split_nul_list(const std::string& bytes) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < bytes.size()) {
    auto j = bytes.find('\0', i);
    if (j == std::string::npos) j = bytes.size();
    out.push_back(bytes.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

process_spec read_process_spec(int pid) {
  process_spec s;
  const std::string dir = "/proc/" + std::to_string(pid);
  s.argv = split_nul_list(read_proc_file(dir + "/cmdline"));
  s.env = split_nul_list(read_proc_file(dir + "/environ"));
  char buf[PATH_MAX];
  auto n = readlink((dir + "/cwd").c_str(), buf, sizeof buf - 1);
  if (n > 0) s.cwd.assign(buf, static_cast<std::size_t>(n));
  n = readlink((dir + "/exe").c_str(), buf, sizeof buf - 1);
  // A binary replaced since the start reads "PATH (deleted)": then argv[0] is the better guess.
  if (n > 0) s.exe.assign(buf, static_cast<std::size_t>(n));
  if (s.exe.ends_with(" (deleted)") && !s.argv.empty()) s.exe = s.argv[0];
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(pid, sizeof set, &set) == 0)
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &set)) s.cpus.push_back(c);
  return s;
}

bool kill_and_wait(int pid, int signal, int wait_ms) {
  if (pid <= 0 || ::kill(pid, signal) != 0) return false;
  for (int waited = 0; waited < wait_ms && !gone(pid); waited += 10) {
    // Our own child (a node this tool restarted earlier) must be reaped to stop being a zombie.
    waitpid(pid, nullptr, WNOHANG);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  waitpid(pid, nullptr, WNOHANG);
  return true;
}

int start_process(const process_spec& spec, const std::string& log_path) {
  if (spec.argv.empty()) return -1;
  std::vector<char*> argv, envp;
  for (auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const std::string out = log_path.empty() ? "/dev/null" : log_path;
  const pid_t pid = fork();
  if (pid != 0) return pid < 0 ? -1 : pid;
  // Child: own process group (a Ctrl-C to the bench does not reach the node), same cwd, output to the log.
  setpgid(0, 0);
  if (!spec.cpus.empty()) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int c : spec.cpus) CPU_SET(c, &set);
    sched_setaffinity(0, sizeof set, &set);
  }
  if (!spec.cwd.empty() && chdir(spec.cwd.c_str()) != 0) _exit(127);
  int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  int nul = open("/dev/null", O_RDONLY);
  if (fd >= 0) {
    dup2(fd, 1);
    dup2(fd, 2);
  }
  if (nul >= 0) dup2(nul, 0);
  execve(spec.exe.empty() ? argv[0] : spec.exe.c_str(), argv.data(), envp.data());
  _exit(127);
}

}  // namespace onair::bench
