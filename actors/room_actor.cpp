#include "actors/room_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <chrono>
#include <map>
#include <spdlog/spdlog.h>

#include "actors/chat_channel_actor.hpp"
#include "actors/chat_relay_actor.hpp"
#include "actors/hls_edge.hpp"
#include "actors/messages.hpp"
#include "actors/node_metrics.hpp"
#include "actors/packager_actor.hpp"
#include "actors/room_rules.hpp"
#include "actors/room_state.hpp"
#include "actors/stream_actor.hpp"
#include "actors/transcoder_actor.hpp"
#include "media/digest.hpp"
#include "net/hls/hls_index.hpp"

namespace onair::actors {

namespace {

using namespace std::chrono_literals;
/// Media sequence numbers are reserved in blocks so a crash never reuses a published number while the
/// room writes to storage only once per block, not once per segment.
constexpr std::uint64_t msn_reserve_block = 64;
/// How long an edge keeps following an origin after the room stopped being live there.
constexpr auto edge_linger = 5s;


void report(room_actor* self) {
  self->send(self->state.deps.directory, update_atom::value, self->state.rec, self->state.viewers);
}

/// A change made by the owner: a new version that replicas will take over theirs.
void touch(room_state& st) {
  st.rec.updated_at_ms = now_ms();
  ++st.rec.version;
}

/// Writes the record, then answers `rp` with `reply` (or the storage error) and tells the directory.
template <class T>
void persist_then(room_actor* self, caf::typed_response_promise<T> rp, std::function<T()> reply) {
  self->request(self->state.deps.storage, storage_timeout, put_atom::value, self->state.rec)
      .then([=]() mutable {
              report(self);
              rp.deliver(reply());
            },
            [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
}

/// Writes the record without anyone waiting for it (lifecycle changes driven by the publisher).
void persist_async(room_actor* self) {
  auto id = self->state.rec.id;
  self->request(self->state.deps.storage, storage_timeout, put_atom::value, self->state.rec)
      .then([]() {}, [id](caf::error& err) {
        spdlog::error("room {}: could not persist state: {}", id, caf::to_string(err));
      });
  report(self);
}

/// Tells the room's chatters about a lifecycle change ("live", "ready", "ended").
void chat_event(room_actor* self, const char* event) {
  if (self->state.chat) self->send(self->state.chat, system_atom::value, std::string(event));
}

void kick_publisher(room_actor* self) {
  auto& st = self->state;
  if (!st.publisher) return;
  if (st.publisher->kick) st.publisher->kick();
  st.publisher.reset();
}

std::string source_name(const room_state& st) { return st.rec.kind == 1 ? "audio" : "source"; }

caf::actor ensure_packager(room_actor* self, const std::string& name) {
  auto& st = self->state;
  auto& p = st.packagers[name];
  if (!p) {
    auto opts = st.deps.packager;
    opts.name = name;
    opts.audio_only = st.rec.kind == 1;
    // After a restart or on a new origin the window is empty: continue numbering from the reserved block;
    // the packager tags its first segment EXT-X-DISCONTINUITY (media/hls_packager.cpp) so a player that
    // kept its position, here or on an edge, sees a clean boundary. Every
    // rendition starts from the same numbers, so segment N is the same time span in all of them.
    // The recorded discontinuity number is the packager's sequence(): already the next one.
    media::sequence_state start{st.rec.next_msn, st.rec.discontinuity_seq};
    p = spawn_packager_actor(self->system(), st.rec.id, opts, start, caf::actor_cast<caf::actor>(self), st.deps.index,
                             st.deps.metrics);
    self->link_to(p);
    for (auto& e : st.edges) self->send(p, subscribe_atom::value, e);
    if (!st.master.empty()) self->send(p, meta_atom::value, st.master);
  }
  return p;
}

caf::actor ensure_packager(room_actor* self) { return ensure_packager(self, source_name(self->state)); }

void to_packagers(room_actor* self, const caf::message& msg) {
  for (auto& [name, p] : self->state.packagers) self->send(p, msg);
}

/// The room's rungs: its own choice (`ladder`) or the node's whole ladder, in the node's order.
template <class Rung>
std::vector<Rung> room_rungs(const storage::room_record& rec, const std::vector<Rung>& node_ladder) {
  if (!rec.ladder_set) return node_ladder;
  std::vector<Rung> out;
  for (const auto& r : node_ladder)
    if (std::find(rec.ladder.begin(), rec.ladder.end(), r.name) != rec.ladder.end()) out.push_back(r);
  return out;
}

/// Renditions in master playlist order: the source first, then the live rungs in ladder order.
std::vector<std::string> master_names(const room_state& st) {
  std::vector<std::string> names;
  if (st.variants.count(source_name(st))) names.push_back(source_name(st));
  for (const auto& r : st.live_rungs)
    if (st.variants.count(r)) names.push_back(r);
  return names;
}

/// The room's `transcoding` status: why it serves less than asked ("" when all is well).
std::string room_status_text(const room_state& st) {
  if (st.media_warning.empty()) return st.transcode_status;
  if (st.transcode_status.empty()) return st.media_warning;
  return st.media_warning + "; " + st.transcode_status;
}

/// Tells the room's owner that this node's publisher started or stopped (directory routes it).
void report_origin(room_actor* self, bool live) {
  auto& st = self->state;
  self->send(st.deps.directory, origin_atom::value, st.rec.id, st.deps.node_id, live, st.rec.next_msn,
             st.rec.discontinuity_seq, live ? master_names(st) : std::vector<std::string>{},
             live ? room_status_text(st) : std::string{}, false);
}

void stop_edge(room_actor* self) {
  auto& st = self->state;
  if (st.edge_origin.empty()) return;
  self->send(st.deps.directory, hls_unsub_atom::value, st.rec.id, st.edge_origin, caf::actor_cast<caf::actor>(self),
             false);
  st.edge_origin.clear();
  st.edge_snaps.clear();
}

/// HLS from any node: while the room is live on another node, follow that origin (one subscription
/// per node); stop when it ends or moves. The last snapshots stay served until replaced.
void follow_origin(room_actor* self) {
  auto& st = self->state;
  const auto& origin = st.rec.origin_node;
  const bool want = st.rec.status == 1 && !origin.empty() && origin != st.deps.node_id && !st.publisher;
  if (want && st.edge_origin == origin) return;
  if (!want && !st.edge_origin.empty() && origin.empty()) {
    // The show stopped or ended (not moved): the origin's last parts and its EXT-X-ENDLIST are still on
    // their way, so keep following a little longer; the index keeps serving what arrived.
    self->delayed_send(self, edge_linger, hls_unsub_atom::value, st.edge_origin);
    return;
  }
  stop_edge(self);
  if (!want) return;
  st.edge_origin = origin;
  spdlog::info("room {}: serving HLS as an edge of {}", st.rec.id, origin);
  self->send(st.deps.directory, hls_sub_atom::value, st.rec.id, origin, caf::actor_cast<caf::actor>(self), false);
}

/// Local clean-up of a deleted room (on the owner after the tombstone is stored, elsewhere on replication).
void wind_down(room_actor* self) {
  auto& st = self->state;
  kick_publisher(self);
  stop_edge(self);
  for (auto& [name, p] : st.packagers) {
    self->unlink_from(p);
    self->send(p, delete_atom::value);
  }
  st.packagers.clear();
  st.deps.index->remove(st.rec.id);
  if (st.chat) {
    self->unlink_from(st.chat);
    self->send(st.chat, delete_atom::value);
  } else {
    // Also on a node that is not the owner: it may hold the backup copy of the chat (chat_replicator).
    self->send(st.deps.storage, chat_drop_atom::value, st.rec.id);
  }
}

/// Renders the master playlist over the source and the live rungs, serves it, hands it to the packagers
/// (for edges) and, when the list of renditions changed, reports it to the owner (room API).
void publish_master(room_actor* self) {
  auto& st = self->state;
  std::vector<media::variant_info> lines;
  const auto names = master_names(st);
  for (const auto& n : names) lines.push_back(st.variants.at(n));
  if (!lines.empty()) {
    auto master = media::render_master_playlist(lines);
    if (master != st.master) {
      st.master = master;
      st.deps.index->publish_master(st.rec.id, master);
      to_packagers(self, caf::make_message(meta_atom::value, master));
    }
  }
  if (st.publisher && (names != st.rec.renditions || room_status_text(st) != st.rec.transcode_status))
    report_origin(self, true);
}

/// This node has no transcoding capacity: ask the directory for a node of the region that has some, and
/// feed it the stream through a transcode link (issue #5, "Placement").
void place_transcoder(room_actor* self) {
  auto& st = self->state;
  if (!st.publisher || !st.deps.transcode) return;
  transcode_request req;
  req.room_id = st.rec.id;
  req.room = caf::actor_cast<caf::actor>(self);
  req.audio_room = st.rec.kind == 1;
  if (req.audio_room) req.audio_rungs = room_rungs(st.rec, st.deps.transcode->audio_ladder);
  else req.video_rungs = room_rungs(st.rec, st.deps.transcode->video_ladder);
  for (const auto& r : req.video_rungs) req.packager_names.push_back(r.name);
  for (const auto& r : req.audio_rungs) req.packager_names.push_back(r.name);
  for (const auto& n : req.packager_names) req.packagers.push_back(ensure_packager(self, n));
  auto stream = st.publisher->stream;
  auto packagers = req.packagers;
  self->request(st.deps.directory, std::chrono::seconds(15), transcode_atom::value, std::move(req))
      .then(
          [=](const caf::actor& remote) {
            auto& st = self->state;
            if (!st.publisher || st.publisher->stream != stream) {  // the session ended meanwhile
              self->send(remote, end_atom::value, false);
              return;
            }
            spdlog::info("room {}: transcoding on node {}", st.rec.id, caf::to_string(remote.node()));
            auto link = spawn_transcode_link(self->system(), st.rec.id, caf::actor_cast<caf::actor>(self), remote,
                                             packagers);
            self->send(stream, subscribe_atom::value, link);
          },
          [=](caf::error& err) {
            auto& st = self->state;
            st.transcode_status = "passthrough only: no transcoding capacity on this node or in its region";
            spdlog::warn("room {}: {} ({})", st.rec.id, st.transcode_status, caf::to_string(err));
            publish_master(self);
          });
}

/// A detached transcoder for this publish session when the room has rungs (video rooms always get one:
/// it also makes the thumbnails). It subscribes to the stream like the source's packager.
void start_transcoder(room_actor* self, const caf::actor& stream) {
  auto& st = self->state;
  if (!st.deps.transcode) return;
  transcoder_setup ts;
  ts.room_id = st.rec.id;
  ts.room = caf::actor_cast<caf::actor>(self);
  ts.audio_room = st.rec.kind == 1;
  if (ts.audio_room) ts.audio_rungs = room_rungs(st.rec, st.deps.transcode->audio_ladder);
  else ts.video_rungs = room_rungs(st.rec, st.deps.transcode->video_ladder);
  if (ts.audio_room && ts.audio_rungs.empty()) return;
  for (const auto& r : ts.video_rungs) ts.packagers[r.name] = ensure_packager(self, r.name);
  for (const auto& r : ts.audio_rungs) ts.packagers[r.name] = ensure_packager(self, r.name);
  ts.opts = st.deps.transcode;
  ts.budget = st.deps.budget;
  ts.metrics = st.deps.metrics;
  auto tx = spawn_transcoder_actor(self->system(), std::move(ts));
  self->send(stream, subscribe_atom::value, tx);
}

caf::error check_modify(const room_state& st, const principal& who) {
  if (who.role.empty()) return make_api_error(api_errc::unauthorized, "an API token is required");
  if (!may_modify(who, st.rec))
    return make_api_error(api_errc::forbidden, "only the room's owner or an admin may change it");
  return {};
}

caf::behavior room_behavior(room_actor* self) {
  return caf::message_handler{
    [=](get_atom) -> net::api::room_view { return to_view(self->state.rec, self->state.viewers); },
    [=](patch_atom, const principal& who, const net::api::patch_room_request& req) -> caf::result<net::api::room_view> {
      auto& st = self->state;
      if (auto err = check_modify(st, who)) return err;
      if (req.ladder)  // checked before anything changes: a refused patch changes nothing
        if (auto why = check_ladder(*req.ladder, offered_rungs(st.deps, st.rec.kind)); !why.empty())
          return make_api_error(api_errc::invalid_argument, why);
      if (req.title) st.rec.title = *req.title;
      if (req.description) st.rec.description = *req.description;
      if (req.tags) st.rec.tags = *req.tags;
      if (req.ladder) {
        // Takes effect at the next publish: a running show keeps its renditions.
        st.rec.ladder_set = true;
        st.rec.ladder = *req.ladder;
      }
      touch(st);
      auto rp = self->make_response_promise<net::api::room_view>();
      persist_then<net::api::room_view>(self, rp, [=] { return to_view(self->state.rec, self->state.viewers); });
      return rp;
    },
    [=](end_atom, const principal& who) -> caf::result<net::api::room_view> {
      auto& st = self->state;
      if (auto err = check_modify(st, who)) return err;
      if (st.rec.status == 2) return make_api_error(api_errc::conflict, "the room has already ended");
      kick_publisher(self);
      st.rec.status = 2;
      st.rec.origin_node.clear();
      touch(st);
      to_packagers(self, caf::make_message(end_atom::value, true));
      chat_event(self, "ended");
      auto rp = self->make_response_promise<net::api::room_view>();
      persist_then<net::api::room_view>(self, rp, [=] { return to_view(self->state.rec, self->state.viewers); });
      return rp;
    },
    [=](rotate_atom, const principal& who) -> caf::result<net::api::room_view> {
      auto& st = self->state;
      if (auto err = check_modify(st, who)) return err;
      if (st.rec.status == 2) return make_api_error(api_errc::conflict, "the room has ended; its key cannot be rotated");
      auto key = new_stream_key();
      st.rec.stream_key_hash = media::sha256_hex(key);
      touch(st);
      // The publisher already live keeps streaming: rotating protects the next connection, and cutting a
      // live show because its DJ rotated a leaked key would punish the wrong person.
      auto rp = self->make_response_promise<net::api::room_view>();
      persist_then<net::api::room_view>(self, rp, [=] {
        auto v = to_view(self->state.rec, self->state.viewers);
        v.stream_key = key;
        return v;
      });
      return rp;
    },
    [=](delete_atom, const principal& who) -> caf::result<caf::unit_t> {
      auto& st = self->state;
      if (auto err = check_modify(st, who)) return err;
      // A tombstone, not an erase: replicas and nodes that are offline now must learn of the deletion,
      // and anti-entropy must never bring the room back (docs/cluster.md).
      auto tomb = st.rec;
      tomb.deleted = true;
      tomb.status = 2;
      tomb.stream_key_hash.clear();
      tomb.origin_node.clear();
      tomb.updated_at_ms = now_ms();
      ++tomb.version;
      auto rp = self->make_response_promise<caf::unit_t>();
      self->request(st.deps.storage, storage_timeout, put_atom::value, tomb)
          .then([=]() mutable {
                  wind_down(self);
                  self->send(self->state.deps.directory, removed_atom::value, tomb);
                  rp.deliver(caf::unit);
                  self->quit();
                },
                [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
      return rp;
    },
    [=](publish_atom, publish_attempt& attempt) -> caf::result<caf::actor> {
      auto& st = self->state;
      if (st.rec.status == 2) {
        ++st.deps.metrics->publishes_refused;
        return make_api_error(api_errc::conflict, "this room has ended");
      }
      if (st.publisher) {
        // A newer publisher with the same key wins: an encoder that reconnects after a network drop is
        // never locked out by its own half-dead previous connection.
        spdlog::info("room {}: connection {} replaces publisher connection {}", st.rec.id, attempt.connection_id,
                     st.publisher->connection_id);
        ++st.deps.metrics->publishers_replaced;
        kick_publisher(self);
      }
      stop_edge(self);  // this node is the origin now: its own packager feeds its index
      st.media_warning.clear();
      st.transcode_status.clear();
      st.live_rungs.clear();
      auto packager = ensure_packager(self);
      stream_options opts;
      opts.audio_only = st.rec.kind == 1;
      auto stream = spawn_stream_actor(self->system(), st.rec.id, caf::actor_cast<caf::actor>(self), packager, opts);
      start_transcoder(self, stream);
      st.publisher = current_publisher{stream, std::move(attempt.kick), attempt.connection_id};
      ++st.deps.metrics->publishes_accepted;
      spdlog::info("room {}: live on this node (connection {} from {})", st.rec.id, attempt.connection_id, attempt.peer);
      // The owner records this node as the origin (possibly this very actor, through the directory).
      report_origin(self, true);
      return stream;
    },
    [=](unpub_atom, const caf::actor& stream) {
      auto& st = self->state;
      if (!st.publisher || st.publisher->stream != stream) return;
      st.publisher.reset();
      self->send(st.deps.directory, stats_atom::value, st.rec.id, std::uint32_t{0}, 0.0, st.dropped_frames);
      spdlog::info("room {}: publisher left", st.rec.id);
      report_origin(self, false);
    },
    [=](sequence_atom, const media::sequence_state& seq) {
      auto& st = self->state;
      st.rec.discontinuity_seq = seq.discontinuity_seq;
      if (seq.next_msn + msn_reserve_block / 4 >= st.rec.next_msn) {
        st.rec.next_msn = seq.next_msn + msn_reserve_block;
        if (st.is_owner()) {
          touch(st);
          persist_async(self);
        } else {
          report_origin(self, st.publisher.has_value());  // the owner keeps the numbering for the next origin
        }
      }
    },
    // On the owner: a stream started (live) or stopped on `node`.
    [=](origin_atom, const std::string& node, bool live, std::uint64_t next_msn, std::uint64_t disc,
        std::vector<std::string>& renditions, std::string& status) {
      auto& st = self->state;
      if (!st.is_owner() || st.rec.status == 2) return;
      bool changed = false;
      if (live && (renditions != st.rec.renditions || status != st.rec.transcode_status)) {
        st.rec.renditions = std::move(renditions);
        st.rec.transcode_status = std::move(status);
        changed = true;
      }
      if (next_msn > st.rec.next_msn || disc > st.rec.discontinuity_seq) {
        st.rec.next_msn = std::max(st.rec.next_msn, next_msn);
        st.rec.discontinuity_seq = std::max(st.rec.discontinuity_seq, disc);
        changed = true;
      }
      if (live && (st.rec.origin_node != node || st.rec.status != 1)) {
        if (st.rec.origin_node != node && st.publisher && node != st.deps.node_id) {
          // The newest publisher wins across the cluster too: the one on this node yields.
          spdlog::info("room {}: a publisher on {} replaces the one on this node", st.rec.id, node);
          kick_publisher(self);
        }
        const bool was_live = st.rec.status == 1;
        st.rec.origin_node = node;
        st.rec.status = 1;
        changed = true;
        spdlog::info("room {}: live, origin {}", st.rec.id, node);
        if (!was_live) chat_event(self, "live");
      } else if (!live && st.rec.origin_node == node && st.rec.status == 1) {
        st.rec.origin_node.clear();
        st.rec.status = 0;
        st.rec.renditions.clear();
        st.rec.transcode_status.clear();
        changed = true;
        spdlog::info("room {}: publisher left, room ready", st.rec.id);
        chat_event(self, "ready");
      }
      if (changed) {
        touch(st);
        persist_async(self);
      }
      follow_origin(self);  // the owner serves HLS too: as an edge of the origin when that is another node
    },
    // On every other node: a newer copy of the record from the owner (through the directory).
    [=](replicate_atom, const storage::room_record& rec) { apply_replica(self, rec); },
    [=](hls_sub_atom, const caf::actor& edge) {
      // An edge node follows this node's renditions of the room (each packager sends it its updates).
      auto& st = self->state;
      if (std::find(st.edges.begin(), st.edges.end(), edge) == st.edges.end()) st.edges.push_back(edge);
      ensure_packager(self);
      for (auto& [name, p] : st.packagers) self->send(p, subscribe_atom::value, edge);
    },
    [=](hls_sub_atom, const std::string& origin) {
      // The link to the origin came up again (it may have restarted under the same id and lost every
      // subscription): subscribe anew.
      auto& st = self->state;
      if (st.edge_origin != origin) return;
      stop_edge(self);
      follow_origin(self);
    },
    [=](hls_unsub_atom, const std::string& origin) {  // edge_linger is over
      auto& st = self->state;
      if (st.edge_origin == origin && !(st.rec.status == 1 && st.rec.origin_node == origin)) stop_edge(self);
    },
    [=](hls_unsub_atom, const caf::actor& edge) {
      auto& st = self->state;
      std::erase(st.edges, edge);
      for (auto& [name, p] : st.packagers) self->send(p, hls_unsub_atom::value, edge);
    },
    // ---- renditions (issue #5) ----
    [=](variant_atom, const std::string& name, const media::variant_info& v) {
      self->state.variants[name] = v;
      publish_master(self);
    },
    [=](rungs_atom, std::vector<std::string>& live, std::string& status) {
      auto& st = self->state;
      st.live_rungs = std::move(live);
      st.transcode_status = std::move(status);
      publish_master(self);
    },
    // Ingest statistics of this node's publisher (admin page), passed to the directory.
    [=](stats_atom, std::uint32_t kbps, double fps) {
      auto& st = self->state;
      if (!st.publisher) return;
      self->send(st.deps.directory, stats_atom::value, st.rec.id, kbps, fps, st.dropped_frames);
    },
    [=](stats_atom, const std::string& rendition, std::uint64_t rejected) {
      auto& st = self->state;
      if (rendition == source_name(st)) st.dropped_frames = rejected;
    },
    [=](warn_atom, const std::string& what) {
      auto& st = self->state;
      st.media_warning = what;
      spdlog::warn("room {}: {}", st.rec.id, what);
      if (st.publisher) report_origin(self, true);
    },
    [=](thumb_atom, const std::string& bytes) {
      auto& st = self->state;
      auto jpeg = media::make_shared_bytes(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
      st.deps.index->publish_thumbnail(st.rec.id, jpeg);
      self->send(ensure_packager(self), thumb_atom::value, jpeg);  // edges get it with the source's updates
    },
    [=](transcode_atom) { place_transcoder(self); },
    [=](hls_upd_atom, const hls_update& u) {
      auto& st = self->state;
      if (st.edge_origin.empty() || u.rendition.empty()) return;  // not following anyone (late update)
      const auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
      if (u.origin_sent_ns > 0 && now_ns >= u.origin_sent_ns)
        st.deps.metrics->edge_update.add(static_cast<double>(now_ns - u.origin_sent_ns) / 1e9);
      auto& snap = st.edge_snaps[u.rendition];
      snap = apply_hls_update(snap.get(), u);
      if (!u.master.empty()) st.deps.index->publish_master(st.rec.id, u.master);
      if (!u.thumbnail.empty())
        st.deps.index->publish_thumbnail(st.rec.id,
                                         media::make_shared_bytes(std::vector<std::uint8_t>(u.thumbnail.begin(), u.thumbnail.end())));
      st.deps.index->publish(st.rec.id, snap);
    },
    [=](viewer_atom, int delta) {
      auto& st = self->state;
      if (delta < 0 && st.viewers < static_cast<std::uint64_t>(-delta)) st.viewers = 0;
      else st.viewers = static_cast<std::uint64_t>(static_cast<std::int64_t>(st.viewers) + delta);
      report(self);
    },
    [=](chat_atom) -> caf::result<caf::actor, std::string> {
      auto& st = self->state;
      if (!st.chat) {
        // The owner holds the room's channel (sequence numbers, history, moderation); every other node
        // runs a relay: one cross-node message per chat message per node, not per viewer.
        auto store = st.deps.chat_store ? st.deps.chat_store : st.deps.storage;
        st.chat = st.is_owner() ? spawn_chat_channel(self->system(), st.rec.id, st.deps.chat, store, st.deps.metrics)
                                : spawn_chat_relay(self->system(), st.rec.id, st.deps.directory);
        self->link_to(st.chat);
      }
      return {st.chat, st.rec.owner};
    },
    [=](shutdown_atom) -> caf::result<caf::unit_t> {
      auto& st = self->state;
      const bool had_publisher = st.publisher.has_value();
      kick_publisher(self);
      if (st.rec.status != 2) to_packagers(self, caf::make_message(end_atom::value, false));
      if (!st.is_owner()) {
        if (had_publisher) report_origin(self, false);
        return caf::unit;
      }
      if (st.rec.status == 1 && (st.rec.origin_node == st.deps.node_id || st.rec.origin_node.empty())) {
        st.rec.status = 0;
        st.rec.origin_node.clear();
        touch(st);
      }
      auto rp = self->make_response_promise<caf::unit_t>();
      persist_then<caf::unit_t>(self, rp, [] { return caf::unit; });
      return rp;
    },
  }.or_else(room_handoff_handlers(self));
}

}  // namespace

void apply_replica(room_actor* self, const storage::room_record& rec) {
  auto& st = self->state;
  const auto old = st.rec;
  st.rec = rec;
  if (rec.deleted) {
    wind_down(self);
    self->quit();
    return;
  }
  if (old.owner_node != rec.owner_node && st.chat) {
    // Ownership moved (failover, drain, or a stale owner yielding): the chat actor here is of the
    // wrong kind now (a relay on the new owner, a channel on the old one). It closes its members
    // with 1012 and they reconnect to the right one, resuming with `since`.
    spdlog::info("room {}: owner {} -> {} (epoch {}); chat reconnects", rec.id, old.owner_node, rec.owner_node,
                 rec.owner_epoch);
    self->unlink_from(st.chat);
    self->send(st.chat, moved_atom::value);
    st.chat = caf::actor{};
  }
  if (old.owner_node != rec.owner_node && st.publisher &&
      (rec.status != 1 || rec.origin_node != st.deps.node_id)) {
    // A publisher that went live here while the owner was down was reported to nobody: tell the
    // new owner, so every edge follows this node.
    report_origin(self, true);
  }
  if (rec.status == 2 && old.status != 2) {
    kick_publisher(self);
    to_packagers(self, caf::make_message(end_atom::value, true));
  } else if (st.publisher && rec.status == 1 && !rec.origin_node.empty() && rec.origin_node != st.deps.node_id &&
             old.origin_node == st.deps.node_id) {
    spdlog::info("room {}: a publisher on {} replaced the one on this node", rec.id, rec.origin_node);
    kick_publisher(self);
  }
  follow_origin(self);
  report(self);
}

std::vector<std::string> offered_rungs(const room_deps& deps, std::uint8_t kind) {
  std::vector<std::string> out;
  if (!deps.transcode) return out;
  if (kind == 1)
    for (const auto& r : deps.transcode->audio_ladder) out.push_back(r.name);
  else
    for (const auto& r : deps.transcode->video_ladder) out.push_back(r.name);
  return out;
}

caf::actor spawn_room_actor(caf::actor_system& sys, storage::room_record rec, room_deps deps) {
  return sys.spawn([rec = std::move(rec), deps = std::move(deps)](room_actor* self) mutable {
    auto& st = self->state;
    st.rec = std::move(rec);
    st.deps = std::move(deps);
    if (st.is_owner() && st.rec.status == 1 &&
        (st.rec.origin_node.empty() || st.rec.origin_node == st.deps.node_id)) {
      // The node stopped while this room was live here (crash): nobody is publishing now. A stream
      // running on another node keeps the room live.
      st.rec.status = 0;
      st.rec.origin_node.clear();
      touch(st);
      persist_async(self);
    } else if (!st.is_owner() && st.rec.status == 1 && st.rec.origin_node == st.deps.node_id) {
      // This node restarted while it was the room's origin: tell the owner nobody publishes here now,
      // so that a publisher reconnecting to this very node is a change edges see and follow again.
      report_origin(self, false);
    }
    auto behavior = room_behavior(self);
    follow_origin(self);
    return behavior;
  });
}

}  // namespace onair::actors
