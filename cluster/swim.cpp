#include "cluster/swim.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>
#include <utility>

#include "cluster/broadcast_queue.hpp"
#include "cluster/suspicion.hpp"
#include "cluster/wire.hpp"

namespace onair::cluster {
namespace {

bool same_content(const member& a, const member& b) {
  return a.region == b.region && a.zone == b.zone && a.ep == b.ep && a.ld == b.ld && a.draining == b.draining;
}

}  // namespace

struct swim::impl {
  struct node_state {
    member m;
    std::string addr;                 ///< wire::address_of(m.ep), cached
    std::int64_t state_change_ms = 0;
    std::optional<suspicion> susp;
  };

  /// The probe in flight (SWIM section 3.1: one probe per protocol period).
  struct probe {
    bool active = false;
    std::string target, target_addr;
    std::uint32_t seq = 0;
    std::int64_t direct_deadline = 0;  ///< no ack by then → ping-req through k members
    std::int64_t end = 0;              ///< no ack by then → suspect
    bool indirect_sent = false;
    std::size_t expected_nacks = 0, nacks = 0;
  };

  /// A ping this node sends on behalf of a ping-req (SWIM 3.1); answers the requester with ack or nack.
  struct relay {
    std::string requester_addr;
    std::uint32_t requester_seq = 0;
    std::int64_t nack_deadline = 0;
  };

  swim_config cfg;
  member self;
  std::mt19937_64 rng;
  std::unordered_map<std::string, node_state> nodes;  ///< everyone but self
  std::set<std::string> suspects;                     ///< ids with a running suspicion timer
  std::vector<std::string> probe_list;
  std::size_t probe_idx = 0;
  broadcast_queue queue;
  std::vector<member_event> events;
  std::unordered_map<std::uint32_t, relay> relays;
  probe pr;
  std::uint32_t next_seq = 0;
  std::uint32_t awareness = 0;
  bool started = false, leaving = false;
  std::int64_t next_probe_ms = 0, next_gossip_ms = 0, next_push_pull_ms = 0;
  std::uint64_t malformed = 0;

  impl(swim_config c, member s, std::uint64_t seed) : cfg(c), self(std::move(s)), rng(seed) {
    self.state = member_state::alive;
  }

  // ---- time and sizes -------------------------------------------------------------------------------

  void ensure_started(std::int64_t now) {
    if (started) return;
    started = true;
    // Random phases so that members started together do not probe and sync in lock step.
    next_probe_ms = now + uniform(0, cfg.probe_interval_ms);
    next_gossip_ms = now + uniform(0, cfg.gossip_interval_ms);
    next_push_pull_ms = now + uniform(cfg.push_pull_interval_ms / 2, cfg.push_pull_interval_ms);
  }

  std::int64_t uniform(std::int64_t lo, std::int64_t hi) {
    if (hi <= lo) return lo;
    return lo + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(hi - lo));
  }

  /// Lifeguard 4.1: a node that misses acks (probably itself slow) stretches its own timeouts.
  std::int64_t scaled(std::int64_t ms) const { return ms * (awareness + 1); }
  void apply_awareness(int delta) {
    // memberlist awareness.go: the score stays in [0, max) so the multiplier is at most awareness_max.
    const std::int64_t v = std::clamp<std::int64_t>(static_cast<std::int64_t>(awareness) + delta, 0,
                                                   std::max<std::int64_t>(0, cfg.awareness_max - 1));
    awareness = static_cast<std::uint32_t>(v);
  }

  /// Members not known dead or left, self included (memberlist estNumNodes).
  std::size_t live_count() const {
    std::size_t n = 1;
    for (const auto& [id, ns] : nodes)
      if (ns.m.state == member_state::alive || ns.m.state == member_state::suspect) ++n;
    return n;
  }

  /// SWIM 4.1 / memberlist retransmitLimit: retransmit_mult × ceil(log10(n + 1)).
  std::size_t retransmit_limit() const {
    const double n = static_cast<double>(live_count());
    return cfg.retransmit_mult * static_cast<std::size_t>(std::ceil(std::log10(n + 1.0)));
  }

  // ---- sending ---------------------------------------------------------------------------------------

  /// Encodes `p` with as many queued updates as fit in max_packet_bytes (SWIM 4.1 piggybacking).
  void send(std::vector<outgoing>& out, const std::string& to, wire::packet p, bool piggyback = true) {
    p.from = self.node_id;
    std::vector<broadcast_queue::bytes> extra;
    if (piggyback) {
      const std::size_t base = 24 + p.from.size() + p.target.size() + p.target_addr.size() +
                               wire::envelope_bytes + wire::gossip_array_overhead;
      if (cfg.max_packet_bytes > base) extra = queue.take(cfg.max_packet_bytes - base, retransmit_limit());
    }
    std::vector<std::span<const std::uint8_t>> spans;
    spans.reserve(extra.size());
    for (const auto& e : extra) spans.emplace_back(*e);
    out.push_back(outgoing{to, wire::encode(p, spans)});
  }

  void broadcast(const member& m, const std::string& from) {
    queue.push(m.node_id, wire::encode_update(wire::member_update{m, from}));
  }

  void emit(member_event::kind k, const member& m) { events.push_back(member_event{k, m}); }

  /// Sends this node's full state to `to`, split into datagrams of at most max_packet_bytes
  /// (memberlist does push-pull over TCP; gossip here is UDP only, so the state is chunked).
  void send_state(std::vector<outgoing>& out, const std::string& to, bool reply) {
    std::vector<wire::member_update> all;
    all.reserve(nodes.size() + 1);
    all.push_back({self, self.node_id});
    for (const auto& [id, ns] : nodes) all.push_back({ns.m, ns.m.node_id});
    const std::size_t budget = cfg.max_packet_bytes > 200 ? cfg.max_packet_bytes - wire::envelope_bytes - 40 : 160;
    wire::packet p;
    p.type = wire::packet_type::push_pull;
    p.reply = reply;
    p.first = true;
    std::size_t used = 0;
    for (auto& u : all) {
      const std::size_t sz = wire::encode_update(u).size();
      if (!p.state.empty() && used + sz > budget) {
        send(out, to, p, false);
        p.state.clear();
        p.first = false;
        used = 0;
      }
      p.state.push_back(std::move(u));
      used += sz;
    }
    if (!p.state.empty()) send(out, to, p, false);
  }

  // ---- membership rules (SWIM 4.2 incarnations; memberlist aliveNode/suspectNode/deadNode) -----------

  /// Refutes a suspicion or death claim about this node by raising its incarnation above the claim.
  void refute(std::uint64_t claimed) {
    self.incarnation = std::max(self.incarnation, claimed) + 1;
    apply_awareness(+1);  // Lifeguard 4.1: being suspected hints that this node is the slow one
    broadcast(self, self.node_id);
  }

  void add_to_probe_list(const std::string& id) {
    // memberlist inserts a new node at a random offset so it is probed within one round.
    const auto pos = probe_list.empty() ? 0 : static_cast<std::size_t>(rng() % (probe_list.size() + 1));
    probe_list.insert(probe_list.begin() + static_cast<std::ptrdiff_t>(pos), id);
    if (pos < probe_idx) ++probe_idx;
  }

  void on_alive(const member& m, std::int64_t now) {
    if (m.node_id == self.node_id) {
      if (leaving) return;
      // Someone holds a newer or different view of us (e.g. from before a restart): out-bid it.
      if (m.incarnation > self.incarnation || (m.incarnation == self.incarnation && !same_content(m, self)))
        refute(m.incarnation);
      return;
    }
    auto it = nodes.find(m.node_id);
    if (it == nodes.end()) {
      node_state ns{m, wire::address_of(m.ep), now, std::nullopt};
      ns.m.state = member_state::alive;
      const member copy = ns.m;
      nodes.emplace(m.node_id, std::move(ns));
      add_to_probe_list(m.node_id);
      emit(member_event::kind::joined, copy);
      broadcast(copy, copy.node_id);
      return;
    }
    node_state& ns = it->second;
    // SWIM 4.2: alive overrides any state only with a strictly higher incarnation.
    if (m.incarnation <= ns.m.incarnation) return;
    const member_state prev = ns.m.state;
    const bool changed = !same_content(m, ns.m);
    ns.m = m;
    ns.m.state = member_state::alive;
    ns.addr = wire::address_of(m.ep);
    ns.state_change_ms = now;
    ns.susp.reset();
    suspects.erase(m.node_id);
    if (prev == member_state::suspect || prev == member_state::dead) {
      emit(member_event::kind::alive_again, ns.m);
    } else if (prev == member_state::left) {
      emit(member_event::kind::joined, ns.m);  // came back after a graceful leave: a new session
    } else if (changed) {
      emit(member_event::kind::updated, ns.m);
    }
    broadcast(ns.m, ns.m.node_id);
  }

  void on_suspect(const member& m, const std::string& from, std::int64_t now) {
    if (m.node_id == self.node_id) {
      if (!leaving && m.incarnation >= self.incarnation) refute(m.incarnation);
      return;
    }
    auto it = nodes.find(m.node_id);
    if (it == nodes.end()) return;  // never suspect a member we do not know (memberlist)
    node_state& ns = it->second;
    if (m.incarnation < ns.m.incarnation) return;  // old news
    if (ns.m.state == member_state::dead || ns.m.state == member_state::left) return;
    if (ns.m.state == member_state::suspect) {
      // Lifeguard 4.2: an independent confirmation shortens the timeout; re-gossip it so others count it.
      if (ns.susp && ns.susp->confirm(from)) broadcast(ns.m, from);
      return;
    }
    ns.m.incarnation = m.incarnation;
    ns.m.state = member_state::suspect;
    ns.state_change_ms = now;
    const double n = static_cast<double>(live_count());
    const double scale = std::max(1.0, std::log10(std::max(1.0, n)));
    const auto min_ms = static_cast<std::int64_t>(cfg.suspicion_min_mult * scale * static_cast<double>(cfg.probe_interval_ms));
    const auto max_ms = static_cast<std::int64_t>(cfg.suspicion_max_mult * scale * static_cast<double>(cfg.probe_interval_ms));
    // memberlist: expect k confirmations only if there are enough other members to give them.
    const std::size_t k = n - 2 < static_cast<double>(cfg.indirect_checks) ? 0 : cfg.indirect_checks;
    ns.susp.emplace(now, min_ms, max_ms, k, from);
    suspects.insert(m.node_id);
    emit(member_event::kind::suspect, ns.m);
    broadcast(ns.m, from);
  }

  void on_dead(const member& m, const std::string& from, std::int64_t now) {
    if (m.node_id == self.node_id) {
      if (!leaving && m.incarnation >= self.incarnation) refute(m.incarnation);
      return;
    }
    auto it = nodes.find(m.node_id);
    if (it == nodes.end()) return;
    node_state& ns = it->second;
    if (m.incarnation < ns.m.incarnation) return;
    const bool already = ns.m.state == member_state::dead || ns.m.state == member_state::left;
    if (already && m.incarnation == ns.m.incarnation) return;
    if (already && ns.m.state == m.state) {  // same verdict at a newer incarnation: record quietly
      ns.m.incarnation = m.incarnation;
      return;
    }
    ns.m.incarnation = m.incarnation;
    ns.m.state = m.state == member_state::left ? member_state::left : member_state::dead;
    ns.state_change_ms = now;
    ns.susp.reset();
    suspects.erase(m.node_id);
    emit(ns.m.state == member_state::left ? member_event::kind::left : member_event::kind::dead, ns.m);
    broadcast(ns.m, from);
  }

  void on_update(const wire::member_update& u, std::int64_t now) {
    switch (u.m.state) {
      case member_state::alive: on_alive(u.m, now); break;
      case member_state::suspect: on_suspect(u.m, u.from, now); break;
      case member_state::dead:
      case member_state::left: on_dead(u.m, u.from, now); break;
    }
  }

  /// Push-pull merge (memberlist mergeState): a remote "dead" only makes us suspect, so a member that
  /// is alive gets the chance to refute instead of being declared dead on hearsay.
  void merge_state(const std::vector<wire::member_update>& state, const std::string& sender, std::int64_t now) {
    for (const auto& u : state) {
      switch (u.m.state) {
        case member_state::alive: on_alive(u.m, now); break;
        case member_state::suspect:
        case member_state::dead: on_suspect(u.m, sender, now); break;
        case member_state::left: on_dead(u.m, u.m.node_id, now); break;
      }
    }
  }

  // ---- probing ---------------------------------------------------------------------------------------

  bool probeable(const std::string& id) const {
    auto it = nodes.find(id);
    return it != nodes.end() &&
           (it->second.m.state == member_state::alive || it->second.m.state == member_state::suspect);
  }

  /// Next member in round-robin order over a shuffled list, re-shuffled every round (SWIM 4.3).
  std::optional<std::string> next_probe_target() {
    for (std::size_t attempts = 0; attempts <= probe_list.size() + 1; ++attempts) {
      if (probe_idx >= probe_list.size()) {
        probe_list.clear();
        for (const auto& [id, ns] : nodes)
          if (ns.m.state != member_state::left) probe_list.push_back(id);
        std::sort(probe_list.begin(), probe_list.end());  // unordered_map order is not deterministic
        std::shuffle(probe_list.begin(), probe_list.end(), rng);
        probe_idx = 0;
        if (probe_list.empty()) return std::nullopt;
      }
      const std::string& id = probe_list[probe_idx++];
      if (probeable(id)) return id;
    }
    return std::nullopt;
  }

  /// Up to k random members in `states`, excluding `skip` (memberlist kRandomNodes).
  std::vector<const node_state*> random_members(std::size_t k, const std::string& skip, bool include_suspect,
                                                std::int64_t now, bool recently_dead) {
    std::vector<const node_state*> pool;
    pool.reserve(nodes.size());
    for (const auto& [id, ns] : nodes) {
      if (id == skip) continue;
      const auto st = ns.m.state;
      if (st == member_state::alive || (include_suspect && st == member_state::suspect) ||
          (recently_dead && st == member_state::dead && now - ns.state_change_ms < cfg.gossip_to_dead_ms))
        pool.push_back(&ns);
    }
    std::sort(pool.begin(), pool.end(), [](auto* a, auto* b) { return a->m.node_id < b->m.node_id; });
    const std::size_t n = std::min(k, pool.size());
    for (std::size_t i = 0; i < n; ++i) {  // partial Fisher-Yates
      const std::size_t j = i + static_cast<std::size_t>(rng() % (pool.size() - i));
      std::swap(pool[i], pool[j]);
    }
    pool.resize(n);
    return pool;
  }

  void start_probe(std::vector<outgoing>& out, std::int64_t now) {
    auto target = next_probe_target();
    if (!target) return;
    const node_state& ns = nodes.at(*target);
    pr = probe{};
    pr.active = true;
    pr.target = *target;
    pr.target_addr = ns.addr;
    pr.seq = ++next_seq;
    pr.direct_deadline = now + scaled(cfg.probe_timeout_ms);
    pr.end = now + scaled(cfg.probe_interval_ms);
    wire::packet p;
    p.type = wire::packet_type::ping;
    p.seq = pr.seq;
    p.target = *target;
    send(out, ns.addr, std::move(p));
  }

  void advance_probe(std::vector<outgoing>& out, std::int64_t now) {
    if (!pr.active) return;
    if (!pr.indirect_sent && now >= pr.direct_deadline) {
      pr.indirect_sent = true;
      // SWIM 3.1: ask k members to probe the target for us.
      for (const node_state* via : random_members(cfg.indirect_checks, pr.target, false, now, false)) {
        wire::packet p;
        p.type = wire::packet_type::ping_req;
        p.seq = pr.seq;
        p.target = pr.target;
        p.target_addr = pr.target_addr;
        send(out, via->addr, std::move(p));
        ++pr.expected_nacks;
      }
    }
    if (now < pr.end) return;
    pr.active = false;
    // Lifeguard 4.3: if the intermediaries answered with nacks, they reached us but not the target, so
    // our own health is fine; missing nacks (or no intermediaries at all) count against us.
    int delta = pr.expected_nacks == 0 ? 1 : static_cast<int>(pr.expected_nacks - std::min(pr.nacks, pr.expected_nacks));
    apply_awareness(delta);
    auto it = nodes.find(pr.target);
    if (it == nodes.end()) return;
    member m = it->second.m;
    if (m.state == member_state::alive || m.state == member_state::suspect) {
      m.state = member_state::suspect;
      on_suspect(m, self.node_id, now);
    }
  }

  void on_ack(std::uint32_t seq, std::vector<outgoing>& out) {
    if (pr.active && seq == pr.seq) {
      pr.active = false;
      apply_awareness(-1);
      return;
    }
    auto it = relays.find(seq);
    if (it == relays.end()) return;  // late or unknown ack
    wire::packet p;
    p.type = wire::packet_type::ack;
    p.seq = it->second.requester_seq;
    const std::string to = it->second.requester_addr;
    relays.erase(it);
    send(out, to, std::move(p));
  }

  // ---- entry points ----------------------------------------------------------------------------------

  std::vector<outgoing> handle(const std::string& from_addr, const std::uint8_t* data, std::size_t size,
                               std::int64_t now) {
    std::vector<outgoing> out;
    ensure_started(now);
    auto decoded = wire::decode(std::span(data, size));
    if (!decoded) {
      ++malformed;
      return out;
    }
    wire::packet& p = *decoded;
    if (p.from == self.node_id) return out;  // our own packet (or a clash of ids): ignore
    for (const auto& u : p.gossip) on_update(u, now);
    switch (p.type) {
      case wire::packet_type::ping: {
        // memberlist: a ping meant for another node id (an address reused after a restart) gets no ack.
        if (!p.target.empty() && p.target != self.node_id) break;
        wire::packet a;
        a.type = wire::packet_type::ack;
        a.seq = p.seq;
        send(out, from_addr, std::move(a));
        break;
      }
      case wire::packet_type::ack: on_ack(p.seq, out); break;
      case wire::packet_type::ping_req: {
        if (p.target_addr.empty()) break;
        const std::uint32_t seq = ++next_seq;
        relays[seq] = relay{from_addr, p.seq, now + cfg.probe_timeout_ms};
        wire::packet q;
        q.type = wire::packet_type::ping;
        q.seq = seq;
        q.target = p.target;
        send(out, p.target_addr, std::move(q));
        break;
      }
      case wire::packet_type::nack:
        if (pr.active && p.seq == pr.seq) ++pr.nacks;
        break;
      case wire::packet_type::push_pull:
        merge_state(p.state, p.from, now);
        if (!p.reply && p.first) send_state(out, from_addr, true);
        break;
      case wire::packet_type::gossip: break;
    }
    return out;
  }

  std::vector<outgoing> tick(std::int64_t now) {
    std::vector<outgoing> out;
    ensure_started(now);
    // Suspicion timeouts → dead (SWIM 4.2).
    for (auto it = suspects.begin(); it != suspects.end();) {
      auto nit = nodes.find(*it);
      if (nit == nodes.end() || !nit->second.susp) {
        it = suspects.erase(it);
        continue;
      }
      const auto& ns = nit->second;
      if (now >= ns.susp->deadline_ms()) {
        member m = ns.m;
        m.state = member_state::dead;
        ++it;  // on_dead erases the current element
        on_dead(m, self.node_id, now);
      } else {
        ++it;
      }
    }
    // Lifeguard 4.3: tell ping-req requesters in time that we could not reach their target.
    for (auto it = relays.begin(); it != relays.end();) {
      if (now >= it->second.nack_deadline) {
        wire::packet p;
        p.type = wire::packet_type::nack;
        p.seq = it->second.requester_seq;
        send(out, it->second.requester_addr, std::move(p));
        it = relays.erase(it);
      } else {
        ++it;
      }
    }
    advance_probe(out, now);
    if (!leaving && !pr.active && now >= next_probe_ms) {
      next_probe_ms = now + scaled(cfg.probe_interval_ms);
      start_probe(out, now);
    }
    if (now >= next_gossip_ms) {
      next_gossip_ms = now + cfg.gossip_interval_ms;
      gossip(out, now, cfg.gossip_nodes);
    }
    if (!leaving && now >= next_push_pull_ms) {
      next_push_pull_ms = now + cfg.push_pull_interval_ms;
      // Anti-entropy with one random live member, and (like Serf's reconnect) one random dead member so
      // that the two sides of a healed partition find each other again.
      for (const node_state* peer : random_members(1, {}, false, now, false)) send_state(out, peer->addr, false);
      std::vector<const node_state*> dead;
      for (const auto& [id, ns] : nodes)
        if (ns.m.state == member_state::dead) dead.push_back(&ns);
      if (!dead.empty()) {
        std::sort(dead.begin(), dead.end(), [](auto* a, auto* b) { return a->m.node_id < b->m.node_id; });
        send_state(out, dead[rng() % dead.size()]->addr, false);
      }
    }
    return out;
  }

  /// memberlist gossip(): queued updates in gossip-only packets to a few random members, including
  /// members that died recently (so a wrongly declared member hears about it and refutes).
  void gossip(std::vector<outgoing>& out, std::int64_t now, std::size_t fanout) {
    if (queue.empty()) return;
    for (const node_state* peer : random_members(fanout, {}, true, now, true)) {
      if (queue.empty()) break;
      wire::packet p;
      p.type = wire::packet_type::gossip;
      send(out, peer->addr, std::move(p));
    }
  }
};

swim::swim(swim_config cfg, member self, std::uint64_t seed)
    : impl_(std::make_unique<impl>(cfg, std::move(self), seed)) {}
swim::~swim() = default;

std::vector<outgoing> swim::join(const std::vector<std::string>& seeds, std::int64_t now_ms) {
  impl_->ensure_started(now_ms);
  std::vector<outgoing> out;
  const std::string me = wire::address_of(impl_->self.ep);
  for (const auto& s : seeds)
    if (s != me) impl_->send_state(out, s, false);  // push-pull with each seed (memberlist Join)
  return out;
}

std::vector<outgoing> swim::on_packet(const std::string& from, const std::uint8_t* data, std::size_t size,
                                      std::int64_t now_ms) {
  return impl_->handle(from, data, size, now_ms);
}

std::vector<outgoing> swim::tick(std::int64_t now_ms) { return impl_->tick(now_ms); }

std::vector<outgoing> swim::leave(std::int64_t now_ms) {
  auto& d = *impl_;
  d.ensure_started(now_ms);
  std::vector<outgoing> out;
  if (d.leaving) return out;
  d.leaving = true;
  d.pr.active = false;
  // A higher incarnation makes `left` win over any suspicion of us that is still travelling.
  ++d.self.incarnation;
  d.self.state = member_state::left;
  d.broadcast(d.self, d.self.node_id);
  d.gossip(out, now_ms, d.retransmit_limit());
  return out;
}

void swim::update_self(const load& ld, bool draining) {
  auto& d = *impl_;
  if (d.leaving || (d.self.ld == ld && d.self.draining == draining)) return;
  d.self.ld = ld;
  d.self.draining = draining;
  ++d.self.incarnation;  // memberlist UpdateNode: a new incarnation carries the new metadata
  d.broadcast(d.self, d.self.node_id);
}

std::vector<member_event> swim::drain_events() { return std::exchange(impl_->events, {}); }

std::vector<member> swim::members() const {
  std::vector<member> out;
  out.reserve(impl_->nodes.size() + 1);
  out.push_back(impl_->self);
  for (const auto& [id, ns] : impl_->nodes) out.push_back(ns.m);
  return out;
}

const member& swim::self() const { return impl_->self; }
std::uint32_t swim::local_health() const { return impl_->awareness; }
std::uint64_t swim::malformed_packets() const { return impl_->malformed; }
std::size_t swim::pending_broadcasts() const { return impl_->queue.size(); }

}  // namespace onair::cluster
