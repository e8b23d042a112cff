#pragma once
/// Sans-IO LL-HLS packager for one rendition: frames in, immutable snapshots out (DESIGN.md section 4).
/// It cuts ~part_target parts and ~segment_target segments at keyframes, muxes CMAF with libavformat in
/// memory, keeps a sliding window, renders the media playlist once per update and never resets the
/// media sequence: a re-publish continues numbering after an EXT-X-DISCONTINUITY, and so does a packager
/// that takes over numbering from another origin (sequence_state).
/// No clock of its own: the caller passes wall-clock time for EXT-X-PROGRAM-DATE-TIME.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "media/frame.hpp"
#include "media/hls_snapshot.hpp"

namespace onair::media {

struct packager_options {
  std::string name = "source";        ///< rendition name (file names are relative to it)
  double part_target_s = 0.333;       ///< EXT-X-PART-INF PART-TARGET; parts never exceed it
  double segment_target_s = 2.0;      ///< segments are cut at the first keyframe after this
  std::size_t window_segments = 6;    ///< complete segments kept in the playlist (sliding window)
  bool audio_only = false;            ///< radio room: ignore video, mux audio only
};

/// Where numbering continues from (persisted by the room so it survives restarts and origin moves).
/// A packager started with `next_msn > 0` continues a playlist whose earlier segments it never held
/// (another origin's, or this node's before a restart; edges pass both through to the same players).
/// Its first segment is a discontinuity relative to them: while that segment heads the window the
/// playlist tags it and says EXT-X-DISCONTINUITY-SEQUENCE `discontinuity_seq - 1` for the segments before
/// it (their number when the caller passes one above it); once it slid out the sequence is
/// `discontinuity_seq`, so the number players derive for it never changes (RFC 8216bis 6.2.2).
/// With `discontinuity_seq` 0 there is no lower number: that boundary is not tagged.
struct sequence_state {
  std::uint64_t next_msn = 0;            ///< next media sequence number to use
  std::uint64_t discontinuity_seq = 0;   ///< discontinuity sequence number of the next session's segments
};

/// One line of a master playlist (RFC 8216bis 4.4.6.2 EXT-X-STREAM-INF).
struct variant_info {
  std::string uri;                  ///< "source/index.m3u8"
  std::uint64_t bandwidth = 0;      ///< peak bits/s
  std::uint64_t average_bandwidth = 0;
  std::string codecs;               ///< "avc1.64001f,mp4a.40.2"
  int width = 0, height = 0;        ///< 0 = no RESOLUTION (audio-only)
  double frame_rate = 0;            ///< 0 = no FRAME-RATE
};

/// Renders a master playlist listing `variants` (with EXT-X-INDEPENDENT-SEGMENTS).
std::string render_master_playlist(const std::vector<variant_info>& variants);

class hls_packager {
 public:
  /// `start` is where numbering continues (see sequence_state); `{}` is a room's first packager.
  explicit hls_packager(packager_options opts, sequence_state start = {});
  ~hls_packager();
  hls_packager(const hls_packager&) = delete;
  hls_packager& operator=(const hls_packager&) = delete;

  /// Starts a publish session. Configs arrive before the first frame in RTMP order (sequence headers);
  /// either may be absent (audio-only publisher). A session after the first one marks the next segment
  /// with EXT-X-DISCONTINUITY and a new init segment (EXT-X-MAP) when the configs changed.
  void begin(std::optional<video_config> video, std::optional<audio_config> audio);
  /// Updates a config mid-session (a new sequence header): handled like a new session boundary.
  void update_config(std::optional<video_config> video, std::optional<audio_config> audio);

  /// Feeds one frame (DTS order within a track). `wall_ms` is the wall clock (Unix ms) now.
  /// Returns a new snapshot when the playlist changed (a part or segment completed), else nullptr.
  /// Frames before the first video keyframe of a session are dropped (players cannot start on them).
  rendition_snapshot_ptr push(const frame& f, std::int64_t wall_ms, std::error_code& ec);

  /// Ends the publish session: flushes the open part and segment. With `final` (room ended) the playlist
  /// gets EXT-X-ENDLIST. Returns the resulting snapshot (nullptr if nothing was ever published).
  rendition_snapshot_ptr end_session(std::int64_t wall_ms, bool final);

  /// Numbering to persist: where the next session continues.
  sequence_state sequence() const;
  /// The variant line for a master playlist (bandwidth measured over the window), once configured.
  std::optional<variant_info> variant() const;
  /// The latest snapshot (nullptr before the first part).
  rendition_snapshot_ptr snapshot() const;

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace onair::media
