#include "media/hls_packager.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "media/cmaf_muxer.hpp"
#include "media/codec_string.hpp"
#include "media/h264_sps.hpp"
#include "media/packager_errc.hpp"
#include "media/playlist_writer.hpp"

namespace onair::media {
namespace {

constexpr std::int64_t no_cut = std::numeric_limits<std::int64_t>::max();
constexpr int aac_frame_samples = 1024;          // AAC-LC access unit (ISO 14496-3 4.5.1.1)
constexpr std::size_t max_queued_audio = 1024;   // ~21 s at 48 kHz: bounded while video stalls
constexpr double first_segment_cap_s = 10.0;     // target duration still unknown: never wait longer
constexpr double keyframe_tolerance_s = 0.010;   // ms timestamps: a keyframe 1-2 ms early still cuts

/// A frame whose duration is not known yet (the next frame of its track gives it).
struct held_frame {
  std::int64_t dts = 0;  // track ticks on the continuous timeline
  std::int64_t pts = 0;
  std::int64_t dts_ms = 0;
  bool key = false;
  bytes_view data;
  std::int64_t wall_ms = 0;
};

struct ready_sample {
  held_frame f;
  std::int64_t duration = 0;
};

struct part_record {
  double duration_s = 0;
  shared_bytes bytes;     // own buffer while its segment is open; released once the segment is built
  std::size_t size = 0;
  bool independent = false;
};

struct segment_record {
  std::uint64_t msn = 0;
  std::uint64_t disc = 0;          // discontinuity sequence number of this segment
  std::string init_name;
  std::int64_t pdt_ms = 0;
  std::int64_t start = 0;          // lead-track ticks
  std::int64_t end = 0;
  int timescale = 90000;
  std::vector<part_record> parts;
  bool part_files_dropped = false;
  std::size_t bytes = 0;
  double duration_s() const { return static_cast<double>(end - start) / timescale; }
};

std::string part_name(std::uint64_t msn, std::size_t index) { return fmt::format("part{}.{}.m4s", msn, index); }
std::string segment_name(std::uint64_t msn) { return fmt::format("seg{}.m4s", msn); }

}  // namespace

struct hls_packager::impl {
  packager_options opts;

  // Numbering (never resets, DESIGN.md section 4).
  std::uint64_t next_msn = 0;          // msn of the segment being built (or the next one)
  std::uint64_t disc_seq = 0;          // discontinuity sequence number of the current session
  bool published_in_disc = false;      // a part of disc_seq was published
  // The msn of this packager's first segment when it continues segments published elsewhere (a failover
  // or restart): players may hold those, so while it heads the window it is tagged (RFC 8216bis 4.4.4.3).
  std::optional<std::uint64_t> boundary_msn;
  int target_duration = 0;             // 0 until known; never changes afterwards (RFC 8216bis 6.2.1)
  std::uint32_t next_init = 0;

  // Session.
  bool in_session = false;
  std::error_code session_error;
  std::optional<video_config> video;
  std::optional<audio_config> audio;
  std::unique_ptr<cmaf_muxer> mux;
  std::string init_name;
  std::optional<video_config> init_video;
  std::optional<audio_config> init_audio;
  bool have_init = false;
  bool waiting_start = true;
  std::int64_t base_ms = 0;
  std::int64_t timeline_us = 0;        // where this session starts on the continuous timeline
  std::int64_t video_offset = 0, audio_offset = 0;
  int audio_rate = 48000;
  std::optional<held_frame> held_video, held_audio;
  std::optional<std::int64_t> last_video_ms, last_audio_ms;
  std::int64_t last_video_duration = 3000;
  std::int64_t video_end = 0, audio_end = 0;  // ticks, end of the last written sample
  std::deque<ready_sample> audio_queue;

  // Frame-rate measurement for FRAME-RATE (when onMetaData gave none).
  std::int64_t rate_frames = 0, rate_first_ms = 0, rate_last_ms = 0;

  // Segment being built.
  std::optional<segment_record> open;
  bool part_open = false;
  std::int64_t part_start = 0, part_end = 0;
  bool part_independent = false;

  std::deque<segment_record> done;  // complete segments in the window, oldest first
  std::map<std::string, bytes_view, std::less<>> files;
  rendition_snapshot_ptr last;
  bool ended = false;
  bool dirty = false;  // something changed since the last snapshot

  bool lead_is_video() const { return mux && mux->has_track(track_kind::video); }
  int lead_timescale() const { return lead_is_video() ? 90000 : audio_rate; }

  // ---- session control ---------------------------------------------------------------------------------

  void start_session(std::optional<video_config> v, std::optional<audio_config> a) {
    if (opts.audio_only) v.reset();
    video = std::move(v);
    audio = std::move(a);
    in_session = true;
    session_error.clear();
    waiting_start = true;
    held_video.reset();
    held_audio.reset();
    last_video_ms.reset();
    last_audio_ms.reset();
    audio_queue.clear();
    video_end = audio_end = 0;
    rate_frames = 0;
    ended = false;
    // A new session after published media is a discontinuity (RFC 8216bis 4.4.4.3).
    if (published_in_disc) {
      ++disc_seq;
      published_in_disc = false;
    }
    if (!video && !audio) {
      session_error = packager_errc::no_config;
      mux.reset();
      return;
    }
    std::error_code ec;
    mux = cmaf_muxer::create(video, audio, ec);
    if (!mux) {
      session_error = ec;
      return;
    }
    if (audio) audio_rate = mux->timescale(track_kind::audio);
    // Same configs: same init segment (EXT-X-MAP unchanged); otherwise a new initN.mp4.
    if (!have_init || init_video != video || init_audio != audio) {
      init_name = fmt::format("init{}.mp4", next_init++);
      auto init = make_shared_bytes(mux->init_segment());
      files[init_name] = whole(std::move(init));
      init_video = video;
      init_audio = audio;
      have_init = true;
    }
    if (target_duration == 0 && !lead_is_video())
      target_duration = std::max(1, static_cast<int>(std::ceil(opts.segment_target_s - 1e-9)));
  }

  /// Flushes held frames, the open part and the open segment; the muxer ends with the session.
  void finish_session() {
    if (!in_session) return;
    if (mux) {
      if (held_video) {
        held_frame f = *held_video;
        held_video.reset();
        emit_video(f, last_video_duration);
      }
      if (held_audio) {
        held_frame f = *held_audio;
        held_audio.reset();
        on_audio_ready(f, aac_frame_samples);
      }
      if (open) close_segment(no_cut);
      // The next session continues the timeline where this one stopped, so plain players that ignore
      // EXT-X-DISCONTINUITY still see increasing timestamps.
      std::int64_t end_us = std::max(video_end * 100 / 9, audio_end * 1'000'000 / std::max(1, audio_rate));
      timeline_us = std::max(timeline_us, end_us);
    }
    mux.reset();
    in_session = false;
  }

  // ---- frames ------------------------------------------------------------------------------------------

  void push(const frame& f, std::int64_t wall_ms, std::error_code& ec) {
    if (!in_session) {
      ec = packager_errc::not_started;
      return;
    }
    if (f.kind == track_kind::video && opts.audio_only) return;  // radio room: video ignored
    if (session_error) {
      ec = session_error;
      return;
    }
    if (!mux->has_track(f.kind)) {
      ec = packager_errc::no_config;
      return;
    }
    if (f.data.empty()) {
      ec = packager_errc::empty_frame;
      return;
    }
    if (waiting_start) {
      // Players cannot start on anything but a keyframe: drop what precedes the first one.
      if (lead_is_video() && (f.kind != track_kind::video || !f.keyframe)) return;
      waiting_start = false;
      base_ms = f.dts_ms;
      video_offset = timeline_us * 9 / 100;
      audio_offset = timeline_us * audio_rate / 1'000'000;
    }
    if (f.dts_ms < base_ms) return;  // audio older than the session's first keyframe
    if (f.kind == track_kind::video)
      push_video(f, wall_ms, ec);
    else
      push_audio(f, wall_ms, ec);
  }

  void push_video(const frame& f, std::int64_t wall_ms, std::error_code& ec) {
    if (last_video_ms && f.dts_ms <= *last_video_ms) {
      ec = packager_errc::non_monotonic_timestamp;
      return;
    }
    last_video_ms = f.dts_ms;
    held_frame h;
    h.dts_ms = f.dts_ms;
    h.dts = video_offset + (f.dts_ms - base_ms) * 90;
    h.pts = h.dts + std::max<std::int64_t>(0, f.cts_ms) * 90;  // mp4 without negative cts offsets
    h.key = f.keyframe;
    h.data = f.data;
    h.wall_ms = wall_ms;
    if (rate_frames++ == 0) rate_first_ms = f.dts_ms;
    rate_last_ms = f.dts_ms;
    if (held_video) {
      held_frame prev = *held_video;
      last_video_duration = h.dts - prev.dts;
      held_video = h;
      emit_video(prev, last_video_duration, &ec);
    } else {
      held_video = h;
    }
  }

  void push_audio(const frame& f, std::int64_t wall_ms, std::error_code& ec) {
    if (last_audio_ms && f.dts_ms <= *last_audio_ms) {
      ec = packager_errc::non_monotonic_timestamp;
      return;
    }
    last_audio_ms = f.dts_ms;
    held_frame h;
    h.dts_ms = f.dts_ms;
    std::int64_t from_ms = audio_offset + ((f.dts_ms - base_ms) * audio_rate + 500) / 1000;
    h.dts = from_ms;
    if (held_audio) {
      // Millisecond timestamps jitter by up to 1 ms; AAC frames are exactly 1024 samples, so keep the
      // sample-exact timeline unless the stream really jumped (gap), which avoids audio drift.
      std::int64_t expected = held_audio->dts + aac_frame_samples;
      if (std::llabs(from_ms - expected) <= audio_rate * 2 / 1000) h.dts = expected;
      h.dts = std::max(h.dts, held_audio->dts + 1);
    }
    h.pts = h.dts;
    h.key = true;
    h.data = f.data;
    h.wall_ms = wall_ms;
    if (held_audio) {
      held_frame prev = *held_audio;
      held_audio = h;
      on_audio_ready(prev, h.dts - prev.dts, &ec);
    } else {
      held_audio = h;
    }
  }

  void on_audio_ready(const held_frame& f, std::int64_t duration, std::error_code* ec = nullptr) {
    if (!lead_is_video()) {
      emit_audio_lead(f, duration, ec);
      return;
    }
    if (audio_queue.size() >= max_queued_audio) {
      audio_queue.pop_front();
      if (ec) *ec = packager_errc::queue_full;
    }
    audio_queue.push_back({f, duration});
  }

  void write_sample(track_kind kind, const held_frame& f, std::int64_t duration, std::error_code* ec) {
    cmaf_sample s{f.dts, f.pts, duration, f.key, f.data.span()};
    if (auto e = mux->write(kind, s)) {
      if (ec) *ec = e;
      return;
    }
    (kind == track_kind::video ? video_end : audio_end) = f.dts + duration;
  }

  void open_segment(const held_frame& f) {
    segment_record s;
    s.msn = next_msn;
    s.disc = disc_seq;
    s.init_name = init_name;
    s.pdt_ms = f.wall_ms;
    s.start = s.end = f.dts;
    s.timescale = lead_timescale();
    open = std::move(s);
  }

  void begin_part_if_needed(const held_frame& f) {
    if (part_open) return;
    part_open = true;
    part_start = part_end = f.dts;
    part_independent = f.key;
  }

  /// Video leads: segments at keyframes (RFC 8216bis 6.2.1), parts by duration, never above PART-TARGET.
  void emit_video(const held_frame& f, std::int64_t duration, std::error_code* ec = nullptr) {
    const double seg_dur = open ? static_cast<double>(f.dts - open->start) / 90000.0 : 0;
    const double with_frame = seg_dur + static_cast<double>(duration) / 90000.0;
    if (open) {
      bool cut = f.key && seg_dur >= opts.segment_target_s - keyframe_tolerance_s;
      // No keyframe in sight: cut anyway rather than exceed EXT-X-TARGETDURATION (the EXTINF rounded
      // to the nearest integer must not exceed it, RFC 8216bis 4.4.3.1).
      bool force = !cut && (target_duration > 0 ? with_frame > target_duration + 0.5 - 1e-3
                                                : with_frame > first_segment_cap_s);
      if (cut || force) {
        close_segment(f.dts);
      } else if (part_open && part_end - part_start + duration > part_target_ticks()) {
        close_part(f.dts);
      }
    }
    if (!open) open_segment(f);
    begin_part_if_needed(f);
    write_sample(track_kind::video, f, duration, ec);
    part_end = f.dts + duration;
  }

  /// Audio leads (audio-only): parts by duration, segments at part boundaries, never above the target.
  void emit_audio_lead(const held_frame& f, std::int64_t duration, std::error_code* ec) {
    if (open && part_open && part_end - part_start + duration > part_target_ticks()) {
      close_part(f.dts);
      double seg = static_cast<double>(open->end - open->start) / audio_rate;
      if (seg + opts.part_target_s > opts.segment_target_s + 1e-6) close_segment(f.dts);
    }
    if (!open) open_segment(f);
    begin_part_if_needed(f);
    write_sample(track_kind::audio, f, duration, ec);
    part_end = f.dts + duration;
  }

  std::int64_t part_target_ticks() const {
    return static_cast<std::int64_t>(std::floor(opts.part_target_s * lead_timescale() + 1e-6));
  }

  /// Cuts the open part at `cut` (lead ticks): queued audio before the cut goes into it.
  void close_part(std::int64_t cut) {
    if (!part_open || !open) return;
    if (lead_is_video()) {
      const std::int64_t audio_cut = cut == no_cut ? no_cut : cut * audio_rate / 90000;
      while (!audio_queue.empty() && audio_queue.front().f.dts < audio_cut) {
        write_sample(track_kind::audio, audio_queue.front().f, audio_queue.front().duration, nullptr);
        audio_queue.pop_front();
      }
    }
    std::error_code ec;
    std::vector<std::uint8_t> bytes = mux->flush_fragment(ec);
    part_open = false;
    if (bytes.empty()) return;
    part_record p;
    p.duration_s = static_cast<double>(part_end - part_start) / lead_timescale();
    p.independent = part_independent || !lead_is_video();
    p.bytes = make_shared_bytes(std::move(bytes));
    p.size = p.bytes->size();
    files[part_name(open->msn, open->parts.size())] = bytes_view{p.bytes, 0, p.size};
    open->bytes += p.size;
    open->end = part_end;
    open->parts.push_back(std::move(p));
    published_in_disc = true;
    dirty = true;
  }

  void close_segment(std::int64_t cut) {
    close_part(cut);
    if (!open) return;
    if (open->parts.empty()) {
      open.reset();
      return;
    }
    // The complete segment is its parts back to back, built once here (not per viewer).
    std::vector<std::uint8_t> all;
    all.reserve(open->bytes);
    for (const auto& p : open->parts) all.insert(all.end(), p.bytes->begin(), p.bytes->end());
    auto seg = make_shared_bytes(std::move(all));
    files[segment_name(open->msn)] = whole(seg);
    // The parts become views into the segment (same bytes, same names): their own buffers go as soon
    // as no older snapshot or in-flight response holds them.
    std::size_t offset = 0;
    for (std::size_t k = 0; k < open->parts.size(); ++k) {
      auto& p = open->parts[k];
      if (auto it = files.find(part_name(open->msn, k)); it != files.end()) it->second = bytes_view{seg, offset, p.size};
      offset += p.size;
      p.bytes.reset();
    }
    if (target_duration == 0) {
      // Fixed once (RFC 8216bis 6.2.1: EXT-X-TARGETDURATION MUST NOT change): the first GOP tells how
      // far apart the encoder's keyframes are.
      double longest = std::max(opts.segment_target_s, open->duration_s());
      target_duration = std::max(1, static_cast<int>(std::ceil(longest - 0.05)));
    }
    done.push_back(std::move(*open));
    open.reset();
    ++next_msn;
    slide_window();
    dirty = true;
  }

  void slide_window() {
    while (done.size() > std::max<std::size_t>(1, opts.window_segments)) {
      const segment_record& s = done.front();
      files.erase(segment_name(s.msn));
      for (std::size_t i = 0; i < s.parts.size(); ++i) files.erase(part_name(s.msn, i));
      std::string init = s.init_name;
      done.pop_front();
      bool used = init == init_name || (open && open->init_name == init) ||
                  std::any_of(done.begin(), done.end(), [&](const segment_record& d) { return d.init_name == init; });
      if (!used) files.erase(init);
    }
  }

  // ---- publication -------------------------------------------------------------------------------------

  /// Builds a new snapshot if something changed and the target duration is known.
  rendition_snapshot_ptr publish() {
    if (!dirty || target_duration == 0) return nullptr;
    dirty = false;
    const double td = target_duration;
    media_playlist pl;
    pl.target_duration_s = target_duration;
    pl.part_target_s = opts.part_target_s;
    pl.part_hold_back_s = 3 * opts.part_target_s;  // RFC 8216bis 4.4.3.8: SHOULD be >= 3 part targets
    pl.hold_back_s = 3 * td;
    pl.ended = ended;

    // EXT-X-PART only for segments within ~3 target durations of the end (RFC 8216bis 4.4.4.9);
    // part files stay one segment longer for clients that read the previous playlist.
    double from_end = 0;
    if (open) from_end += static_cast<double>(open->end - open->start) / open->timescale;
    std::vector<bool> list_parts(done.size(), false);
    bool kept_extra = false;
    for (std::size_t i = done.size(); i-- > 0;) {
      segment_record& s = done[i];
      from_end += s.duration_s();
      if (from_end <= 3 * td + 1e-6) {
        list_parts[i] = true;
      } else if (!kept_extra) {
        kept_extra = true;
      } else if (!s.part_files_dropped) {
        for (std::size_t k = 0; k < s.parts.size(); ++k) files.erase(part_name(s.msn, k));
        s.part_files_dropped = true;
      }
    }

    auto to_playlist = [&](const segment_record& s, bool complete, bool with_parts) {
      playlist_segment ps;
      ps.msn = s.msn;
      ps.duration_s = s.duration_s();
      ps.uri = complete ? segment_name(s.msn) : std::string{};
      ps.map_uri = s.init_name;
      ps.program_date_ms = s.pdt_ms;
      ps.complete = complete;
      if (with_parts)
        for (std::size_t k = 0; k < s.parts.size(); ++k)
          ps.parts.push_back({s.parts[k].duration_s, part_name(s.msn, k), s.parts[k].independent});
      return ps;
    };
    const segment_record* prev = nullptr;
    for (std::size_t i = 0; i < done.size(); ++i) {
      auto ps = to_playlist(done[i], true, list_parts[i]);
      ps.discontinuity = prev && prev->disc != done[i].disc;
      pl.segments.push_back(std::move(ps));
      prev = &done[i];
    }
    std::uint32_t open_parts = 0;
    if (open && !open->parts.empty()) {
      auto ps = to_playlist(*open, false, true);
      ps.discontinuity = prev && prev->disc != open->disc;
      pl.segments.push_back(std::move(ps));
      open_parts = static_cast<std::uint32_t>(open->parts.size());
    }
    const std::uint64_t building = open ? open->msn : next_msn;
    pl.media_sequence = done.empty() ? building : done.front().msn;
    pl.discontinuity_sequence = !done.empty() ? done.front().disc : open ? open->disc : disc_seq;
    // The first segment after a failover or restart follows segments another window listed: tag it and
    // count the earlier ones in the sequence (its own number less one, RFC 8216bis 4.4.3.3), so a player
    // that held the old window sees the boundary, and the number it derives for this segment stays the
    // same when the tag slides out and the sequence becomes its own number (6.2.2). An open head counts
    // too: a parts-only segment is rendered, so it starts the window (4.4.4.9).
    const segment_record* head = !done.empty() ? &done.front() : open && !open->parts.empty() ? &*open : nullptr;
    if (head && boundary_msn && head->msn == *boundary_msn) {
      pl.head_discontinuity = true;
      pl.discontinuity_sequence = head->disc - 1;  // >= 0: boundary_msn is only set with disc_seq > 0
    }
    if (!ended) pl.preload_hint_uri = part_name(building, open_parts);

    auto snap = std::make_shared<rendition_snapshot>();
    snap->name = opts.name;
    snap->playlist = render_media_playlist(pl);
    snap->first_msn = pl.media_sequence;
    snap->next_msn = building;
    snap->next_part = open_parts;
    snap->target_duration_s = td;
    snap->part_target_s = opts.part_target_s;
    snap->audio_only = !(init_video.has_value());
    snap->ended = ended;
    snap->files = files;
    last = std::move(snap);
    return last;
  }
};

hls_packager::hls_packager(packager_options opts, sequence_state start) : impl_(std::make_unique<impl>()) {
  impl_->opts = std::move(opts);
  impl_->next_msn = start.next_msn;
  impl_->disc_seq = start.discontinuity_seq;
  // With discontinuity_seq 0 there is no lower number for the earlier segments (actors/room_actor.cpp
  // passes one above the stored number): the boundary then goes untagged rather than going backward.
  if (start.next_msn > 0 && start.discontinuity_seq > 0) impl_->boundary_msn = start.next_msn;
}

hls_packager::~hls_packager() = default;

void hls_packager::begin(std::optional<video_config> video, std::optional<audio_config> audio) {
  impl_->finish_session();
  impl_->start_session(std::move(video), std::move(audio));
  impl_->publish();  // the flushed previous session, if any
}

void hls_packager::update_config(std::optional<video_config> video, std::optional<audio_config> audio) {
  auto& d = *impl_;
  std::optional<video_config> v = d.opts.audio_only ? std::nullopt : video;
  if (d.in_session && !d.session_error && v == d.video && audio == d.audio) return;  // repeated sequence header
  begin(std::move(video), std::move(audio));
}

rendition_snapshot_ptr hls_packager::push(const frame& f, std::int64_t wall_ms, std::error_code& ec) {
  ec.clear();
  impl_->push(f, wall_ms, ec);
  return impl_->publish();
}

rendition_snapshot_ptr hls_packager::end_session(std::int64_t /*wall_ms*/, bool final) {
  auto& d = *impl_;
  d.finish_session();
  if (d.target_duration == 0 && d.published_in_disc)
    d.target_duration = std::max(1, static_cast<int>(std::ceil(d.opts.segment_target_s - 1e-9)));
  if (final && !d.ended) {
    d.ended = true;
    d.dirty = d.dirty || d.last != nullptr;
  }
  d.publish();
  return d.last;
}

sequence_state hls_packager::sequence() const {
  const auto& d = *impl_;
  sequence_state s;
  s.next_msn = d.next_msn + (d.open && !d.open->parts.empty() ? 1 : 0);
  s.discontinuity_seq = d.disc_seq + (d.published_in_disc ? 1 : 0);
  return s;
}

std::optional<variant_info> hls_packager::variant() const {
  const auto& d = *impl_;
  if (!d.have_init) return std::nullopt;
  variant_info v;
  v.uri = d.opts.name + "/index.m3u8";
  v.codecs = codecs_attribute(d.init_video, d.init_audio);
  double total_bits = 0, total_s = 0, peak = 0;
  for (const auto& s : d.done) {
    double dur = s.duration_s();
    if (dur <= 0) continue;
    total_bits += 8.0 * static_cast<double>(s.bytes);
    total_s += dur;
    peak = std::max(peak, 8.0 * static_cast<double>(s.bytes) / dur);
  }
  if (total_s == 0 && d.open) {  // before the first segment: estimate from the parts so far
    for (const auto& p : d.open->parts) {
      total_bits += 8.0 * static_cast<double>(p.size);
      total_s += p.duration_s;
    }
    peak = total_s > 0 ? total_bits / total_s : 0;
  }
  v.average_bandwidth = total_s > 0 ? static_cast<std::uint64_t>(total_bits / total_s) : 0;
  v.bandwidth = static_cast<std::uint64_t>(std::max(peak, static_cast<double>(v.average_bandwidth)));
  if (d.init_video) {
    v.width = d.init_video->width;
    v.height = d.init_video->height;
    if (v.width <= 0 || v.height <= 0) {
      if (auto sps = parse_avcc_sps(d.init_video->avcc)) {
        v.width = sps->width;
        v.height = sps->height;
      }
    }
    v.frame_rate = d.init_video->frame_rate;
    if (v.frame_rate <= 0 && d.rate_frames > 1 && d.rate_last_ms > d.rate_first_ms)
      v.frame_rate = std::round(1000.0 * static_cast<double>(d.rate_frames - 1) /
                                static_cast<double>(d.rate_last_ms - d.rate_first_ms) * 1000.0) / 1000.0;
  }
  return v;
}

rendition_snapshot_ptr hls_packager::snapshot() const { return impl_->last; }

}  // namespace onair::media
