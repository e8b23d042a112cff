#include "actors/directory_state.hpp"

#include <caf/actor_system.hpp>
#include <chrono>
#include <spdlog/spdlog.h>

namespace onair::actors {

using namespace std::chrono_literals;

bool is_mine(const directory_state& st, const storage::room_record& r) {
  return r.owner_node.empty() || r.owner_node == st.deps.node_id;
}

bool streams_here(const directory_state& st, const storage::room_record& r) {
  return r.status == 1 && (r.origin_node == st.deps.node_id || (r.origin_node.empty() && is_mine(st, r)));
}

std::uint64_t total_viewers(const directory_state& st, const std::string& id, std::uint64_t local) {
  for (const auto& [node, counts] : st.remote_viewers)
    if (auto it = counts.find(id); it != counts.end()) local += it->second;
  return local;
}

void index_key(directory_state& st, const storage::room_record& old, const storage::room_record& rec) {
  if (!old.stream_key_hash.empty() && old.stream_key_hash != rec.stream_key_hash) {
    auto it = st.by_key_hash.find(old.stream_key_hash);
    if (it != st.by_key_hash.end() && it->second == rec.id) st.by_key_hash.erase(it);
  }
  if (!rec.stream_key_hash.empty()) st.by_key_hash[rec.stream_key_hash] = rec.id;
}

void add_room(directory_actor* self, storage::room_record rec) {
  auto& st = self->state;
  auto id = rec.id;
  index_key(st, storage::room_record{}, rec);
  room_entry e;
  e.summary.record = rec;
  e.actor = spawn_room_actor(self->system(), std::move(rec), st.deps);
  self->link_to(e.actor);  // node shutdown (exit of the directory) reaches every room
  st.rooms[id] = std::move(e);
}

void replicate(directory_actor* self, std::vector<storage::room_record> recs) {
  if (recs.empty()) return;
  auto msg = caf::make_message(replicate_atom::value, std::move(recs));
  for (auto& [node, dir] : self->state.peers) self->send(dir, msg);
}

void persist(directory_actor* self, const storage::room_record& rec) {
  auto id = rec.id;
  self->request(self->state.deps.storage, 10s, put_atom::value, rec)
      .then([]() {}, [id](caf::error& err) {
        spdlog::error("directory: replicated room {} not stored: {}", id, caf::to_string(err));
      });
}

void apply_remote(directory_actor* self, const storage::room_record& rec) {
  auto& st = self->state;
  if (rec.id.empty()) return;
  if (auto t = st.tombstones.find(rec.id); t != st.tombstones.end() && !storage::newer_than(rec, t->second)) return;
  auto it = st.rooms.find(rec.id);
  if (it != st.rooms.end() && !storage::newer_than(rec, it->second.summary.record)) return;
  persist(self, rec);
  if (rec.deleted) {
    st.tombstones[rec.id] = rec;
    if (it == st.rooms.end()) return;
    index_key(st, it->second.summary.record, rec);
    self->unlink_from(it->second.actor);
    self->send(it->second.actor, replicate_atom::value, rec);  // the room cleans up and quits
    st.rooms.erase(it);
    spdlog::info("room {} deleted (replicated)", rec.id);
    return;
  }
  st.tombstones.erase(rec.id);
  if (it == st.rooms.end()) {
    add_room(self, rec);
    return;
  }
  index_key(st, it->second.summary.record, rec);
  it->second.summary.record = rec;
  self->send(it->second.actor, replicate_atom::value, rec);
}

room_digest make_digest(const directory_state& st) {
  room_digest d;
  auto add = [&](const storage::room_record& r) {
    d.ids.push_back(r.id);
    d.owners.push_back(r.owner_node);
    d.epochs.push_back(r.owner_epoch);
    d.versions.push_back(r.version);
  };
  for (auto& [id, e] : st.rooms) add(e.summary.record);
  for (auto& [id, t] : st.tombstones) add(t);
  return d;
}

const storage::room_record* find_any(const directory_state& st, const std::string& id) {
  if (auto it = st.rooms.find(id); it != st.rooms.end()) return &it->second.summary.record;
  if (auto it = st.tombstones.find(id); it != st.tombstones.end()) return &it->second;
  return nullptr;
}

}  // namespace onair::actors
