#include "actors/transcoder_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <chrono>
#include <spdlog/spdlog.h>

#include "actors/messages.hpp"
#include "actors/node_metrics.hpp"

namespace onair::actors {

namespace {

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct transcoder_state {
  transcoder_setup s;
  std::unique_ptr<media::video_transcoder> video;
  std::unique_ptr<media::audio_transcoder> audio;
  std::optional<media::video_config> src_v;
  std::optional<media::audio_config> src_a;
  std::vector<std::string> live;  ///< rungs whose packagers have a session from us
  std::string status;
  bool holds_budget = false;
  bool fell_behind = false;  ///< sticky for the session: passthrough until the next publish
  bool placed_elsewhere = false;  ///< this node had no capacity; the room asked another node
  /// Lag is measured on media time against this node's clock, so it works on any node: the smallest
  /// (arrival - dts) seen is "keeping up", and the excess over it is how far behind real time we are.
  std::int64_t best_offset_ns = std::numeric_limits<std::int64_t>::max();
  std::int64_t last_thumb_dts = std::numeric_limits<std::int64_t>::min();
  std::uint64_t errors_logged = 0;
  std::vector<media::rung_frame> out;
  ~transcoder_state() {
    if (holds_budget) s.budget->give_back();
  }
};

using transcoder_actor = caf::stateful_actor<transcoder_state>;

void report(transcoder_actor* self) {
  self->send(self->state.s.room, rungs_atom::value, self->state.live, self->state.status);
}

/// Ends every rung's packager session and frees the capacity (the source passthrough goes on).
void stop_rungs(transcoder_actor* self) {
  auto& st = self->state;
  for (auto& name : st.live)
    if (auto it = st.s.packagers.find(name); it != st.s.packagers.end()) self->send(it->second, end_atom::value, false);
  st.live.clear();
  st.video.reset();
  st.audio.reset();
  if (st.holds_budget) {
    st.s.budget->give_back();
    st.holds_budget = false;
  }
}

/// Opens the transcoders for the current source configs and begins a session on each rung's packager.
void start_rungs(transcoder_actor* self) {
  auto& st = self->state;
  if (st.fell_behind) return;
  std::vector<std::string> names;
  if (st.s.audio_room) {
    if (!st.src_a || st.s.audio_rungs.empty()) return;
    for (auto& r : st.s.audio_rungs) names.push_back(r.name);
  } else {
    if (!st.src_v || st.s.video_rungs.empty()) return;
    for (auto& r : media::rungs_below(st.s.video_rungs, st.src_v->height)) names.push_back(r.name);
  }
  if (names.empty()) {
    st.status.clear();  // the source is already the smallest rung: nothing to add
    if (st.holds_budget) {
      st.s.budget->give_back();
      st.holds_budget = false;
    }
    return report(self);
  }
  if (!st.holds_budget && !st.s.budget->try_take()) {
    if (!st.placed_elsewhere) {
      // No capacity here: the room asks for a node of its region that has some (placement).
      st.placed_elsewhere = true;
      spdlog::info("room {}: no transcoding capacity on this node; asking the region", st.s.room_id);
      self->send(st.s.room, transcode_atom::value);
    }
    return;
  }
  st.holds_budget = true;
  std::error_code ec;
  if (st.s.audio_room) {
    st.audio = media::audio_transcoder::create(*st.src_a, st.s.audio_rungs, ec);
  } else {
    st.video = media::video_transcoder::create(*st.src_v, media::rungs_below(st.s.video_rungs, st.src_v->height),
                                               st.s.opts->encoder_threads, ec);
  }
  if (ec || (!st.audio && !st.video)) {
    st.status = "passthrough only: the source cannot be transcoded (" + ec.message() + ")";
    spdlog::warn("room {}: {}", st.s.room_id, st.status);
    st.s.budget->give_back();
    st.holds_budget = false;
    return report(self);
  }
  for (auto& name : names) {
    auto it = st.s.packagers.find(name);
    if (it == st.s.packagers.end()) continue;
    // wire_configs: the packager may be on another node (a transcoder placed away from the ingest).
    if (st.audio) {
      self->send(it->second, begin_atom::value, wire_configs::from(std::nullopt, st.audio->config(name)));
    } else {
      // Video rungs carry the source's audio unchanged.
      self->send(it->second, begin_atom::value, wire_configs::from(st.video->config(name), st.src_a));
    }
    st.live.push_back(name);
  }
  st.status.clear();
  spdlog::info("room {}: transcoding to {} rendition(s)", st.s.room_id, st.live.size());
  report(self);
}

void send_out(transcoder_actor* self, std::int64_t received_ns) {
  auto& st = self->state;
  for (auto& rf : st.out)
    if (auto it = st.s.packagers.find(rf.rendition); it != st.s.packagers.end())
      self->send(it->second, frame_atom::value, timed_frame{std::move(rf.f), received_ns});
  st.out.clear();
}

void thumbnail(transcoder_actor* self, const media::frame& f) {
  auto& st = self->state;
  const auto interval_ms = static_cast<std::int64_t>(st.s.opts->thumbnail_interval_s * 1000);
  if (interval_ms <= 0 || !st.src_v || !f.keyframe) return;
  if (st.last_thumb_dts != std::numeric_limits<std::int64_t>::min() && f.dts_ms - st.last_thumb_dts < interval_ms)
    return;
  st.last_thumb_dts = f.dts_ms;
  std::error_code ec;
  auto jpeg = media::make_thumbnail(*st.src_v, f, st.s.opts->thumbnail_width, ec);
  if (!jpeg) {
    if (st.errors_logged++ < 10) spdlog::warn("room {}: no thumbnail from a keyframe: {}", st.s.room_id, ec.message());
    return;
  }
  self->send(st.s.room, thumb_atom::value, std::string(jpeg->begin(), jpeg->end()));
}

void on_frame(transcoder_actor* self, const timed_frame& tf) {
  auto& st = self->state;
  const auto& f = tf.f;
  if (f.kind == media::track_kind::video && !st.s.audio_room && st.s.thumbnails) thumbnail(self, f);
  if (st.live.empty()) return;
  const std::int64_t offset = steady_ns() - f.dts_ms * 1'000'000;
  st.best_offset_ns = std::min(st.best_offset_ns, offset);
  const double lag_s = static_cast<double>(offset - st.best_offset_ns) / 1e9;
  if (lag_s > st.s.opts->max_lag_s) {
    st.fell_behind = true;
    stop_rungs(self);
    st.status = "passthrough only: transcoding fell behind real time";
    spdlog::warn("room {}: {} ({:.1f} s behind)", st.s.room_id, st.status, lag_s);
    return report(self);
  }
  std::error_code ec;
  if (st.video && f.kind == media::track_kind::video) {
    ec = st.video->push(f, st.out);
  } else if (st.audio && f.kind == media::track_kind::audio) {
    ec = st.audio->push(f, st.out);
  } else if (st.video && f.kind == media::track_kind::audio) {
    for (auto& name : st.live)  // the source's audio goes into every video rung unchanged
      if (auto it = st.s.packagers.find(name); it != st.s.packagers.end()) self->send(it->second, frame_atom::value, tf);
    return;
  }
  if (ec && st.errors_logged++ < 10)
    spdlog::warn("room {}: transcoder dropped a frame (dts {} ms): {}", st.s.room_id, f.dts_ms, ec.message());
  send_out(self, tf.received_ns);
}

/// A publish session starts: new transcoders for the source's configs.
void begin(transcoder_actor* self, std::optional<media::video_config> v, std::optional<media::audio_config> a) {
  auto& st = self->state;
  stop_rungs(self);
  st.src_v = std::move(v);
  st.src_a = std::move(a);
  start_rungs(self);
}

/// New sequence headers mid-session.
void reconfigure(transcoder_actor* self, std::optional<media::video_config> v, std::optional<media::audio_config> a) {
  auto& st = self->state;
  const bool video_changed = v != st.src_v;
  const bool audio_changed = a != st.src_a;
  st.src_v = std::move(v);
  st.src_a = std::move(a);
  if ((st.s.audio_room && audio_changed) || (!st.s.audio_room && video_changed)) {
    // A new resolution or codec mid-stream: new decoder, new rungs (some may appear or vanish).
    spdlog::info("room {}: the source changed its {} config; restarting the transcoder", st.s.room_id,
                 st.s.audio_room ? "audio" : "video");
    stop_rungs(self);
    start_rungs(self);
  } else if (audio_changed && st.video) {
    // wire_configs: the rung packagers may be on another node (a transcoder placed away from the ingest).
    for (auto& name : st.live)
      if (auto it = st.s.packagers.find(name); it != st.s.packagers.end())
        self->send(it->second, config_atom::value, wire_configs::from(st.video->config(name), st.src_a));
  }
}

caf::behavior transcoder_behavior(transcoder_actor* self) {
  return {
    [=](begin_atom, const std::optional<media::video_config>& v, const std::optional<media::audio_config>& a) {
      begin(self, v, a);
    },
    [=](config_atom, const std::optional<media::video_config>& v, const std::optional<media::audio_config>& a) {
      reconfigure(self, v, a);
    },
    // The same from a transcode link on the ingest node (this transcoder runs on another node).
    [=](begin_atom, const wire_configs& c) { begin(self, c.v(), c.a()); },
    [=](config_atom, const wire_configs& c) { reconfigure(self, c.v(), c.a()); },
    [=](frame_atom, const timed_frame& tf) { on_frame(self, tf); },
    [=](end_atom, bool) {
      stop_rungs(self);
      self->quit();
    },
  };
}


struct link_state {
  std::string room_id;
  caf::actor room;
  caf::actor remote;
  std::vector<caf::actor> packagers;
};

using link_actor = caf::stateful_actor<link_state>;

}  // namespace

caf::actor spawn_transcoder_actor(caf::actor_system& sys, transcoder_setup setup) {
  return sys.spawn<caf::detached>([setup = std::move(setup)](transcoder_actor* self) mutable {
    self->state.s = std::move(setup);
    self->state.holds_budget = self->state.s.budget_taken;
    return transcoder_behavior(self);
  });
}

caf::actor spawn_transcode_link(caf::actor_system& sys, std::string room_id, caf::actor room, caf::actor remote,
                                std::vector<caf::actor> packagers) {
  return sys.spawn([=](link_actor* self) -> caf::behavior {
    auto& st = self->state;
    st.room_id = room_id;
    st.room = room;
    st.remote = remote;
    st.packagers = packagers;
    self->monitor(remote);
    self->set_down_handler([=](caf::down_msg& dm) {
      auto& st = self->state;
      if (dm.source != st.remote.address()) return;
      // The transcoding node died or left: its rungs stop; players switch to the source.
      spdlog::warn("room {}: the node transcoding this room went away; passthrough only", st.room_id);
      for (auto& p : st.packagers) self->send(p, end_atom::value, false);
      self->send(st.room, rungs_atom::value, std::vector<std::string>{},
                 std::string("passthrough only: the node transcoding this room went away"));
      self->quit();
    });
    return {
      [=](begin_atom, const std::optional<media::video_config>& v, const std::optional<media::audio_config>& a) {
        self->send(self->state.remote, begin_atom::value, wire_configs::from(v, a));
      },
      [=](config_atom, const std::optional<media::video_config>& v, const std::optional<media::audio_config>& a) {
        self->send(self->state.remote, config_atom::value, wire_configs::from(v, a));
      },
      [=](frame_atom, const timed_frame& tf) { self->send(self->state.remote, frame_atom::value, tf); },
      [=](end_atom, bool final) {
        self->send(self->state.remote, end_atom::value, final);
        self->demonitor(self->state.remote);
        self->quit();
      },
    };
  });
}
}  // namespace onair::actors
