// Deterministic simulation of the SWIM+Lifeguard core (DESIGN.md section 5): N `swim` instances on a
// simulated network with loss, latency and partitions, driven by a fake clock. Figures printed here
// ("[gossip-sim] ...") go into docs/benchmarks.md "## Gossip".
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>

#include "tests/cluster/sim_network.hpp"

namespace onair::cluster {
namespace {

using sim::network;
using kind = member_event::kind;

/// Defaults under test: what operators get (swim_config{}).
swim_config defaults() { return swim_config{}; }

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const auto idx = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1;
  return v[std::min(idx, v.size() - 1)];
}

double median(std::vector<double> v) { return percentile(std::move(v), 0.5); }

/// Joins nodes 1..n-1 one by one (every 20 ms) through node 0 and a random earlier node (retrying
/// through node 0 while a lost join left a node outside node 0's cluster), then runs until every member
/// sees every other alive. Returns the simulated time that took.
std::int64_t bootstrap(network& net, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::size_t n = net.nodes().size();
  for (std::size_t i = 1; i < n; ++i) {
    net.run_until(static_cast<std::int64_t>(i) * 20);
    net.join(i, {0, static_cast<std::size_t>(rng() % i)});  // a fixed seed plus any earlier member
  }
  const std::int64_t start = net.now();
  std::int64_t last_retry = start;
  while (!net.converged() && net.now() < start + 120'000) {
    net.run_until(net.now() + 500);
    if (net.now() - last_retry >= 5000) {  // as gossip_node does: retry the seeds while alone (loss)
      last_retry = net.now();
      for (std::size_t i = 1; i < n; ++i) {
        const auto ms = net.nodes()[i].core->members();
        if (std::none_of(ms.begin(), ms.end(), [](const member& m) { return m.node_id == network::id_of(0); }))
          net.join(i, {0});
      }
    }
  }
  EXPECT_TRUE(net.converged()) << "bootstrap did not converge";
  if (!net.converged())
    for (auto& nd : net.nodes()) {
      std::map<int, int> st;
      for (auto& m : nd.core->members()) ++st[(int)m.state];
      if (st[0] != (int)n) std::printf("  %s sees alive=%d suspect=%d dead=%d left=%d\n", nd.id.c_str(), st[0], st[1], st[2], st[3]);
    }
  return net.now() - start;
}

struct load_figures {
  double packets_per_s, bytes_per_s;
};

load_figures per_member_load(network& net, std::int64_t since_ms) {
  std::vector<double> pk, by;
  const double secs = static_cast<double>(net.now() - since_ms) / 1000.0;
  for (const auto& n : net.nodes()) {
    if (!n.up) continue;
    pk.push_back(static_cast<double>(n.packets_out) / secs);
    by.push_back(static_cast<double>(n.bytes_out) / secs);
  }
  return {median(pk), median(by)};
}

std::size_t count(const network& net, kind k, std::int64_t since = 0) {
  return static_cast<std::size_t>(std::count_if(net.log().begin(), net.log().end(),
                                                [&](const auto& o) { return o.what == k && o.t >= since; }));
}

// (a) 100 members, 5 % loss on every packet, nobody fails, 10 simulated minutes: no member is ever
// declared dead by anyone; suspicions happen and are refuted.
TEST(SwimSimulation, NoFalseDeathsUnderFivePercentLoss) {
  const auto wall = std::chrono::steady_clock::now();
  network net(100, defaults(), 42, 0.05, 1, 20);
  bootstrap(net, 42);
  net.clear_log();
  net.reset_counters();
  const std::int64_t t0 = net.now();
  net.run_until(t0 + 10 * 60'000);
  EXPECT_EQ(count(net, kind::dead), 0u);
  EXPECT_EQ(count(net, kind::left), 0u);
  EXPECT_TRUE(net.converged());
  const auto ld = per_member_load(net, t0);
  std::uint32_t max_health = 0;
  for (auto& n : net.nodes()) max_health = std::max(max_health, n.core->local_health());
  std::printf("[gossip-sim] a: n=100 loss=5%% 600s: dead=%zu suspect=%zu alive_again=%zu max_local_health=%u "
              "per-member %.1f pkt/s %.0f B/s (wall %.1fs)\n",
              count(net, kind::dead), count(net, kind::suspect), count(net, kind::alive_again), max_health,
              ld.packets_per_s, ld.bytes_per_s,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count());
}

struct detection {
  std::vector<double> per_observer_s;
  load_figures load;
};

/// Kills one member after a converged start and measures when each observer declares it dead.
detection kill_one(std::size_t n, std::uint64_t seed, double loss, swim_config cfg = defaults()) {
  network net(n, cfg, seed, loss, 1, 20);
  bootstrap(net, seed);
  // Steady-state load over 60 s before the failure.
  net.reset_counters();
  const std::int64_t l0 = net.now();
  net.run_until(l0 + 60'000);
  detection d;
  d.load = per_member_load(net, l0);
  net.clear_log();
  const std::size_t victim = n / 2;
  const std::int64_t t_kill = net.now();
  net.kill(victim);
  net.run_until(t_kill + 60'000);
  std::map<std::size_t, std::int64_t> first_dead;
  for (const auto& o : net.log())
    if (o.what == kind::dead && o.subject == network::id_of(victim) && !first_dead.count(o.observer))
      first_dead[o.observer] = o.t;
  EXPECT_EQ(first_dead.size(), n - 1) << "every other member marks the victim dead";
  for (auto& [obs, t] : first_dead) d.per_observer_s.push_back(static_cast<double>(t - t_kill) / 1000.0);
  EXPECT_EQ(count(net, kind::dead) - first_dead.size(), 0u) << "nobody else is declared dead";
  return d;
}

// (b) 100 members, one dies: every other member marks it dead; p99 detection ≤ 5 s (simulated).
TEST(SwimSimulation, DetectsAFailureWithinFiveSecondsAtP99) {
  std::vector<double> p50s, p99s, pkts, bytes;
  for (std::uint64_t seed : {1, 2, 3, 4, 5}) {
    const auto d = kill_one(100, seed, 0.0);
    const double p50 = percentile(d.per_observer_s, 0.5), p99 = percentile(d.per_observer_s, 0.99);
    std::printf("[gossip-sim] b: n=100 loss=0 seed=%llu detection p50=%.2fs p99=%.2fs max=%.2fs; "
                "per-member %.1f pkt/s %.0f B/s\n",
                static_cast<unsigned long long>(seed), p50, p99, percentile(d.per_observer_s, 1.0),
                d.load.packets_per_s, d.load.bytes_per_s);
    EXPECT_LE(p99, 5.0) << "seed " << seed;
    p50s.push_back(p50);
    p99s.push_back(p99);
    pkts.push_back(d.load.packets_per_s);
    bytes.push_back(d.load.bytes_per_s);
  }
  std::printf("[gossip-sim] b: n=100 medians of 5 seeds: detection p50=%.2fs p99=%.2fs; per-member %.1f pkt/s "
              "%.0f B/s\n",
              median(p50s), median(p99s), median(pkts), median(bytes));
}

TEST(SwimSimulation, DetectionAndLoadWithThreeMembersAndWithLoss) {
  std::vector<double> p50s, p99s, pkts, bytes;
  for (std::uint64_t seed : {1, 2, 3, 4, 5}) {
    const auto d = kill_one(3, seed, 0.0);
    p50s.push_back(percentile(d.per_observer_s, 0.5));
    p99s.push_back(percentile(d.per_observer_s, 0.99));
    pkts.push_back(d.load.packets_per_s);
    bytes.push_back(d.load.bytes_per_s);
  }
  std::printf("[gossip-sim] n=3 loss=0 medians of 5 seeds: detection p50=%.2fs p99=%.2fs; per-member %.1f pkt/s "
              "%.0f B/s\n",
              median(p50s), median(p99s), median(pkts), median(bytes));
  EXPECT_LE(median(p99s), 5.0);
  p50s.clear(), p99s.clear(), pkts.clear(), bytes.clear();
  for (std::uint64_t seed : {1, 2, 3}) {
    const auto d = kill_one(100, seed, 0.05);
    p50s.push_back(percentile(d.per_observer_s, 0.5));
    p99s.push_back(percentile(d.per_observer_s, 0.99));
    pkts.push_back(d.load.packets_per_s);
    bytes.push_back(d.load.bytes_per_s);
  }
  std::printf("[gossip-sim] n=100 loss=5%% medians of 3 seeds: detection p50=%.2fs p99=%.2fs; per-member "
              "%.1f pkt/s %.0f B/s\n",
              median(p50s), median(p99s), median(pkts), median(bytes));
}

// The same failure under memberlist's DefaultLANConfig timings (ProbeInterval 1 s, ProbeTimeout 500 ms,
// SuspicionMult 4, SuspicionMaxTimeoutMult 6 → max = 24 × log10(n) × interval, GossipInterval 200 ms,
// GossipNodes 3, RetransmitMult 4), measured in the same run as a reference point. Not asserted.
TEST(SwimSimulation, MemberlistLanTimingsForComparison) {
  swim_config lan;
  lan.probe_interval_ms = 1000;
  lan.probe_timeout_ms = 500;
  lan.suspicion_min_mult = 4;
  lan.suspicion_max_mult = 24;
  lan.gossip_interval_ms = 200;
  std::vector<double> p50s, p99s, pkts, bytes;
  for (std::uint64_t seed : {1, 2, 3}) {
    const auto d = kill_one(100, seed, 0.0, lan);
    p50s.push_back(percentile(d.per_observer_s, 0.5));
    p99s.push_back(percentile(d.per_observer_s, 0.99));
    pkts.push_back(d.load.packets_per_s);
    bytes.push_back(d.load.bytes_per_s);
  }
  std::printf("[gossip-sim] memberlist-LAN timings n=100 loss=0 medians of 3 seeds: detection p50=%.2fs "
              "p99=%.2fs; per-member %.1f pkt/s %.0f B/s\n",
              median(p50s), median(p99s), median(pkts), median(bytes));
}

// (c) Two halves cut off for 20 s, then healed: everyone converges to the same all-alive view; members
// declared dead during the partition come back by refuting with a higher incarnation.
TEST(SwimSimulation, HealedPartitionConverges) {
  network net(100, defaults(), 7, 0.0, 1, 20);
  bootstrap(net, 7);
  net.clear_log();
  for (std::size_t a = 0; a < 50; ++a)
    for (std::size_t b = 50; b < 100; ++b) net.block(a, b);
  const std::int64_t t_cut = net.now();
  net.run_until(t_cut + 20'000);
  const std::size_t deaths = count(net, kind::dead);
  EXPECT_GT(deaths, 0u) << "each half declares the other dead during a 20 s partition";
  net.heal();
  const std::int64_t t_heal = net.now();
  while (!net.converged() && net.now() < t_heal + 120'000) net.run_until(net.now() + 250);
  ASSERT_TRUE(net.converged());
  const double secs = static_cast<double>(net.now() - t_heal) / 1000.0;
  std::printf("[gossip-sim] c: n=100 halves cut 20s: dead verdicts=%zu; converged %.2fs after healing "
              "(alive_again=%zu)\n",
              deaths, secs, count(net, kind::alive_again, t_heal));
  EXPECT_LE(secs, 45.0) << "bounded by the push-pull interval plus dissemination";
  // Everyone agrees on every member's incarnation too.
  std::map<std::string, std::uint64_t> inc;
  for (auto& m : net.nodes()[0].core->members()) inc[m.node_id] = m.incarnation;
  for (auto& n : net.nodes())
    for (auto& m : n.core->members()) EXPECT_EQ(inc[m.node_id], m.incarnation) << n.id << " on " << m.node_id;
}

// (d) Graceful leave: the others see `left`, never `dead`.
TEST(SwimSimulation, GracefulLeaveIsLeftNotDead) {
  network net(100, defaults(), 11, 0.01, 1, 20);
  bootstrap(net, 11);
  net.clear_log();
  const std::size_t leaver = 17;
  const std::int64_t t0 = net.now();
  net.leave(leaver);
  net.run_until(t0 + 1000);  // the grace period: it keeps gossiping its `left`
  net.kill(leaver);
  net.run_until(t0 + 60'000);
  std::set<std::size_t> saw_left;
  std::int64_t last = 0;
  for (const auto& o : net.log()) {
    if (o.subject != network::id_of(leaver)) continue;
    EXPECT_NE(o.what, kind::dead) << "observer " << o.observer;
    EXPECT_NE(o.what, kind::suspect) << "observer " << o.observer;
    if (o.what == kind::left) saw_left.insert(o.observer), last = std::max(last, o.t);
  }
  EXPECT_EQ(saw_left.size(), 99u);
  std::printf("[gossip-sim] d: n=100 leave seen by all in %.2fs\n", static_cast<double>(last - t0) / 1000.0);
  for (auto& n : net.nodes()) {
    if (!n.up) continue;
    for (auto& m : n.core->members()) {
      if (m.node_id == network::id_of(leaver)) EXPECT_EQ(m.state, member_state::left);
    }
  }
}

// (e) A member dies and restarts (new instance, same id, new address, incarnation starting over):
// it learns it was declared dead, out-bids that incarnation, and everyone sees it alive again.
TEST(SwimSimulation, RestartedMemberRejoinsWithHigherIncarnation) {
  network net(100, defaults(), 13, 0.0, 1, 20);
  bootstrap(net, 13);
  const std::size_t victim = 33;
  net.kill(victim);
  const std::int64_t t_kill = net.now();
  net.run_until(t_kill + 20'000);
  std::uint64_t dead_inc = 0;
  std::size_t dead_seen = 0;
  for (auto& n : net.nodes()) {
    if (!n.up) continue;
    for (auto& m : n.core->members())
      if (m.node_id == network::id_of(victim) && m.state == member_state::dead) ++dead_seen, dead_inc = m.incarnation;
  }
  ASSERT_EQ(dead_seen, 99u);
  net.clear_log();
  net.restart(victim, network::address(victim, 1), 0);  // new address: nodes are known by id
  const std::int64_t t_back = net.now();
  net.join(victim, {0});
  while (!net.converged() && net.now() < t_back + 60'000) net.run_until(net.now() + 250);
  ASSERT_TRUE(net.converged());
  EXPECT_GT(net.nodes()[victim].core->self().incarnation, dead_inc);
  std::size_t back = 0;
  for (const auto& o : net.log())
    if (o.subject == network::id_of(victim) && o.what == kind::alive_again) ++back;
  EXPECT_EQ(back, 99u);
  for (auto& m : net.nodes()[0].core->members()) {
    if (m.node_id == network::id_of(victim)) EXPECT_EQ(m.ep.host, network::host_of(victim, 1));
  }
  std::printf("[gossip-sim] e: n=100 restart rejoined everywhere in %.2fs (incarnation %llu -> %llu)\n",
              static_cast<double>(net.now() - t_back) / 1000.0, static_cast<unsigned long long>(dead_inc),
              static_cast<unsigned long long>(net.nodes()[victim].core->self().incarnation));
}

}  // namespace
}  // namespace onair::cluster
