// Drain (issue #13 item 5; docs/cluster.md "Drain"): POST /api/nodes/{id}/drain or `onair drain` takes a
// node out of service without cutting anyone off. Gossip says it is draining (placement, succession
// and content steering skip it), it takes no new rooms or publishers, hands every room it owns to the
// node that would take it over anyway (the first of its succession order: the chat backup, which already
// holds every acknowledged message; the whole retained history and the moderation are copied first
// all the same), waits up to the drain timeout for its publishers to end, and then shuts down like on
// SIGTERM, which closes the rest and leaves the cluster.
#include <caf/event_based_actor.hpp>
#include <chrono>
#include <spdlog/spdlog.h>

#include "actors/directory_state.hpp"
#include "actors/node_metrics.hpp"

namespace onair::actors {

using namespace std::chrono_literals;

namespace {

/// Chat records per copy message: bounded, so a long history never makes one huge CAF message.
constexpr std::uint64_t copy_page = 500;
constexpr auto copy_timeout = 10s;

/// Gives up on one room for now: the next tick starts its handoff again (the copy is idempotent).
void retry_later(directory_actor* self, const std::string& id, const caf::error& err) {
  self->state.handing_off.erase(id);
  spdlog::warn("drain: room {} not handed on yet ({}); retrying", id, caf::to_string(err));
}

/// Last step: the room actor makes the new record (epoch + 1) from its latest state, then every peer
/// gets it; the new owner's room actor turns into the owner and its chat channel starts from its copy.
void hand_over(directory_actor* self, const std::string& id) {
  auto& st = self->state;
  auto it = st.rooms.find(id);
  if (it == st.rooms.end()) return (void)st.handing_off.erase(id);
  self->request(it->second.actor, copy_timeout, handoff_atom::value, st.handing_off[id])
      .then(
          [=](const storage::room_record& rec) {
            self->state.handing_off.erase(id);
            replicate(self, {rec});
            ++self->state.deps.metrics->rooms_handed_off;
          },
          [=](caf::error& err) { retry_later(self, id, err); });
}

void copy_moderation(directory_actor* self, const std::string& id, caf::actor peer) {
  self->request(self->state.deps.storage, copy_timeout, mod_get_atom::value, id)
      .then(
          [=](const storage::chat_moderation& m) {
            self->request(peer, copy_timeout, backup_atom::value, mod_put_atom::value, id, m)
                .then([=]() { hand_over(self, id); }, [=](caf::error& err) { retry_later(self, id, err); });
          },
          // Nothing stored: the room was never moderated.
          [=](caf::error&) { hand_over(self, id); });
}

/// Copies the room's retained chat to the node taking it, page by page, then its moderation.
void copy_chat(directory_actor* self, const std::string& id, caf::actor peer, std::uint64_t after) {
  self->request(self->state.deps.storage, copy_timeout, chat_after_atom::value, id, after, copy_page)
      .then(
          [=](std::vector<storage::chat_record>& recs) {
            if (recs.empty()) return copy_moderation(self, id, peer);
            const auto last = recs.back().seq;
            self->request(peer, copy_timeout, backup_atom::value, chat_fill_atom::value, id, recs)
                .then([=]() { copy_chat(self, id, peer, last); }, [=](caf::error& err) { retry_later(self, id, err); });
          },
          [=](caf::error& err) { retry_later(self, id, err); });
}

/// Other members this node could hand rooms to.
bool has_heir_candidates(const directory_state& st) {
  return std::any_of(st.members.begin(), st.members.end(), [&](const cluster::member& m) {
    return m.node_id != st.deps.node_id && m.state == cluster::member_state::alive && !m.draining;
  });
}

net::api::drain_view view_of(const directory_state& st) {
  net::api::drain_view v;
  v.node_id = st.deps.node_id;
  for (const auto& [id, e] : st.rooms) {
    if (is_mine(st, e.summary.record)) ++v.rooms;
    if (streams_here(st, e.summary.record)) ++v.publishers;
  }
  const auto left = st.drain.deadline - std::chrono::steady_clock::now();
  v.deadline_s = static_cast<std::uint64_t>(std::max<std::int64_t>(0, std::chrono::ceil<std::chrono::seconds>(left).count()));
  return v;
}

}  // namespace

void drain_tick(directory_actor* self) {
  auto& st = self->state;
  if (!st.drain.active || st.drain.finished) return;
  std::size_t owned = 0, streams = 0;
  for (const auto& [id, e] : st.rooms) {
    const auto& rec = e.summary.record;
    if (streams_here(st, rec)) ++streams;
    if (!is_mine(st, rec)) continue;
    ++owned;
    // A minority side must not hand rooms on either: the majority may already have a new owner.
    if (!st.majority || st.handing_off.count(id)) continue;
    auto heir = linked_heir(st, rec);
    if (!heir) continue;
    st.handing_off[id] = heir->first;
    copy_chat(self, id, heir->second, 0);
  }
  const bool late = std::chrono::steady_clock::now() >= st.drain.deadline;
  if (owned > 0 && !late) return;
  if (streams > 0 && !late) return;
  st.drain.finished = true;
  if (owned > 0)
    spdlog::warn("drain: the deadline passed with {} rooms still owned here (no node could take them); "
                 "the cluster takes them over once this node has left", owned);
  spdlog::info("drain: done ({} publishers still here are closed now); shutting down", streams);
  if (st.deps.on_drained) st.deps.on_drained();
}

caf::message_handler drain_handlers(directory_actor* self) {
  return {
    [=](cluster_atom, const caf::actor& cluster) { self->state.cluster = cluster; },
    [=](drain_atom, const principal& who, const std::string& node) -> caf::result<net::api::drain_view> {
      auto& st = self->state;
      if (who.role.empty()) return make_api_error(api_errc::unauthorized, "an API token is required");
      if (who.role != "admin") return make_api_error(api_errc::forbidden, "only admin tokens may drain a node");
      if (node != st.deps.node_id) {
        if (auto p = st.peers.find(node); p != st.peers.end()) {
          auto rp = self->make_response_promise<net::api::drain_view>();
          rp.delegate(p->second, drain_atom::value, who, node);
          return rp;
        }
        const bool known = std::any_of(st.members.begin(), st.members.end(), [&](auto& m) { return m.node_id == node; });
        if (known) return make_api_error(api_errc::unavailable, "node '" + node + "' is not reachable from this node");
        return make_api_error(api_errc::not_found, "no node '" + node + "' in this cluster");
      }
      if (!st.drain.active) {
        if (!has_heir_candidates(st))
          return make_api_error(api_errc::conflict, "no other node is alive to take this node's rooms");
        st.drain.active = true;
        st.drain.deadline = std::chrono::steady_clock::now() + st.deps.drain_timeout;
        if (st.cluster) self->send(st.cluster, drain_atom::value);
        spdlog::warn("drain: this node takes no new rooms or publishers and hands its rooms on; publishers "
                     "have {} s to end",
                     st.deps.drain_timeout.count());
        drain_tick(self);
      }
      return view_of(st);
    },
  };
}

}  // namespace onair::actors
