#pragma once
/// Shared helpers of the packager tests: drive a packager with a test stream, read playlists back.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "av_test_source.hpp"
#include "media/hls_packager.hpp"

namespace onair::media::test {

/// Every snapshot push() returned, in order.
struct run_result {
  std::vector<rendition_snapshot_ptr> snapshots;
  std::vector<std::error_code> errors;
};

/// Feeds `s.frames` (wall clock = 1.7e12 ms + media time) and collects the snapshots.
run_result feed(hls_packager& p, const test_stream& s, std::int64_t wall_base_ms = 1'700'000'000'000);

/// Lines of `playlist` that start with `prefix`.
std::vector<std::string> lines_with(const std::string& playlist, const std::string& prefix);
/// The value of ATTR= in an attribute-list line ("DURATION=0.3,URI=\"x\"" -> "0.3" / "x").
std::string attr(const std::string& line, const std::string& name);
/// Durations of the EXTINF lines.
std::vector<double> extinf_durations(const std::string& playlist);
/// URIs (non-tag lines) of the playlist.
std::vector<std::string> uris(const std::string& playlist);
/// The discontinuity sequence number a player derives for each listed segment (by msn, complete or only
/// parts so far): EXT-X-DISCONTINUITY-SEQUENCE plus the EXT-X-DISCONTINUITY tags before it (RFC 8216bis 4.4.3.3).
std::map<std::uint64_t, std::uint64_t> discontinuity_numbers(const std::string& playlist);

}  // namespace onair::media::test
