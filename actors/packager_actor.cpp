#include "actors/packager_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <chrono>
#include <spdlog/spdlog.h>

#include "actors/hls_edge.hpp"
#include "actors/messages.hpp"
#include "actors/node_metrics.hpp"
#include "actors/room_rules.hpp"
#include "net/hls/hls_index.hpp"

namespace onair::actors {

namespace {

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct packager_state {
  std::string room_id;
  std::unique_ptr<media::hls_packager> packager;
  caf::actor room;
  std::shared_ptr<net::hls::index> index;
  std::shared_ptr<node_metrics> metrics;
  std::string name;
  std::string last_master;            ///< the room's master playlist, for edges
  std::string master_pending;         ///< changed since the last update sent to edges
  std::string last_thumbnail;         ///< the room's latest thumbnail (source rendition only), for edges
  std::string thumbnail_pending;
  std::optional<media::variant_info> reported_variant;
  std::uint64_t reported_msn = 0;
  bool in_session = false;
  bool final = false;
  std::int64_t part_first_received_ns = 0;  ///< receipt of the first frame of the part being built
  std::uint64_t errors_logged = 0;
  std::uint64_t rejected = 0;  ///< frames the packager could not use (reported to the room)
  /// Edge nodes' room actors following this rendition (one per edge node, however many viewers it
  /// has). Each has received every update up to `sent`.
  std::vector<caf::actor> subscribers;
  media::rendition_snapshot_ptr current;
  media::rendition_snapshot_ptr sent;
};

using packager_actor = caf::stateful_actor<packager_state>;

/// Bandwidth moves a little with every segment; the master is re-rendered only for a 10 % change.
bool same_variant(const media::variant_info& a, const media::variant_info& b) {
  auto near = [](std::uint64_t x, std::uint64_t y) { return x == y || (x > 0 && y > 0 && x * 10 < y * 11 && y * 10 < x * 11); };
  return a.uri == b.uri && a.codecs == b.codecs && a.width == b.width && a.height == b.height &&
         a.frame_rate == b.frame_rate && near(a.bandwidth, b.bandwidth) && near(a.average_bandwidth, b.average_bandwidth);
}

void publish(packager_actor* self, const media::rendition_snapshot_ptr& snap) {
  auto& st = self->state;
  if (!snap) return;
  st.index->publish(st.room_id, snap);
  // The room renders the master playlist over all its renditions; this packager reports its line.
  if (auto v = st.packager->variant(); v && (!st.reported_variant || !same_variant(*v, *st.reported_variant))) {
    st.reported_variant = v;
    self->send(st.room, variant_atom::value, st.name, *v);
  }
  st.current = snap;
  if (!st.subscribers.empty()) {
    // One message, built once; CAF shares it between local receivers and serializes it per edge.
    auto u = make_hls_update(st.room_id, st.sent.get(), *snap, st.master_pending);
    u.thumbnail = std::move(st.thumbnail_pending);
    st.master_pending.clear();
    st.thumbnail_pending.clear();
    auto msg = caf::make_message(hls_upd_atom::value, std::move(u));
    for (auto& s : st.subscribers) self->send(s, msg);
    st.sent = snap;
  }
  auto seq = st.packager->sequence();
  if (seq.next_msn != st.reported_msn) {
    st.metrics->segments_out += seq.next_msn - st.reported_msn;
    st.reported_msn = seq.next_msn;
    self->send(st.room, sequence_atom::value, seq);
  }
}

void begin_session(packager_actor* self, const std::optional<media::video_config>& v,
                   const std::optional<media::audio_config>& a) {
  auto& st = self->state;
  if (st.final) return;
  if (st.in_session)  // a session that never said goodbye (crash of the old connection)
    publish(self, st.packager->end_session(now_ms(), false));
  st.packager->begin(v, a);
  st.in_session = true;
  st.part_first_received_ns = 0;
}

caf::behavior packager_behavior(packager_actor* self) {
  self->set_down_handler([=](caf::down_msg& dm) {
    std::erase_if(self->state.subscribers, [&](const caf::actor& a) { return a.address() == dm.source; });
  });
  return {
    [=](subscribe_atom, const caf::actor& edge) {
      auto& st = self->state;
      if (std::find(st.subscribers.begin(), st.subscribers.end(), edge) != st.subscribers.end()) return;
      self->monitor(edge);
      if (st.subscribers.empty()) st.sent = st.current;
      st.subscribers.push_back(edge);
      if (st.current) {
        auto u = make_hls_update(st.room_id, nullptr, *st.current, st.last_master);
        u.thumbnail = st.last_thumbnail;
        self->send(edge, hls_upd_atom::value, std::move(u));
      }
    },
    [=](meta_atom, const std::string& master) {
      auto& st = self->state;
      st.last_master = master;
      st.master_pending = master;
    },
    [=](thumb_atom, const media::shared_bytes& jpeg) {
      auto& st = self->state;
      if (!jpeg) return;
      st.last_thumbnail.assign(jpeg->begin(), jpeg->end());
      st.thumbnail_pending = st.last_thumbnail;
    },
    [=](hls_unsub_atom, const caf::actor& edge) {
      auto& st = self->state;
      if (std::erase(st.subscribers, edge) > 0) self->demonitor(edge);
    },
    [=](begin_atom, const std::optional<media::video_config>& v, const std::optional<media::audio_config>& a) {
      begin_session(self, v, a);
    },
    [=](begin_atom, const wire_configs& c) { begin_session(self, c.v(), c.a()); },  // from a transcoder
    [=](config_atom, const std::optional<media::video_config>& v, const std::optional<media::audio_config>& a) {
      if (self->state.in_session) self->state.packager->update_config(v, a);
    },
    [=](config_atom, const wire_configs& c) {
      if (self->state.in_session) self->state.packager->update_config(c.v(), c.a());
    },
    [=](frame_atom, const timed_frame& tf) {
      auto& st = self->state;
      if (!st.in_session) return;
      if (st.part_first_received_ns == 0) st.part_first_received_ns = tf.received_ns;
      std::error_code ec;
      auto snap = st.packager->push(tf.f, now_ms(), ec);
      if (ec) {
        ++st.metrics->packager_errors;
        self->send(st.room, stats_atom::value, st.name, ++st.rejected);
        if (st.errors_logged++ < 10)
          spdlog::warn("room {}: packager dropped a frame (dts {} ms): {}", st.room_id, tf.f.dts_ms, ec.message());
      }
      if (snap) {
        ++st.metrics->parts_out;
        st.metrics->ingest_to_part.add(static_cast<double>(steady_ns() - st.part_first_received_ns) / 1e9);
        // The frame that closed the part opens the next one.
        st.part_first_received_ns = tf.received_ns;
        publish(self, snap);
      }
    },
    [=](end_atom, bool final) {
      auto& st = self->state;
      if (st.final) return;
      if (st.in_session || final) publish(self, st.packager->end_session(now_ms(), final));
      st.in_session = false;
      st.final = final;
    },
    [=](delete_atom) {
      self->state.index->remove(self->state.room_id);
      self->quit();
    },
  };
}

}  // namespace

caf::actor spawn_packager_actor(caf::actor_system& sys, std::string room_id, media::packager_options opts,
                                media::sequence_state start, caf::actor room, std::shared_ptr<net::hls::index> index,
                                std::shared_ptr<node_metrics> metrics) {
  return sys.spawn([=](packager_actor* self) {
    auto& st = self->state;
    st.room_id = room_id;
    st.name = opts.name;
    st.packager = std::make_unique<media::hls_packager>(opts, start);
    st.room = room;
    st.index = index;
    st.metrics = metrics;
    st.reported_msn = start.next_msn;
    return packager_behavior(self);
  });
}

}  // namespace onair::actors
