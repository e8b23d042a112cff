#include "bench/onair_bench/playlist_parser.hpp"

#include <charconv>
#include <cstdlib>
#include <ctime>

namespace onair::bench {

namespace {

struct playlist_category : std::error_category {
  const char* name() const noexcept override { return "onair.bench.playlist"; }
  std::string message(int v) const override {
    switch (static_cast<playlist_errc>(v)) {
      case playlist_errc::ok: return "ok";
      case playlist_errc::not_a_playlist: return "first line is not #EXTM3U";
      case playlist_errc::bad_value: return "malformed tag value";
      case playlist_errc::line_too_long: return "line too long";
      case playlist_errc::too_large: return "playlist too large";
      case playlist_errc::uri_without_tag: return "variant URI without EXT-X-STREAM-INF";
    }
    return "unknown";
  }
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

bool to_int(std::string_view s, std::int64_t& v) {
  s = trim(s);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size();
}

bool to_double(std::string_view s, double& v) {
  s = trim(s);
  if (s.empty() || s.size() > 64) return false;
  std::string tmp(s);  // strtod: libstdc++ 12 has from_chars<double>, but keep the C locale path simple
  char* end = nullptr;
  v = std::strtod(tmp.c_str(), &end);
  return end == tmp.c_str() + tmp.size();
}

/// The value of `key` in an attribute list (RFC 8216bis 4.2), quotes removed; nullopt when absent.
/// Commas inside quoted strings do not split attributes.
std::optional<std::string_view> attr(std::string_view list, std::string_view key) {
  std::size_t i = 0;
  while (i < list.size()) {
    auto eq = list.find('=', i);
    if (eq == std::string_view::npos) return std::nullopt;
    auto name = trim(list.substr(i, eq - i));
    std::size_t v0 = eq + 1, v1 = v0;
    if (v0 < list.size() && list[v0] == '"') {
      auto close = list.find('"', v0 + 1);
      if (close == std::string_view::npos) return std::nullopt;
      v1 = close + 1;
    }
    while (v1 < list.size() && list[v1] != ',') ++v1;
    auto value = trim(list.substr(v0, v1 - v0));
    if (name == key) {
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      return value;
    }
    i = v1 + 1;
  }
  return std::nullopt;
}

}  // namespace

std::error_code make_error_code(playlist_errc e) {
  static const playlist_category cat;
  return {static_cast<int>(e), cat};
}

std::optional<std::pair<std::int64_t, std::size_t>> playlist::last_part() const {
  for (auto it = segments.rbegin(); it != segments.rend(); ++it)
    if (!it->parts.empty()) return std::pair{it->msn, it->parts.size() - 1};
  return std::nullopt;
}

std::optional<std::int64_t> parse_date_time_ms(std::string_view s) {
  s = trim(s);
  // YYYY-MM-DDThh:mm:ss[.fff][Z|+hh:mm|-hh:mm]
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  std::int64_t y, mo, d, h, mi, se;
  if (!to_int(s.substr(0, 4), y) || !to_int(s.substr(5, 2), mo) || !to_int(s.substr(8, 2), d) ||
      !to_int(s.substr(11, 2), h) || !to_int(s.substr(14, 2), mi) || !to_int(s.substr(17, 2), se))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  std::size_t i = 19;
  std::int64_t ms = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int digits = 0;
    std::int64_t scale = 100;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (digits < 3) ms += (s[i] - '0') * scale;
      scale /= 10;
      ++digits;
      ++i;
    }
    if (digits == 0) return std::nullopt;
  }
  std::int64_t offset_min = 0;
  if (i < s.size()) {
    if (s[i] == 'Z' || s[i] == 'z') {
      ++i;
    } else if ((s[i] == '+' || s[i] == '-') && i + 6 == s.size() && s[i + 3] == ':') {
      std::int64_t oh, om;
      if (!to_int(s.substr(i + 1, 2), oh) || !to_int(s.substr(i + 4, 2), om)) return std::nullopt;
      offset_min = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
      i += 6;
    } else {
      return std::nullopt;
    }
  }
  if (i != s.size()) return std::nullopt;
  // Days from civil (Howard Hinnant's algorithm): no timegm, no time zone state.
  y -= mo <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = era * 146097 + doe - 719468;
  return ((days * 86400 + h * 3600 + mi * 60 + se) - offset_min * 60) * 1000 + ms;
}

std::error_code playlist_parser::feed(std::string_view bytes) {
  if (failed_) return failed_;
  total_ += bytes.size();
  if (total_ > limits_.max_bytes) return failed_ = playlist_errc::too_large;
  while (!bytes.empty()) {
    auto nl = bytes.find('\n');
    if (nl == std::string_view::npos) {
      partial_.append(bytes);
      if (partial_.size() > limits_.max_line) return failed_ = playlist_errc::line_too_long;
      return {};
    }
    std::error_code ec;
    if (partial_.empty()) {
      if (nl > limits_.max_line) return failed_ = playlist_errc::line_too_long;
      ec = line(bytes.substr(0, nl));
    } else {
      partial_.append(bytes.substr(0, nl));
      if (partial_.size() > limits_.max_line) return failed_ = playlist_errc::line_too_long;
      ec = line(partial_);
      partial_.clear();
    }
    if (ec) return failed_ = ec;
    bytes.remove_prefix(nl + 1);
  }
  return {};
}

std::error_code playlist_parser::finish() {
  if (failed_) return failed_;
  if (!partial_.empty()) {
    auto ec = line(partial_);
    partial_.clear();
    if (ec) return failed_ = ec;
  }
  if (!seen_header_) return failed_ = playlist_errc::not_a_playlist;
  return {};
}

hls_segment& playlist_parser::pending() {
  if (!pending_open_) {
    hls_segment s;
    s.msn = pl_.media_sequence + pl_.skipped_segments + static_cast<std::int64_t>(pl_.segments.size());
    // A date applies to the segment that follows it; later segments carry it forward
    // (RFC 8216bis 4.4.4.6: the date of a segment without the tag is the previous one's plus its duration).
    if (next_pdt_ms_) s.pdt_ms = next_pdt_ms_;
    else if (!pl_.segments.empty() && pl_.segments.back().pdt_ms)
      s.pdt_ms = *pl_.segments.back().pdt_ms + static_cast<std::int64_t>(pl_.segments.back().duration_s * 1000.0 + 0.5);
    next_pdt_ms_.reset();
    pl_.segments.push_back(std::move(s));
    pending_open_ = true;
  }
  return pl_.segments.back();
}

std::error_code playlist_parser::line(std::string_view l) {
  l = trim(l);
  ++lines_;
  if (!seen_header_) {
    // The first line must be the header (RFC 8216bis 4.4.1.1); a UTF-8 BOM is tolerated.
    if (l.substr(0, 3) == "\xEF\xBB\xBF") l.remove_prefix(3);
    if (l != "#EXTM3U") return playlist_errc::not_a_playlist;
    seen_header_ = true;
    return {};
  }
  if (l.empty()) return {};
  if (l.front() != '#') {
    // A URI line (4.1).
    if (pending_stream_inf_) {
      pending_variant_.uri = std::string(l);
      pl_.variants.push_back(std::move(pending_variant_));
      pending_variant_ = {};
      pending_stream_inf_ = false;
      return {};
    }
    if (pl_.is_multivariant) return playlist_errc::uri_without_tag;
    auto& s = pending();
    s.uri = std::string(l);
    s.duration_s = pending_extinf_;
    pending_extinf_ = 0;
    pending_open_ = false;
    return {};
  }
  if (l.substr(0, 4) != "#EXT") return {};  // a comment (4.1)
  auto colon = l.find(':');
  auto name = l.substr(0, colon);
  auto value = colon == std::string_view::npos ? std::string_view{} : l.substr(colon + 1);
  if (name == "#EXT-X-STREAM-INF") {
    pl_.is_multivariant = true;
    pending_stream_inf_ = true;
    if (auto v = attr(value, "BANDWIDTH"); !v || !to_int(*v, pending_variant_.bandwidth)) return playlist_errc::bad_value;
    if (auto v = attr(value, "RESOLUTION")) pending_variant_.resolution = std::string(*v);
    if (auto v = attr(value, "CODECS")) pending_variant_.codecs = std::string(*v);
    return {};
  }
  return media_tag(name, value);
}

std::error_code playlist_parser::media_tag(std::string_view name, std::string_view value) {
  if (name == "#EXTINF") {
    // "#EXTINF:<duration>,[<title>]" (4.4.4.1)
    if (!to_double(value.substr(0, value.find(',')), pending_extinf_) || pending_extinf_ < 0) return playlist_errc::bad_value;
    pending();  // the segment exists from its first tag on, so a later PDT does not move to the next one
  } else if (name == "#EXT-X-TARGETDURATION") {
    if (!to_int(value, pl_.target_duration_s)) return playlist_errc::bad_value;
  } else if (name == "#EXT-X-MEDIA-SEQUENCE") {
    if (!to_int(value, pl_.media_sequence)) return playlist_errc::bad_value;
  } else if (name == "#EXT-X-PART-INF") {
    auto v = attr(value, "PART-TARGET");
    if (!v || !to_double(*v, pl_.part_target_s)) return playlist_errc::bad_value;
  } else if (name == "#EXT-X-SERVER-CONTROL") {
    if (auto v = attr(value, "CAN-BLOCK-RELOAD")) pl_.can_block_reload = *v == "YES";
    if (auto v = attr(value, "PART-HOLD-BACK"); v && !to_double(*v, pl_.part_hold_back_s)) return playlist_errc::bad_value;
  } else if (name == "#EXT-X-SKIP") {
    // A delta update (4.4.5.2) replaces the first SKIPPED-SEGMENTS segments; the numbering continues.
    auto v = attr(value, "SKIPPED-SEGMENTS");
    if (!v || !to_int(*v, pl_.skipped_segments) || pl_.skipped_segments < 0) return playlist_errc::bad_value;
  } else if (name == "#EXT-X-PROGRAM-DATE-TIME") {
    auto ms = parse_date_time_ms(value);
    if (!ms) return playlist_errc::bad_value;
    if (pending_open_) pl_.segments.back().pdt_ms = ms;  // after the segment's EXTINF or parts: still this one
    else next_pdt_ms_ = ms;
  } else if (name == "#EXT-X-DISCONTINUITY") {
    pending().discontinuity = true;
  } else if (name == "#EXT-X-MAP") {
    if (auto v = attr(value, "URI")) pl_.map_uri = std::string(*v);
    else return playlist_errc::bad_value;
  } else if (name == "#EXT-X-PART") {
    hls_part p;
    auto d = attr(value, "DURATION");
    auto u = attr(value, "URI");
    if (!d || !u || !to_double(*d, p.duration_s)) return playlist_errc::bad_value;
    p.uri = std::string(*u);
    if (auto v = attr(value, "INDEPENDENT")) p.independent = *v == "YES";
    auto& s = pending();
    if (!s.parts.empty()) p.offset_s = s.parts.back().offset_s + s.parts.back().duration_s;
    s.parts.push_back(std::move(p));
  } else if (name == "#EXT-X-PRELOAD-HINT") {
    preload_hint h;
    auto t = attr(value, "TYPE");
    auto u = attr(value, "URI");
    if (!t || !u) return playlist_errc::bad_value;
    h.type = std::string(*t);
    h.uri = std::string(*u);
    pl_.hint = std::move(h);
  } else if (name == "#EXT-X-ENDLIST") {
    pl_.endlist = true;
  }
  // Everything else (EXT-X-VERSION, EXT-X-RENDITION-REPORT, EXT-X-INDEPENDENT-SEGMENTS, ...) is ignored.
  return {};
}

std::error_code parse_playlist(std::string_view text, playlist& out) {
  playlist_parser p;
  if (auto ec = p.feed(text)) return ec;
  if (auto ec = p.finish()) return ec;
  out = p.result();
  return {};
}

}  // namespace onair::bench
