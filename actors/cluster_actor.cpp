#include "actors/cluster_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/remote_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <unordered_map>
#include <unordered_set>

#include "actors/messages.hpp"
#include "cluster/gossip_node.hpp"
#include "cluster/placement.hpp"

namespace onair::actors {

namespace {

using namespace std::chrono_literals;
constexpr auto tick_interval = 2s;
constexpr auto remote_timeout = 2s;

struct cluster_state {
  cluster_deps deps;
  std::unordered_map<std::string, cluster::member> members;  ///< by node id, from gossip
  std::unordered_map<std::string, caf::actor> links;         ///< peers' cluster actors, direct connections
  std::unordered_set<std::string> connecting;
  std::uint64_t cpu_ticks = 0;  ///< this process's utime+stime at the last tick
  std::chrono::steady_clock::time_point cpu_at{};
};

using cluster_actor = caf::stateful_actor<cluster_state>;

/// This process's CPU use since the last call, percent of one core averaged over the node's cores.
std::uint16_t sample_cpu(cluster_state& st) {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  auto close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  std::uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  const auto now = std::chrono::steady_clock::now();
  const auto ticks = utime + stime;
  std::uint16_t pct = 0;
  if (st.cpu_at.time_since_epoch().count() != 0) {
    const double secs = std::chrono::duration<double>(now - st.cpu_at).count();
    const double cpu_s = static_cast<double>(ticks - st.cpu_ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
    const long cores = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
    pct = static_cast<std::uint16_t>(std::min(100.0, 100.0 * cpu_s / secs / static_cast<double>(cores)));
  }
  st.cpu_ticks = ticks;
  st.cpu_at = now;
  return pct;
}

/// Opens a direct middleman connection to a peer and fetches its published cluster actor. Blocking
/// (remote_actor waits for the handshake), so it runs in its own detached actor.
void connect_to(cluster_actor* self, const cluster::member& m) {
  auto& st = self->state;
  if (m.ep.caf == 0 || st.links.count(m.node_id) || st.connecting.count(m.node_id)) return;
  // One connection per pair, dialed by the node with the smaller id; the other learns of it by the
  // hello below. Two nodes that dial each other over CAF 0.17's OpenSSL module stall every message on
  // both connections (measured: every request times out), and one connection is all BASP needs.
  if (m.node_id < st.deps.self.node_id) return;
  st.connecting.insert(m.node_id);
  auto me = caf::actor_cast<caf::actor>(self);
  self->system().spawn<caf::detached>([me, id = m.node_id, host = m.ep.host, port = m.ep.caf](caf::event_based_actor* c) {
    // Mutual TLS with the cluster's CA (actors/link_tls.hpp, docs/cluster.md "Node links").
    auto peer = caf::openssl::remote_actor(c->system(), host, port);
    if (peer) c->send(me, linked_atom::value, id, *peer);
    else c->send(me, link_fail_atom::value, id, caf::to_string(peer.error()));
  });
}

net::api::cluster_node to_view(const cluster::member& m, bool self, bool linked) {
  net::api::cluster_node n;
  n.node_id = m.node_id;
  n.region = m.region;
  n.zone = m.zone;
  n.state = cluster::to_string(m.state);
  n.host = m.ep.host;
  n.rtmp_port = m.ep.rtmp;
  n.http_port = m.ep.http;
  n.caf_port = m.ep.caf;
  n.gossip_port = m.ep.gossip;
  n.rooms = m.ld.rooms;
  n.streams = m.ld.streams;
  n.viewers = m.ld.viewers;
  n.cpu_pct = m.ld.cpu_pct;
  n.draining = m.draining;
  n.self = self;
  n.linked = self || linked;
  return n;
}

std::vector<cluster::member> member_list(const cluster_state& st) {
  std::vector<cluster::member> out;
  for (auto& [id, m] : st.members) out.push_back(m);
  out.push_back(st.deps.self);
  return out;
}

/// Refills the HTTP server's steering table from the gossip view: every node with its state, the
/// table keeps the alive, non-draining ones (net/hls/steering.hpp).
void publish_steering(const cluster_state& st) {
  if (!st.deps.steering) return;
  auto as_member = [](const cluster::member& m, bool alive) {
    return net::hls::steering_member{m.node_id, m.region, m.ep.host, m.ep.http, alive, m.draining};
  };
  std::vector<net::hls::steering_member> others;
  others.reserve(st.members.size());
  for (const auto& [id, m] : st.members) others.push_back(as_member(m, m.state == cluster::member_state::alive));
  st.deps.steering->update(as_member(st.deps.self, true), others);
}

caf::behavior cluster_behavior(cluster_actor* self) {
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& links = self->state.links;
    for (auto it = links.begin(); it != links.end(); ++it) {
      if (it->second.address() == dm.source) {
        spdlog::warn("cluster: lost the CAF link to {}", it->first);
        self->send(self->state.deps.directory, peer_down_atom::value, it->first);
        links.erase(it);
        break;
      }
    }
  });
  self->delayed_send(self, tick_interval, tick_atom::value);
  return {
    [=](const cluster::member_event& ev) {
      auto& st = self->state;
      if (ev.m.node_id == st.deps.self.node_id) return;
      using kind = cluster::member_event::kind;
      st.members[ev.m.node_id] = ev.m;
      switch (ev.what) {
        case kind::joined: spdlog::info("cluster: {} joined ({}/{})", ev.m.node_id, ev.m.region, ev.m.zone); break;
        case kind::dead: spdlog::warn("cluster: {} is dead", ev.m.node_id); break;
        case kind::left: spdlog::info("cluster: {} left", ev.m.node_id); break;
        case kind::suspect: spdlog::info("cluster: {} is suspect", ev.m.node_id); break;
        case kind::alive_again: spdlog::info("cluster: {} is alive again", ev.m.node_id); break;
        case kind::updated: break;
      }
      if (ev.m.state == cluster::member_state::alive) connect_to(self, ev.m);
      if (ev.m.state == cluster::member_state::dead || ev.m.state == cluster::member_state::left) {
        if (auto it = st.links.find(ev.m.node_id); it != st.links.end()) {
          self->demonitor(it->second);
          st.links.erase(it);
          self->send(st.deps.directory, peer_down_atom::value, ev.m.node_id);
        }
      }
      self->send(st.deps.directory, members_atom::value, member_list(st));
      publish_steering(st);
    },
    [=](update_atom, std::shared_ptr<cluster::gossip_node>& gossip, cluster::member& me) {
      // Ports are known only once every listener is bound, after this actor was published.
      self->state.deps.gossip = std::move(gossip);
      self->state.deps.self = std::move(me);
      self->send(self->state.deps.directory, members_atom::value, member_list(self->state));
      publish_steering(self->state);
    },
    [=](linked_atom, const std::string& id, caf::actor& peer) {
      // This node dialed: the peer learns who is on the other end of the connection.
      self->send(peer, hello_atom::value, self->state.deps.self.node_id, caf::actor_cast<caf::actor>(self));
      self->send(self, hello_atom::value, id, peer);
    },
    [=](hello_atom, const std::string& id, caf::actor& peer) {
      auto& st = self->state;
      st.connecting.erase(id);
      if (auto it = st.links.find(id); it != st.links.end()) {
        if (it->second == peer) return;
        self->demonitor(it->second);  // the peer restarted: its new incarnation replaces the old link
      }
      self->monitor(peer);
      st.links[id] = peer;
      spdlog::info("cluster: direct CAF link to {} is up", id);
      // The peer's directory, for replication and for requests that must reach a room's owner.
      self->request(peer, remote_timeout, dir_atom::value)
          .then([=](const caf::actor& dir) { self->send(self->state.deps.directory, peer_up_atom::value, id, dir); },
                [=](caf::error& err) {
                  spdlog::warn("cluster: no directory from {}: {}", id, caf::to_string(err));
                });
    },
    [=](link_fail_atom, const std::string& id, const std::string& why) {
      self->state.connecting.erase(id);
      spdlog::debug("cluster: cannot link to {} yet: {}", id, why);
    },
    [=](tick_atom) {
      auto& st = self->state;
      self->delayed_send(self, tick_interval, tick_atom::value);
      for (auto& [id, m] : st.members)  // retry links that failed (e.g. a peer still starting)
        if (m.state == cluster::member_state::alive) connect_to(self, m);
      // A standalone node has no gossip but still shows its own load in /api/cluster.
      const auto cpu = sample_cpu(st);
      self->request(st.deps.directory, remote_timeout, stats_atom::value)
          .then([=](const node_stats& s) {
                  cluster::load ld{static_cast<std::uint32_t>(s.rooms), static_cast<std::uint32_t>(s.live),
                                   static_cast<std::uint32_t>(s.viewers), cpu};
                  self->state.deps.self.ld = ld;
                  if (self->state.deps.gossip) self->state.deps.gossip->update_self(ld, self->state.deps.self.draining);
                },
                [](caf::error&) {});
    },
    // The directory starts a drain: gossip says so (placement and succession skip this node, steering
    // points away) and the directory's own member list shows it at once.
    [=](drain_atom) {
      auto& st = self->state;
      if (st.deps.self.draining) return;
      st.deps.self.draining = true;
      if (st.deps.gossip) st.deps.gossip->update_self(st.deps.self.ld, true);
      self->send(st.deps.directory, members_atom::value, member_list(st));
      publish_steering(st);  // new master requests are redirected from now on
    },
    [=](dir_atom) { return self->state.deps.directory; },
    [=](cluster_atom) -> caf::result<net::api::cluster_view> {
      auto& st = self->state;
      auto view = std::make_shared<net::api::cluster_view>();
      view->node_id = st.deps.self.node_id;
      view->nodes.push_back(to_view(st.deps.self, true, true));
      for (auto& [id, m] : st.members) view->nodes.push_back(to_view(m, false, st.links.count(id) > 0));
      std::sort(view->nodes.begin(), view->nodes.end(),
                [](auto& a, auto& b) { return std::tie(a.region, a.node_id) < std::tie(b.region, b.node_id); });
      // Rooms with their owner and origin come from this node's copy of the replicated directory.
      auto rp = self->make_response_promise<net::api::cluster_view>();
      self->request(st.deps.directory, remote_timeout, rooms_atom::value)
          .then(
              [=](std::vector<net::api::cluster_room>& rooms) mutable {
                view->rooms = std::move(rooms);
                rp.deliver(*view);
              },
              [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
      return rp;
    },
    [=](ingest_atom, const std::string& region) -> caf::result<net::api::ingest_view> {
      auto& st = self->state;
      const auto want = region.empty() ? st.deps.self.region : region;
      auto best = cluster::best_ingest(want, member_list(st));
      if (!best) return make_api_error(api_errc::internal, "no alive node can take a stream");
      return net::api::ingest_view{best->node_id, best->region,
                                   "rtmp://" + best->ep.host + ":" + std::to_string(best->ep.rtmp) + "/live"};
    },
  };
}

}  // namespace

caf::actor spawn_cluster_actor(caf::actor_system& sys, cluster_deps deps) {
  return sys.spawn([deps = std::move(deps)](cluster_actor* self) mutable {
    self->state.deps = std::move(deps);
    return cluster_behavior(self);
  });
}

}  // namespace onair::actors
