#include "actors/stream_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <chrono>
#include <deque>
#include <spdlog/spdlog.h>

#include "actors/messages.hpp"

namespace onair::actors {

namespace {

struct stream_state {
  std::string room_id;
  caf::actor room;
  stream_options opts;
  std::vector<caf::actor> subscribers;
  std::optional<media::video_config> video;
  std::optional<media::audio_config> audio;
  media::stream_metadata metadata;
  bool begun = false;
  std::deque<timed_frame> gop;  ///< frames since the last video keyframe (audio-only: a short tail)
  std::size_t gop_bytes = 0;
  // Ingest statistics over the current window, sent to the room every stats_interval (admin page).
  std::uint64_t window_bytes = 0;
  std::uint64_t window_video_frames = 0;
};

constexpr auto stats_interval = std::chrono::seconds(2);

using stream_actor = caf::stateful_actor<stream_state>;

void cache_frame(stream_state& st, const timed_frame& tf) {
  const bool video_key = tf.f.kind == media::track_kind::video && tf.f.keyframe;
  if (video_key) {
    st.gop.clear();
    st.gop_bytes = 0;
  }
  st.gop.push_back(tf);
  st.gop_bytes += tf.f.data.size;
  while (!st.gop.empty() && (st.gop.size() > st.opts.gop_cache_max_frames || st.gop_bytes > st.opts.gop_cache_max_bytes)) {
    st.gop_bytes -= st.gop.front().f.data.size;
    st.gop.pop_front();
  }
}

void on_config_change(stream_actor* self) {
  auto& st = self->state;
  if (!st.begun) return;
  for (auto& s : st.subscribers) self->send(s, config_atom::value, st.video, st.audio);
}

}  // namespace

caf::actor spawn_stream_actor(caf::actor_system& sys, std::string room_id, caf::actor room, caf::actor first_subscriber,
                              stream_options opts) {
  return sys.spawn([=](stream_actor* self) -> caf::behavior {
    auto& st = self->state;
    st.room_id = room_id;
    st.room = room;
    st.opts = opts;
    if (first_subscriber) st.subscribers.push_back(first_subscriber);
    // The stream ends with its room too (node shutdown, room deleted): its statistics tick would
    // otherwise keep it alive, and the actor system waits for every actor. A monitor, not a link: the
    // room must outlive a stream that ends.
    self->monitor(room);
    self->set_down_handler([=](caf::down_msg& dm) {
      if (dm.source == self->state.room.address()) self->quit();
    });
    self->delayed_send(self, stats_interval, tick_atom::value);
    return {
      [=](meta_atom, const media::stream_metadata& md) { self->state.metadata = md; },
      [=](config_atom, const media::video_config& v) {
        if (self->state.opts.audio_only) return;
        if (self->state.video == v) return;  // OBS repeats sequence headers on reconnect of the muxer
        self->state.video = v;
        on_config_change(self);
      },
      [=](config_atom, const media::audio_config& a) {
        if (self->state.audio == a) return;
        self->state.audio = a;
        on_config_change(self);
      },
      [=](frame_atom, const timed_frame& tf) {
        auto& st = self->state;
        st.window_bytes += tf.f.data.size;
        if (tf.f.kind == media::track_kind::video) ++st.window_video_frames;
        if (st.opts.audio_only && tf.f.kind == media::track_kind::video) return;
        if (!st.begun) {
          st.begun = true;
          for (auto& s : st.subscribers) self->send(s, begin_atom::value, st.video, st.audio);
        }
        cache_frame(st, tf);
        for (auto& s : st.subscribers) self->send(s, frame_atom::value, tf);
      },
      [=](warn_atom, const std::string& what) { self->send(self->state.room, warn_atom::value, what); },
      [=](tick_atom) {
        auto& st = self->state;
        const double secs = std::chrono::duration<double>(stats_interval).count();
        const auto kbps = static_cast<std::uint32_t>(static_cast<double>(st.window_bytes) * 8 / 1000 / secs);
        self->send(st.room, stats_atom::value, kbps, static_cast<double>(st.window_video_frames) / secs);
        st.window_bytes = st.window_video_frames = 0;
        self->delayed_send(self, stats_interval, tick_atom::value);
      },
      [=](subscribe_atom, const caf::actor& sub) {
        auto& st = self->state;
        st.subscribers.push_back(sub);
        if (!st.begun) return;
        self->send(sub, begin_atom::value, st.video, st.audio);
        for (const auto& tf : st.gop) self->send(sub, frame_atom::value, tf);
      },
      [=](end_atom) {
        auto& st = self->state;
        for (auto& s : st.subscribers) self->send(s, end_atom::value, false);
        self->send(st.room, unpub_atom::value, caf::actor_cast<caf::actor>(self));
        self->quit();
      },
    };
  });
}

}  // namespace onair::actors
