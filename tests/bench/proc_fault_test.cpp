// onair-bench's /proc parsers, fault schedule parsing, restart recipes and gap bookkeeping.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "bench/onair_bench/proc_stats.hpp"
#include "bench/onair_bench/process_control.hpp"
#include "bench/onair_bench/result_stats.hpp"
#include "bench/onair_bench/unit_gaps.hpp"

namespace onair::bench {
namespace {

// A /proc/PID/stat line (proc(5)) whose command name holds a space and a ')': fields are counted after
// the last ')'. pid 4242, comm "on air) x", state S, ppid 17, ... utime 250 (field 14), stime 75 (15).
const std::string stat_line =
    "4242 (on air) x) S 17 4242 4242 0 -1 4194560 1200 0 0 0 250 75 0 0 20 0 3 0 12345 100000000 2000 "
    "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";

TEST(proc_stats, cpu_ticks_and_parent_from_stat) {
  EXPECT_EQ(parse_stat_cpu_ticks(stat_line), 325);
  EXPECT_EQ(parse_stat_ppid(stat_line), 17);
  EXPECT_EQ(stat_field(stat_line, 3), "S");  // the state, what fault's kill waits on
  EXPECT_FALSE(stat_field(stat_line, 60));   // past the last field
  EXPECT_FALSE(parse_stat_cpu_ticks("4242 (x S 1 2"));       // no ')'
  EXPECT_FALSE(parse_stat_cpu_ticks("4242 (x) S 1 2 3"));    // too few fields
  EXPECT_FALSE(parse_stat_ppid("garbage"));
}

TEST(proc_stats, rss_from_status) {
  EXPECT_EQ(parse_status_rss_kb("Name:\tonair\nVmPeak:\t  9000 kB\nVmRSS:\t   51234 kB\nThreads:\t9\n"), 51234);
  EXPECT_EQ(parse_status_rss_kb("VmRSS:\t7 kB\n"), 7);
  EXPECT_FALSE(parse_status_rss_kb("Name:\tkthreadd\nThreads:\t1\n"));  // kernel threads have no VmRSS
}

TEST(proc_stats, cpu_percent_of_one_core) {
  proc_sample a{.cpu_s = 1.0, .rss_kb = 1, .at_ns = 0};
  proc_sample b{.cpu_s = 1.5, .rss_kb = 1, .at_ns = 2'000'000'000};
  EXPECT_DOUBLE_EQ(cpu_percent(a, b), 25.0);  // 0.5 CPU-s in 2 s
  proc_sample restarted{.cpu_s = 0.1, .rss_kb = 1, .at_ns = 3'000'000'000};
  EXPECT_EQ(cpu_percent(b, restarted), -1);    // counter went backwards: a new process
  EXPECT_EQ(cpu_percent(proc_sample{}, b), -1);  // nothing read before
}

TEST(proc_stats, sampler_reads_this_process) {
  server_sampler s({static_cast<int>(getpid())});
  auto first = s.sample();
  EXPECT_EQ(first.first, -1);  // no CPU figure before a second reading
  EXPECT_GT(first.second, 0);  // but RSS is known at once
  auto second = s.sample();
  EXPECT_GE(second.first, 0);
}

TEST(process_control, fault_specs) {
  fault_spec f;
  std::string err;
  ASSERT_TRUE(parse_fault_spec("1234:10:3.5", f, err)) << err;
  EXPECT_EQ(f.pid, 1234);
  EXPECT_EQ(f.at_s, 10);
  EXPECT_EQ(f.restart_after_s, 3.5);
  EXPECT_EQ(f.signal, 9);
  ASSERT_TRUE(parse_fault_spec("99:0.5", f, err));
  EXPECT_EQ(f.restart_after_s, -1);  // stays down
  EXPECT_FALSE(parse_fault_spec("1234", f, err));
  EXPECT_NE(err.find("PID:AT"), std::string::npos);
  EXPECT_FALSE(parse_fault_spec("abc:1", f, err));
  EXPECT_FALSE(parse_fault_spec("1:5", f, err));     // never init
  EXPECT_FALSE(parse_fault_spec("50:-1", f, err));
}

TEST(process_control, exec_specs) {
  exec_spec e;
  std::string err;
  ASSERT_TRUE(parse_exec_spec("8.5:onair drain --api http://127.0.0.1:1/ --wait", e, err)) << err;
  EXPECT_EQ(e.at_s, 8.5);
  EXPECT_EQ(e.command, "onair drain --api http://127.0.0.1:1/ --wait");  // later colons belong to the command
  EXPECT_FALSE(parse_exec_spec("onair drain", e, err));                 // no AT
  EXPECT_NE(err.find("AT:COMMAND"), std::string::npos);
  EXPECT_FALSE(parse_exec_spec("5x:true", e, err));  // AT not a number
  EXPECT_FALSE(parse_exec_spec("-1:true", e, err));
  EXPECT_FALSE(parse_exec_spec("3:  ", e, err));  // nothing to run
}

TEST(process_control, shell_command_runs) {
  const std::string marker = ::testing::TempDir() + "onair_exec_marker";
  std::remove(marker.c_str());
  auto spec = shell_command("echo ran > '" + marker + "'");
  EXPECT_EQ(spec.argv, (std::vector<std::string>{"sh", "-c", "echo ran > '" + marker + "'"}));
  const int pid = start_process(spec, "");
  ASSERT_GT(pid, 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::ifstream f(marker);
  std::string word;
  f >> word;
  EXPECT_EQ(word, "ran");
  std::remove(marker.c_str());
}

TEST(process_control, nul_lists_and_own_recipe) {
  EXPECT_EQ(split_nul_list(std::string("onair\0node\0--http-port\0" "8080\0", 28)),
            (std::vector<std::string>{"onair", "node", "--http-port", "8080"}));
  EXPECT_TRUE(split_nul_list("").empty());
  auto spec = read_process_spec(static_cast<int>(getpid()));
  ASSERT_FALSE(spec.argv.empty());
  EXPECT_FALSE(spec.exe.empty());
  EXPECT_FALSE(spec.cwd.empty());
  EXPECT_FALSE(spec.cpus.empty());  // at least the CPU this test runs on
  EXPECT_TRUE(read_process_spec(999999999).argv.empty());
}

TEST(result_maths, median_and_ratio) {
  EXPECT_EQ(median_of({3, 1, 2}), 2);
  EXPECT_EQ(median_of({4, 1, 3, 2}), 2.5);
  EXPECT_EQ(median_of({-1, 5, -1}), 5);  // -1 = not measured
  EXPECT_EQ(median_of({}), -1);
  EXPECT_EQ(ratio(3, 1.5), 2);
  EXPECT_EQ(ratio(0, 1), -1);
  EXPECT_EQ(ratio(1, -1), -1);
}

TEST(unit_gaps, longest_wait_after_the_mark_and_unrecovered_clients) {
  const std::int64_t ms = 1'000'000;
  unit_clock steady, recovered, lost, never;
  for (std::int64_t t = 100; t <= 2000; t += 100) steady.record_unit(t * ms, t >= 1000 ? 1000 * ms : 0);
  recovered.record_unit(900 * ms, 0);
  recovered.record_unit(3400 * ms, 1000 * ms);  // waited 2.5 s across the fault
  recovered.record_unit(3500 * ms, 1000 * ms);
  lost.record_unit(950 * ms, 0);                // nothing after the fault
  gap_report r;
  for (auto* c : {&steady, &recovered, &lost, &never}) r.add(*c, 1000 * ms, 5000 * ms);
  EXPECT_EQ(r.clients, 3);  // `never` had no unit at all
  EXPECT_EQ(r.recovered, 2);
  EXPECT_EQ(r.gap_ms.count(), 3u);
  EXPECT_NEAR(r.gap_ms.max_ms(), 4050, 0.5);   // the lost client: 950 ms -> end at 5000 ms
  // Percentiles are 1 ms bucket upper bounds: steady saw 100 ms between parts, recovered 2.5 s.
  EXPECT_NEAR(r.gap_ms.percentile_ms(0.33), 100, 1);
  EXPECT_NEAR(r.gap_ms.percentile_ms(0.66), 2500, 1);
}

}  // namespace
}  // namespace onair::bench
