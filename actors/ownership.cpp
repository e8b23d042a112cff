// Owner failover and fencing (issue #13; DESIGN.md section 5 "Failover" and "Split brain";
// docs/cluster.md "Failover"). Every node runs the same rule over its gossip view: when a room's owner
// is dead or left, the first node of the room's succession order takes it over with epoch + 1, from its
// own replica, but only while it sees a majority of the cluster. storage::newer_than fences everything
// the old owner wrote at the old epoch.
#include <caf/actor_system.hpp>
#include <chrono>
#include <spdlog/spdlog.h>

#include "actors/directory_state.hpp"
#include "actors/node_metrics.hpp"
#include "actors/room_rules.hpp"
#include "cluster/succession.hpp"

namespace onair::actors {

using namespace std::chrono_literals;

namespace {

/// Installs a record this node wrote as the new owner: local summary and room actor first (so the next
/// check does not take the room twice), then storage and every peer.
void adopt(directory_actor* self, const storage::room_record& rec) {
  auto& st = self->state;
  auto it = st.rooms.find(rec.id);
  if (it == st.rooms.end()) return;
  index_key(st, it->second.summary.record, rec);
  it->second.summary.record = rec;
  self->send(it->second.actor, replicate_atom::value, rec);
  persist(self, rec);
  replicate(self, {rec});
}

/// The owner's view of a room whose stream ran on a node that is now gone: nobody publishes there any
/// more, so the room is ready until the encoder reconnects somewhere (DESIGN.md section 5).
void clear_gone_origin(directory_actor* self, const room_entry& e) {
  const auto& rec = e.summary.record;
  self->send(e.actor, origin_atom::value, rec.origin_node, false, rec.next_msn, rec.discontinuity_seq,
             std::vector<std::string>{}, std::string{});
}

}  // namespace

std::optional<std::pair<std::string, caf::actor>> linked_heir(const directory_state& st, const storage::room_record& rec) {
  for (const auto& node : cluster::succession(rec.id, rec.home_region, st.members)) {
    if (node == st.deps.node_id) continue;
    auto m = std::find_if(st.members.begin(), st.members.end(), [&](auto& x) { return x.node_id == node; });
    if (m == st.members.end() || m->state != cluster::member_state::alive) continue;
    if (auto p = st.peers.find(node); p != st.peers.end()) return std::make_pair(node, p->second);
  }
  return std::nullopt;
}

void check_ownership(directory_actor* self) {
  auto& st = self->state;
  // A node that knows no other member is standalone (or the first of a cluster): it owns what it has.
  const bool alone = st.members.size() <= 1;
  const bool had = st.majority;
  st.majority = alone || cluster::has_majority(st.members);
  if (had != st.majority)
    spdlog::warn(st.majority ? "directory: a majority of the cluster is visible again; rooms can change"
                             : "directory: this node sees no majority of the cluster; its rooms are read-only");
  if (!st.majority || alone) return;
  std::vector<storage::room_record> taken;
  for (auto& [id, e] : st.rooms) {
    const auto& rec = e.summary.record;
    if (is_mine(st, rec)) {
      if (rec.status == 1 && !rec.origin_node.empty() && rec.origin_node != st.deps.node_id &&
          cluster::owner_gone(rec.origin_node, st.members))
        clear_gone_origin(self, e);
      continue;
    }
    auto next = cluster::successor(rec.id, rec.home_region, rec.owner_node, st.members);
    if (!next || *next != st.deps.node_id) continue;
    auto r = rec;
    spdlog::warn("room {}: owner {} is gone; this node takes it over (epoch {} -> {})", r.id, r.owner_node,
                 r.owner_epoch, r.owner_epoch + 1);
    if (r.status == 1 && (r.origin_node == r.owner_node || cluster::owner_gone(r.origin_node, st.members))) {
      // The stream died with its node: the room is ready until the encoder reconnects (to any node).
      r.status = 0;
      r.origin_node.clear();
      r.renditions.clear();
      r.transcode_status.clear();
    }
    r.owner_node = st.deps.node_id;
    ++r.owner_epoch;
    ++r.version;
    r.updated_at_ms = now_ms();
    taken.push_back(std::move(r));
  }
  for (const auto& r : taken) adopt(self, r);
  st.deps.metrics->rooms_taken_over += taken.size();
}

caf::message_handler ownership_handlers(directory_actor* self) {
  auto to_storage = [=](caf::message msg) {
    auto rp = self->make_response_promise();
    rp.delegate(self->state.deps.storage, std::move(msg));
    return rp;
  };
  return {
    // The owner's chat replicator asks where the second copy of a room's chat goes: the first alive
    // node after this one in the room's succession order, i.e. the node that takes the room over if
    // this one dies. No answer (an error) when no other node is linked: then there is no second copy.
    [=](backup_atom, const std::string& id) -> caf::result<caf::actor, std::string> {
      auto& st = self->state;
      auto it = st.rooms.find(id);
      if (it == st.rooms.end()) return make_api_error(api_errc::not_found, "no room with id '" + id + "'");
      if (auto heir = linked_heir(st, it->second.summary.record)) return {heir->second, heir->first};
      return make_api_error(api_errc::unavailable, "no other node is linked to keep a copy of the chat");
    },
    // The same copy arriving here from the owner's replicator: into this node's RocksDB, so that this
    // node's channel holds every acknowledged message if it takes the room over.
    [=](backup_atom, chat_app_atom, const std::string& room, const std::vector<storage::chat_record>& batch) {
      return caf::result<caf::unit_t>(to_storage(caf::make_message(chat_app_atom::value, room, batch)));
    },
    // A draining owner copies the room's whole retained history before it hands the room here.
    [=](backup_atom, chat_fill_atom, const std::string& room, const std::vector<storage::chat_record>& batch) {
      return caf::result<caf::unit_t>(to_storage(caf::make_message(chat_fill_atom::value, room, batch)));
    },
    [=](backup_atom, chat_del_atom, const std::string& room, std::uint64_t seq) {
      return caf::result<caf::unit_t>(to_storage(caf::make_message(chat_del_atom::value, room, seq)));
    },
    [=](backup_atom, mod_put_atom, const std::string& room, const storage::chat_moderation& m) {
      return caf::result<caf::unit_t>(to_storage(caf::make_message(mod_put_atom::value, room, m)));
    },
    [=](backup_atom, chat_trim_atom, const std::string& room, std::uint64_t keep, std::int64_t min_ts_ms) {
      self->send(self->state.deps.storage, chat_trim_atom::value, room, keep, min_ts_ms);
    },
  };
}

}  // namespace onair::actors
