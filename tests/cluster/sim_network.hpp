#pragma once
/// A deterministic simulated network for the sans-IO SWIM core: per-packet loss, a latency
/// distribution, partitions as a set of blocked pairs, a fake clock — all driven by one seeded RNG, so a
/// failing scenario replays exactly. No sockets, no threads.
#include <cstdint>
#include <functional>
#include <memory>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "cluster/swim.hpp"
#include "cluster/wire.hpp"

namespace onair::cluster::sim {

/// One member event as an observer saw it, with the simulated time.
struct observed {
  std::int64_t t;
  std::size_t observer;
  member_event::kind what;
  std::string subject;
  std::uint64_t incarnation;
};

class network {
 public:
  struct node {
    std::unique_ptr<swim> core;
    std::string addr;
    std::string id;
    bool up = true;
    std::uint64_t packets_out = 0, bytes_out = 0;
  };

  network(std::size_t n, swim_config cfg, std::uint64_t seed, double loss = 0.0,
          std::int64_t latency_min_ms = 1, std::int64_t latency_max_ms = 10)
      : cfg_(cfg), rng_(seed), loss_(loss), lat_min_(latency_min_ms), lat_max_(latency_max_ms) {
    for (std::size_t i = 0; i < n; ++i) {
      nodes_.emplace_back();
      start_node(i, 0, address(i));
    }
  }

  static std::string id_of(std::size_t i) { return "node-" + std::to_string(i); }
  static std::string host_of(std::size_t i, std::uint32_t gen = 0) {
    return "10." + std::to_string(gen) + "." + std::to_string(i / 256) + "." + std::to_string(i % 256);
  }
  static std::string address(std::size_t i, std::uint32_t gen = 0) { return host_of(i, gen) + ":7946"; }

  /// (Re)creates node i's swim instance at `addr` (a restart: same id, fresh state).
  void start_node(std::size_t i, std::uint64_t incarnation, const std::string& addr) {
    member self;
    self.node_id = id_of(i);
    self.region = i % 2 ? "eu" : "us";
    self.zone = self.region + "-a";
    self.ep.host = addr.substr(0, addr.rfind(':'));
    self.ep.gossip = 7946;
    self.ep.http = 8080;
    self.ep.rtmp = 1935;
    self.ep.caf = 7947;
    self.incarnation = incarnation;
    auto& nd = nodes_[i];
    if (!nd.addr.empty()) by_addr_.erase(nd.addr);
    nd.core = std::make_unique<swim>(cfg_, self, rng_() ^ (i * 0x9e3779b97f4a7c15ull));
    nd.addr = addr;
    nd.id = self.node_id;
    nd.up = true;
    by_addr_[addr] = i;
    // Ticks every probe_interval/4, each node at its own phase (as a uv_timer would).
    const std::int64_t period = std::max<std::int64_t>(1, cfg_.probe_interval_ms / 4);
    schedule_tick(i, now_ + static_cast<std::int64_t>(rng_() % static_cast<std::uint64_t>(period)) + 1);
  }

  /// Joins node i through the given seed nodes.
  void join(std::size_t i, const std::vector<std::size_t>& seeds) {
    std::vector<std::string> addrs;
    for (auto s : seeds) addrs.push_back(nodes_[s].addr);
    deliver_all(i, nodes_[i].core->join(addrs, now_));
    collect(i);
  }

  void kill(std::size_t i) { nodes_[i].up = false; }
  void leave(std::size_t i) {
    deliver_all(i, nodes_[i].core->leave(now_));
    collect(i);
  }

  void block(std::size_t a, std::size_t b) { blocked_.insert(key(a, b)); }
  void heal() { blocked_.clear(); }

  /// Runs the simulation until `t_ms`.
  void run_until(std::int64_t t_ms) {
    while (!q_.empty() && q_.top().t <= t_ms) {
      ev e = std::move(const_cast<ev&>(q_.top()));
      q_.pop();
      now_ = e.t;
      auto& nd = nodes_[e.to];
      if (e.tick) {
        if (e.gen != nd_gen(e.to)) continue;  // a tick of a replaced instance
        if (!nd.up) continue;
        deliver_all(e.to, nd.core->tick(now_));
        collect(e.to);
        schedule_tick(e.to, now_ + std::max<std::int64_t>(1, cfg_.probe_interval_ms / 4));
      } else {
        if (!nd.up) continue;
        deliver_all(e.to, nd.core->on_packet(e.from, e.data.data(), e.data.size(), now_));
        collect(e.to);
      }
    }
    now_ = t_ms;
  }

  std::int64_t now() const { return now_; }
  std::vector<node>& nodes() { return nodes_; }
  const std::vector<observed>& log() const { return log_; }
  void clear_log() { log_.clear(); }
  void reset_counters() {
    for (auto& n : nodes_) n.packets_out = n.bytes_out = 0;
  }

  /// True when every up node sees exactly the up nodes as alive (and nobody else as alive/suspect).
  bool converged() const {
    std::set<std::string> up;
    for (const auto& n : nodes_)
      if (n.up) up.insert(n.id);
    for (const auto& n : nodes_) {
      if (!n.up) continue;
      std::set<std::string> alive;
      for (const auto& m : n.core->members()) {
        if (m.state == member_state::alive) alive.insert(m.node_id);
        else if (m.state == member_state::suspect) return false;
      }
      if (alive != up) return false;
    }
    return true;
  }

 private:
  struct ev {
    std::int64_t t;
    std::uint64_t seq;
    bool tick;
    std::size_t to;
    std::uint64_t gen;
    std::string from;
    std::vector<std::uint8_t> data;
    bool operator>(const ev& o) const { return t != o.t ? t > o.t : seq > o.seq; }
  };

  static std::pair<std::size_t, std::size_t> key(std::size_t a, std::size_t b) {
    return a < b ? std::pair{a, b} : std::pair{b, a};
  }
  std::uint64_t nd_gen(std::size_t i) {
    if (gen_.size() <= i) gen_.resize(i + 1, 0);
    return gen_[i];
  }
  void schedule_tick(std::size_t i, std::int64_t t) {
    q_.push(ev{t, seq_++, true, i, nd_gen(i), {}, {}});
  }

  void deliver_all(std::size_t from, std::vector<outgoing> outs) {
    auto& src = nodes_[from];
    for (auto& o : outs) {
      ++src.packets_out;
      src.bytes_out += o.payload.size() + wire::envelope_bytes;
      auto it = by_addr_.find(o.to);
      if (it == by_addr_.end()) continue;
      if (loss_ > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < loss_) continue;
      if (!blocked_.empty() && blocked_.count(key(from, it->second))) continue;
      const std::int64_t lat =
          lat_min_ + static_cast<std::int64_t>(rng_() % static_cast<std::uint64_t>(lat_max_ - lat_min_ + 1));
      q_.push(ev{now_ + lat, seq_++, false, it->second, 0, src.addr, std::move(o.payload)});
    }
  }

  void collect(std::size_t i) {
    for (auto& e : nodes_[i].core->drain_events())
      log_.push_back(observed{now_, i, e.what, e.m.node_id, e.m.incarnation});
  }

  swim_config cfg_;
  std::mt19937_64 rng_;
  double loss_;
  std::int64_t lat_min_, lat_max_;
  std::vector<node> nodes_;
  std::unordered_map<std::string, std::size_t> by_addr_;
  std::set<std::pair<std::size_t, std::size_t>> blocked_;
  std::priority_queue<ev, std::vector<ev>, std::greater<>> q_;
  std::vector<std::uint64_t> gen_;
  std::uint64_t seq_ = 0;
  std::int64_t now_ = 0;
  std::vector<observed> log_;

 public:
  /// Replaces node i by a fresh instance (restart); old pending ticks are ignored.
  void restart(std::size_t i, const std::string& new_addr, std::uint64_t incarnation = 0) {
    nd_gen(i);
    ++gen_[i];
    start_node(i, incarnation, new_addr);
  }
};

}  // namespace onair::cluster::sim
