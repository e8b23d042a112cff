#include "actors/directory_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <random>
#include <spdlog/spdlog.h>
#include <unordered_map>

#include "actors/chat_replicator.hpp"
#include "actors/directory_state.hpp"
#include "actors/node_metrics.hpp"
#include "actors/room_rules.hpp"
#include "actors/transcoder_actor.hpp"
#include "cluster/placement.hpp"
#include "cluster/succession.hpp"
#include "media/digest.hpp"

namespace onair::actors {

namespace {

using namespace std::chrono_literals;
constexpr auto tick_interval = 1s;
/// Anti-entropy round: every this many ticks, a digest goes to one random peer (plus one to every
/// peer whose link comes up). With n nodes each pair reconciles every ~n rounds at worst.
constexpr int digest_every_ticks = 5;
/// Viewer counts go to every peer when they changed, and at least this often (a peer that restarted).
constexpr int viewers_every_ticks = 10;


/// Open-publish names become room ids and URL path segments: 1..64 URL-safe characters.
bool valid_open_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_';
  });
}

caf::error not_found(const std::string& id) { return make_api_error(api_errc::not_found, "no room with id '" + id + "'"); }

/// The owner is on the minority side of a partition (or alone): it must not change the room, because
/// the majority side may already have a new owner for it (DESIGN.md section 5, "Split brain").
caf::error minority_error(const std::string& id) {
  return make_api_error(api_errc::unavailable, "this node does not see a majority of the cluster; room '" + id +
                                                   "' cannot be changed here now; retry");
}

/// Sends a per-room request where the room's authority is: `local` to the room actor when this node
/// owns the room, else `remote` (tagged owner_atom, so it is never forwarded again) to the owner's
/// directory. The requester's promise travels along, so the answer goes straight back to it.
caf::response_promise to_owner(directory_actor* self, const std::string& id, caf::message local, caf::message remote) {
  auto& st = self->state;
  auto rp = self->make_response_promise();
  auto it = st.rooms.find(id);
  if (it == st.rooms.end()) {
    rp.deliver(not_found(id));
    return rp;
  }
  const auto& rec = it->second.summary.record;
  if (is_mine(st, rec)) {
    if (!st.majority) rp.deliver(minority_error(id));
    else rp.delegate(it->second.actor, std::move(local));
    return rp;
  }
  auto peer = st.peers.find(rec.owner_node);
  if (peer == st.peers.end()) {
    rp.deliver(make_api_error(api_errc::unavailable, "the node that owns room '" + id + "' (" + rec.owner_node +
                                                         ") is not reachable from this node; retry"));
    return rp;
  }
  rp.delegate(peer->second, std::move(remote));
  return rp;
}

/// The owner side of to_owner(): only the node that owns the room acts on it.
caf::response_promise at_owner(directory_actor* self, const std::string& id, caf::message local) {
  auto& st = self->state;
  auto rp = self->make_response_promise();
  auto it = st.rooms.find(id);
  if (it == st.rooms.end()) rp.deliver(not_found(id));
  else if (!is_mine(st, it->second.summary.record))
    rp.deliver(make_api_error(api_errc::unavailable, "room '" + id + "' is moving to another node; retry"));
  else if (!st.majority) rp.deliver(minority_error(id));
  else rp.delegate(it->second.actor, std::move(local));
  return rp;
}

/// The room's view with its viewers summed over nodes and its stream statistics (from whichever node
/// is its origin).
net::api::room_view view_of(const directory_state& st, const room_summary& s) {
  auto v = to_view(s.record, total_viewers(st, s.record.id, s.viewers));
  if (s.record.status != 1) return v;
  const directory_state::stream_stats* found = nullptr;
  if (auto it = st.local_stats.find(s.record.id); it != st.local_stats.end()) found = &it->second;
  for (const auto& [node, m] : st.remote_stats)
    if (!found)
      if (auto it = m.find(s.record.id); it != m.end()) found = &it->second;
  if (found) {
    v.has_stream = true;
    v.ingest_kbps = found->kbps;
    v.fps = found->fps;
    v.dropped_frames = found->dropped;
  }
  return v;
}

net::api::room_page list(const directory_state& st, const net::api::list_rooms_request& req) {
  std::int64_t after_created = 0;
  std::string after_id;
  const bool has_cursor = parse_cursor(req.cursor, after_created, after_id);
  storage::room_record after;
  after.created_at_ms = after_created;
  after.id = after_id;
  std::vector<const room_summary*> hits;
  for (const auto& [id, e] : st.rooms) {
    if (!matches(e.summary.record, req)) continue;
    if (has_cursor && !list_before(after, e.summary.record)) continue;
    hits.push_back(&e.summary);
  }
  std::sort(hits.begin(), hits.end(), [](auto* a, auto* b) { return list_before(a->record, b->record); });
  net::api::room_page page;
  for (std::size_t i = 0; i < hits.size() && i < req.limit; ++i)
    page.rooms.push_back(view_of(st, *hits[i]));
  if (hits.size() > req.limit && !page.rooms.empty()) page.next_cursor = cursor_after(hits[req.limit - 1]->record);
  return page;
}

/// The room's owner: sticky rendezvous placement over the alive members, home region first.
std::string place(const directory_state& st, const std::string& id, const std::string& home_region) {
  if (st.members.empty()) return st.deps.node_id;
  return cluster::choose_owner(id, home_region, st.members, "").value_or(st.deps.node_id);
}

/// Tries the candidates in order until one takes the transcoder (each checks its own capacity).
void try_place(directory_actor* self, caf::typed_response_promise<caf::actor> rp, transcode_request req,
               std::vector<std::string> candidates, std::size_t i) {
  auto& st = self->state;
  while (i < candidates.size() && !st.peers.count(candidates[i])) ++i;
  if (i >= candidates.size()) {
    rp.deliver(make_api_error(api_errc::unavailable, "no node of the region has transcoding capacity"));
    return;
  }
  self->request(st.peers[candidates[i]], std::chrono::seconds(5), transcode_atom::value, req, true)
      .then([=](const caf::actor& tx) mutable { rp.deliver(tx); },
            [=](caf::error&) mutable { try_place(self, rp, req, candidates, i + 1); });
}

void tick(directory_actor* self) {
  auto& st = self->state;
  ++st.ticks;
  // A stream that stopped reporting (its publisher was cut) leaves the statistics after 5 s.
  std::erase_if(st.local_stats, [&](const auto& kv) { return kv.second.tick + 5 < st.ticks; });
  if (st.peers.empty()) return;
  std::map<std::string, std::uint64_t> mine;
  for (auto& [id, e] : st.rooms)
    if (e.summary.viewers > 0) mine[id] = e.summary.viewers;
  if (mine != st.viewers_sent || !st.local_stats.empty() || st.ticks % viewers_every_ticks == 0) {
    node_viewers nv;
    nv.node = st.deps.node_id;
    for (auto& [id, n] : mine) {
      nv.rooms.push_back(id);
      nv.counts.push_back(n);
    }
    for (auto& [id, s] : st.local_stats) {
      nv.stream_rooms.push_back(id);
      nv.ingest_kbps.push_back(s.kbps);
      nv.fps.push_back(s.fps);
      nv.dropped_frames.push_back(s.dropped);
    }
    auto msg = caf::make_message(viewers_atom::value, std::move(nv));
    for (auto& [node, dir] : st.peers) self->send(dir, msg);
    st.viewers_sent = std::move(mine);
  }
  if (st.ticks % digest_every_ticks == 0) {
    auto pick = std::uniform_int_distribution<std::size_t>(0, st.peers.size() - 1)(st.rng);
    auto it = std::next(st.peers.begin(), static_cast<std::ptrdiff_t>(pick));
    self->send(it->second, digest_atom::value, st.deps.node_id, make_digest(st));
  }
}

caf::behavior directory_behavior(directory_actor* self) {
  self->delayed_send(self, tick_interval, tick_atom::value);
  return caf::message_handler{
    [=](create_atom, const principal& who, const net::api::create_room_request& req) -> caf::result<net::api::room_view> {
      if (who.role.empty()) return make_api_error(api_errc::unauthorized, "an API token is required");
      if (who.role != "dj" && who.role != "admin")
        return make_api_error(api_errc::forbidden, "only dj and admin tokens may create rooms");
      if (self->state.drain.active)
        return make_api_error(api_errc::unavailable, "this node is draining; create the room through another node");
      if (!self->state.majority)  // it would be owned here, where no change to it could be made
        return make_api_error(api_errc::unavailable,
                              "this node does not see a majority of the cluster; create the room later or elsewhere");
      auto& st = self->state;
      storage::room_record rec;
      if (req.ladder) {
        if (auto why = check_ladder(*req.ladder, offered_rungs(st.deps, static_cast<std::uint8_t>(req.kind)));
            !why.empty())
          return make_api_error(api_errc::invalid_argument, why);
        rec.ladder_set = true;
        rec.ladder = *req.ladder;
      }
      rec.id = new_room_id();
      rec.owner = who.name;
      rec.title = req.title;
      rec.description = req.description;
      rec.kind = static_cast<std::uint8_t>(req.kind);
      rec.tags = req.tags;
      rec.status = 0;
      auto key = new_stream_key();
      rec.stream_key_hash = media::sha256_hex(key);
      rec.created_at_ms = rec.updated_at_ms = now_ms();
      rec.home_region = req.region.empty() ? st.deps.region : req.region;
      // A new id cannot conflict, so the creating node writes version 1 for the chosen owner; from
      // then on only the owner changes the record (epoch 1 until ownership moves).
      rec.owner_node = place(st, rec.id, rec.home_region);
      rec.owner_epoch = 1;
      rec.version = 1;
      auto rp = self->make_response_promise<net::api::room_view>();
      self->request(st.deps.storage, 10s, put_atom::value, rec)
          .then([=]() mutable {
                  add_room(self, rec);
                  replicate(self, {rec});
                  spdlog::info("room {} created by {}: {} (owner {}, region {})", rec.id, who.name, rec.title,
                               rec.owner_node, rec.home_region);
                  auto v = to_view(rec, 0);
                  v.stream_key = key;
                  rp.deliver(v);
                },
                [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
      return rp;
    },
    [=](list_atom, const net::api::list_rooms_request& req) { return list(self->state, req); },
    [=](get_atom, const std::string& id) -> caf::result<net::api::room_view> {
      auto& st = self->state;
      auto it = st.rooms.find(id);
      if (it == st.rooms.end()) return not_found(id);
      return view_of(st, it->second.summary);
    },
    [=](patch_atom, const principal& who, const std::string& id, const net::api::patch_room_request& req) {
      return caf::result<net::api::room_view>(to_owner(self, id, caf::make_message(patch_atom::value, who, req),
                                                      caf::make_message(owner_atom::value, patch_atom::value, who, id, req)));
    },
    [=](end_atom, const principal& who, const std::string& id) {
      return caf::result<net::api::room_view>(to_owner(self, id, caf::make_message(end_atom::value, who),
                                                      caf::make_message(owner_atom::value, end_atom::value, who, id)));
    },
    [=](rotate_atom, const principal& who, const std::string& id) {
      return caf::result<net::api::room_view>(to_owner(self, id, caf::make_message(rotate_atom::value, who),
                                                      caf::make_message(owner_atom::value, rotate_atom::value, who, id)));
    },
    [=](delete_atom, const principal& who, const std::string& id) {
      return caf::result<caf::unit_t>(to_owner(self, id, caf::make_message(delete_atom::value, who),
                                              caf::make_message(owner_atom::value, delete_atom::value, who, id)));
    },
    // The same requests arriving at the owner from another node (to_owner above).
    [=](owner_atom, patch_atom, const principal& who, const std::string& id, const net::api::patch_room_request& req) {
      return caf::result<net::api::room_view>(at_owner(self, id, caf::make_message(patch_atom::value, who, req)));
    },
    [=](owner_atom, end_atom, const principal& who, const std::string& id) {
      return caf::result<net::api::room_view>(at_owner(self, id, caf::make_message(end_atom::value, who)));
    },
    [=](owner_atom, rotate_atom, const principal& who, const std::string& id) {
      return caf::result<net::api::room_view>(at_owner(self, id, caf::make_message(rotate_atom::value, who)));
    },
    [=](owner_atom, delete_atom, const principal& who, const std::string& id) {
      return caf::result<caf::unit_t>(at_owner(self, id, caf::make_message(delete_atom::value, who)));
    },
    [=](owner_atom, chat_atom, const std::string& id) {
      return caf::result<caf::actor, std::string>(at_owner(self, id, caf::make_message(chat_atom::value)));
    },
    [=](publish_atom, const std::string& key_hash, publish_attempt& attempt) -> caf::result<caf::actor> {
      auto& st = self->state;
      if (st.drain.active) {
        ++st.deps.metrics->publishes_refused;
        return make_api_error(api_errc::unavailable, "this node is draining; publish to another node");
      }
      auto it = st.by_key_hash.find(key_hash);
      if (it != st.by_key_hash.end()) {
        // Any node takes a publisher for any room: the stream runs here and the owner records this
        // node as the room's origin (room actor, origin_atom).
        auto room = st.rooms.find(it->second);
        if (room == st.rooms.end()) return not_found(it->second);
        auto rp = self->make_response_promise<caf::actor>();
        rp.delegate(room->second.actor, publish_atom::value, std::move(attempt));
        return rp;
      }
      if (!attempt.open_name.empty() && valid_open_name(attempt.open_name) && !st.rooms.count(attempt.open_name) &&
          !st.tombstones.count(attempt.open_name)) {
        // Open-publish mode: the first publish of a name creates its room (id = name, key = name),
        // owned by the node that took the publisher.
        storage::room_record rec;
        rec.id = attempt.open_name;
        rec.owner = "open-publish";
        rec.title = attempt.open_name;
        rec.stream_key_hash = key_hash;
        rec.created_at_ms = rec.updated_at_ms = now_ms();
        rec.home_region = st.deps.region;
        rec.owner_node = st.deps.node_id;
        rec.owner_epoch = 1;
        rec.version = 1;
        auto rp = self->make_response_promise<caf::actor>();
        self->request(st.deps.storage, 10s, put_atom::value, rec)
            .then([=]() mutable {
                    add_room(self, rec);
                    replicate(self, {rec});
                    spdlog::info("room {} created by open publish", rec.id);
                    rp.delegate(self->state.rooms[rec.id].actor, publish_atom::value, attempt);
                  },
                  [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      }
      ++st.deps.metrics->publishes_refused;
      return make_api_error(api_errc::not_found, "invalid stream key");
    },
    [=](chat_atom, const std::string& id) -> caf::result<caf::actor, std::string> {
      auto it = self->state.rooms.find(id);
      if (it == self->state.rooms.end()) return not_found(id);
      auto rp = self->make_response_promise<caf::actor, std::string>();
      rp.delegate(it->second.actor, chat_atom::value);
      return rp;
    },
    // From a local room actor: a publisher started (live) or stopped on `node`; the owner records it.
    // `routed` is true once forwarded, so a message never travels twice.
    [=](origin_atom, const std::string& id, const std::string& node, bool live, std::uint64_t next_msn,
        std::uint64_t disc, const std::vector<std::string>& renditions, const std::string& status, bool routed) {
      auto& st = self->state;
      auto it = st.rooms.find(id);
      if (it == st.rooms.end()) return;
      const auto& rec = it->second.summary.record;
      if (routed || is_mine(st, rec)) {
        self->send(it->second.actor, origin_atom::value, node, live, next_msn, disc, renditions, status);
        return;
      }
      if (auto p = st.peers.find(rec.owner_node); p != st.peers.end())
        self->send(p->second, origin_atom::value, id, node, live, next_msn, disc, renditions, status, true);
      else
        spdlog::warn("room {}: owner {} unreachable; origin {} not recorded yet", id, rec.owner_node, node);
    },
    // An edge asks the origin for the room's HLS updates (edge_room = the edge's room actor).
    [=](hls_sub_atom, const std::string& id, const std::string& origin, const caf::actor& edge_room, bool routed) {
      auto& st = self->state;
      if (routed || origin == st.deps.node_id) {
        if (auto it = st.rooms.find(id); it != st.rooms.end())
          self->send(it->second.actor, hls_sub_atom::value, edge_room);
        return;
      }
      if (auto p = st.peers.find(origin); p != st.peers.end())
        self->send(p->second, hls_sub_atom::value, id, origin, edge_room, true);
    },
    [=](hls_unsub_atom, const std::string& id, const std::string& origin, const caf::actor& edge_room, bool routed) {
      auto& st = self->state;
      if (routed || origin == st.deps.node_id) {
        if (auto it = st.rooms.find(id); it != st.rooms.end())
          self->send(it->second.actor, hls_unsub_atom::value, edge_room);
        return;
      }
      if (auto p = st.peers.find(origin); p != st.peers.end())
        self->send(p->second, hls_unsub_atom::value, id, origin, edge_room, true);
    },
    // A chat relay on this node asks for the owner's chat channel.
    [=](relay_atom, const std::string& id) {
      return caf::result<caf::actor, std::string>(to_owner(self, id, caf::make_message(chat_atom::value),
                                                          caf::make_message(owner_atom::value, chat_atom::value, id)));
    },
    // A local room with no transcoding capacity here: the least-loaded other alive nodes of its home
    // region, in order, until one takes it.
    [=](transcode_atom, transcode_request& req) -> caf::result<caf::actor> {
      auto& st = self->state;
      auto it = st.rooms.find(req.room_id);
      const auto region = it != st.rooms.end() && !it->second.summary.record.home_region.empty()
                              ? it->second.summary.record.home_region
                              : st.deps.region;
      std::vector<cluster::member> in_region;
      for (const auto& m : st.members)
        if (m.node_id != st.deps.node_id && m.state == cluster::member_state::alive && !m.draining &&
            m.region == region && st.peers.count(m.node_id))
          in_region.push_back(m);
      std::sort(in_region.begin(), in_region.end(), [](auto& a, auto& b) { return a.ld.cpu_pct < b.ld.cpu_pct; });
      std::vector<std::string> candidates;
      for (auto& m : in_region) candidates.push_back(m.node_id);
      if (candidates.empty())
        return make_api_error(api_errc::unavailable, "no other alive node in region " + region);
      auto rp = self->make_response_promise<caf::actor>();
      try_place(self, rp, std::move(req), std::move(candidates), 0);
      return rp;
    },
    // The other side: this node transcodes a room whose stream runs on another node, if it has capacity.
    [=](transcode_atom, transcode_request& req, bool) -> caf::result<caf::actor> {
      auto& st = self->state;
      if (!st.deps.transcode || !st.deps.budget || !st.deps.budget->try_take())
        return make_api_error(api_errc::unavailable, "no transcoding capacity on node " + st.deps.node_id);
      transcoder_setup ts;
      ts.room_id = req.room_id;
      ts.room = req.room;
      ts.audio_room = req.audio_room;
      ts.video_rungs = std::move(req.video_rungs);
      ts.audio_rungs = std::move(req.audio_rungs);
      for (std::size_t i = 0; i < req.packager_names.size() && i < req.packagers.size(); ++i)
        ts.packagers[req.packager_names[i]] = req.packagers[i];
      ts.opts = st.deps.transcode;
      ts.budget = st.deps.budget;
      ts.metrics = st.deps.metrics;
      ts.budget_taken = true;
      ts.thumbnails = false;  // the ingest node makes them from the source it holds
      spdlog::info("transcoding room {} for another node", ts.room_id);
      return spawn_transcoder_actor(self->system(), std::move(ts));
    },
    [=](update_atom, const storage::room_record& rec, std::uint64_t viewers) {
      auto& st = self->state;
      auto it = st.rooms.find(rec.id);
      if (it == st.rooms.end()) return;
      auto& old = it->second.summary.record;
      const bool changed = rec.version != old.version || rec.owner_epoch != old.owner_epoch;
      index_key(st, old, rec);
      it->second.summary = room_summary{rec, viewers};
      // Only the owner's room actor changes the record; its changes go to every peer.
      if (changed && is_mine(st, rec)) replicate(self, {rec});
    },
    [=](removed_atom, const storage::room_record& tombstone) {
      auto& st = self->state;
      auto it = st.rooms.find(tombstone.id);
      if (it == st.rooms.end()) return;
      index_key(st, it->second.summary.record, tombstone);
      st.rooms.erase(it);
      st.tombstones[tombstone.id] = tombstone;
      replicate(self, {tombstone});
      spdlog::info("room {} deleted", tombstone.id);
    },
    [=](viewer_atom, const std::string& id, int delta) {
      auto it = self->state.rooms.find(id);
      if (it != self->state.rooms.end()) self->send(it->second.actor, viewer_atom::value, delta);
    },
    // ---- replication (docs/cluster.md, "Room directory") ----
    [=](replicate_atom, const std::vector<storage::room_record>& recs) {
      for (const auto& r : recs) apply_remote(self, r);
    },
    [=](digest_atom, const std::string& from, const room_digest& d) {
      auto& st = self->state;
      auto peer = st.peers.find(from);
      if (peer == st.peers.end()) return;
      std::vector<storage::room_record> theirs_older;
      std::vector<std::string> want;
      std::unordered_map<std::string, std::size_t> seen;
      for (std::size_t i = 0; i < d.ids.size() && i < d.epochs.size() && i < d.versions.size(); ++i) {
        seen[d.ids[i]] = i;
        storage::room_record probe;
        probe.owner_epoch = d.epochs[i];
        probe.version = d.versions[i];
        if (i < d.owners.size()) probe.owner_node = d.owners[i];
        const auto* mine = find_any(st, d.ids[i]);
        if (!mine || storage::newer_than(probe, *mine)) want.push_back(d.ids[i]);
        else if (storage::newer_than(*mine, probe)) theirs_older.push_back(*mine);
      }
      for (auto& [id, e] : st.rooms)
        if (!seen.count(id)) theirs_older.push_back(e.summary.record);
      for (auto& [id, t] : st.tombstones)
        if (!seen.count(id)) theirs_older.push_back(t);
      if (!theirs_older.empty()) self->send(peer->second, replicate_atom::value, std::move(theirs_older));
      if (!want.empty()) self->send(peer->second, pull_atom::value, st.deps.node_id, std::move(want));
    },
    [=](pull_atom, const std::string& from, const std::vector<std::string>& ids) {
      auto& st = self->state;
      auto peer = st.peers.find(from);
      if (peer == st.peers.end()) return;
      std::vector<storage::room_record> out;
      for (auto& id : ids)
        if (const auto* r = find_any(st, id)) out.push_back(*r);
      if (!out.empty()) self->send(peer->second, replicate_atom::value, std::move(out));
    },
    [=](peer_up_atom, const std::string& node, const caf::actor& dir) {
      auto& st = self->state;
      st.peers[node] = dir;
      // Anti-entropy right away: a node that joins late or restarts converges within one round trip.
      self->send(dir, digest_atom::value, st.deps.node_id, make_digest(st));
      // API tokens too: they are made offline (`onair token create`) or at a node's first start, so
      // exchanging them whenever a link comes up is enough for every token to work on every node.
      self->request(st.deps.storage, std::chrono::seconds(10), token_atom::value, list_atom::value)
          .then([=](std::vector<storage::token_record>& tokens) { self->send(dir, token_atom::value, std::move(tokens)); },
                [node](caf::error& err) {
                  spdlog::warn("directory: tokens not sent to {}: {}", node, caf::to_string(err));
                });
      st.viewers_sent.clear();
      // A node that restarted under the same id lost every edge subscription it served: the rooms
      // whose origin it is subscribe again (follow_origin alone sees "same origin" and does nothing).
      for (auto& [id, e] : st.rooms)
        if (e.summary.record.origin_node == node) self->send(e.actor, hls_sub_atom::value, node);
    },
    [=](token_atom, const std::vector<storage::token_record>& tokens) {
      self->request(self->state.deps.storage, std::chrono::seconds(10), token_atom::value, put_atom::value, tokens)
          .then([](std::uint64_t added) {
                  if (added > 0) spdlog::info("directory: {} API token(s) learned from a peer", added);
                },
                [](caf::error& err) { spdlog::warn("directory: tokens from a peer not stored: {}", caf::to_string(err)); });
    },
    [=](peer_down_atom, const std::string& node) {
      self->state.peers.erase(node);
      self->state.remote_viewers.erase(node);
      self->state.remote_stats.erase(node);
    },
    [=](members_atom, std::vector<cluster::member>& members) {
      self->state.members = std::move(members);
      check_ownership(self);
    },
    [=](viewers_atom, const node_viewers& nv) {
      auto& counts = self->state.remote_viewers[nv.node];
      counts.clear();
      for (std::size_t i = 0; i < nv.rooms.size() && i < nv.counts.size(); ++i) counts[nv.rooms[i]] = nv.counts[i];
      auto& stats = self->state.remote_stats[nv.node];
      stats.clear();
      for (std::size_t i = 0; i < nv.stream_rooms.size() && i < nv.ingest_kbps.size() && i < nv.fps.size() &&
                              i < nv.dropped_frames.size();
           ++i)
        stats[nv.stream_rooms[i]] = {nv.ingest_kbps[i], nv.fps[i], nv.dropped_frames[i], 0};
    },
    [=](stats_atom, const std::string& id, std::uint32_t kbps, double fps, std::uint64_t dropped) {
      auto& st = self->state;
      if (kbps == 0 && fps == 0) st.local_stats.erase(id);
      else st.local_stats[id] = {kbps, fps, dropped, st.ticks};
    },
    [=](dir_atom) { return caf::actor_cast<caf::actor>(self); },
    [=](tick_atom) {
      self->delayed_send(self, tick_interval, tick_atom::value);
      tick(self);
      check_ownership(self);
      drain_tick(self);
    },
    [=](stats_atom) {
      // This node's load: the rooms it owns, the streams it ingests, the viewers it serves.
      auto& st = self->state;
      node_stats s;
      for (const auto& [id, e] : st.rooms) {
        const auto& r = e.summary.record;
        if (is_mine(st, r)) ++s.rooms;
        if (streams_here(st, r)) ++s.live;
        s.viewers += e.summary.viewers;
      }
      return s;
    },
    [=](rooms_atom) {
      // Every room with its owner and origin, from the replicated directory (GET /api/cluster).
      auto& st = self->state;
      std::vector<net::api::cluster_room> out;
      for (const auto& [id, e] : st.rooms) {
        const auto& r = e.summary.record;
        const char* status = r.status == 1 ? "live" : r.status == 2 ? "ended" : "ready";
        out.push_back({r.id, r.title, status, r.owner_node.empty() ? st.deps.node_id : r.owner_node,
                       r.status == 1 ? (r.origin_node.empty() ? st.deps.node_id : r.origin_node) : ""});
      }
      std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.id < b.id; });
      return out;
    },
    [=](shutdown_atom) -> caf::result<caf::unit_t> {
      // Check before making the promise: once a promise exists, CAF 0.17 ignores a returned value.
      if (self->state.rooms.empty()) return caf::unit;
      auto rp = self->make_response_promise<caf::unit_t>();
      auto pending = std::make_shared<std::size_t>(self->state.rooms.size());
      for (auto& [id, e] : self->state.rooms) {
        self->request(e.actor, 10s, shutdown_atom::value)
            .then([=]() mutable { if (--*pending == 0) rp.deliver(caf::unit); },
                  [=](caf::error& err) mutable {
                    spdlog::error("shutdown: a room did not confirm: {}", caf::to_string(err));
                    if (--*pending == 0) rp.deliver(caf::unit);
                  });
      }
      return rp;
    },
  }.or_else(ownership_handlers(self)).or_else(drain_handlers(self));
}

}  // namespace

caf::actor spawn_directory_actor(caf::actor_system& sys, std::vector<storage::room_record> rooms, room_deps deps) {
  return sys.spawn([rooms = std::move(rooms), deps = std::move(deps)](directory_actor* self) mutable {
    self->state.deps = std::move(deps);
    self->state.deps.directory = caf::actor_cast<caf::actor>(self);
    if (self->state.deps.storage)  // every room's chat writes its second copy through it
      self->state.deps.chat_store = spawn_chat_replicator(self->system(), self->state.deps.storage,
                                                          self->state.deps.directory, self->state.deps.metrics);
    if (self->state.deps.chat_store) self->link_to(self->state.deps.chat_store);
    for (auto& r : rooms) {
      if (r.deleted) {
        self->state.tombstones[r.id] = std::move(r);
        continue;
      }
      // Rooms stored before the cluster fields existed (format v1) belong to this node.
      if (r.owner_node.empty()) r.owner_node = self->state.deps.node_id;
      if (r.home_region.empty()) r.home_region = self->state.deps.region;
      if (r.owner_epoch == 0) r.owner_epoch = 1;
      add_room(self, std::move(r));
    }
    return directory_behavior(self);
  });
}

}  // namespace onair::actors
