#include "actors/node_options.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <toml++/toml.h>

namespace onair::actors {

namespace {

template <class T>
std::string read_into(const toml::node& n, const std::string& key, T& out) {
  if constexpr (std::is_same_v<T, std::string>) {
    if (auto v = n.value<std::string>()) { out = *v; return {}; }
  } else if constexpr (std::is_same_v<T, bool>) {
    if (auto v = n.value<bool>()) { out = *v; return {}; }
  } else if constexpr (std::is_floating_point_v<T>) {
    if (auto v = n.value<double>()) { out = *v; return {}; }
  } else {
    if (auto v = n.value<std::int64_t>(); v && *v >= 0 && static_cast<std::uint64_t>(*v) <= std::numeric_limits<T>::max()) {
      out = static_cast<T>(*v);
      return {};
    }
  }
  return fmt::format("config key '{}' has the wrong type or range", key);
}

/// Rendition names appear in URLs (/hls/{room}/{name}/...) and in the API.
bool valid_rung_name(const std::string& n) {
  if (n.empty() || n.size() > 32 || n == "source" || n == "audio" || n == "none") return false;
  return std::all_of(n.begin(), n.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
}

bool parse_int(const std::string& s, int lo, int hi, int& out) {
  try {
    std::size_t used = 0;
    long v = std::stol(s, &used);
    if (used != s.size() || v < lo || v > hi) return false;
    out = static_cast<int>(v);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    auto i = s.find(sep, start);
    out.push_back(s.substr(start, i == std::string::npos ? std::string::npos : i - start));
    if (i == std::string::npos) return out;
    start = i + 1;
  }
}

}  // namespace

std::string parse_video_ladder(const std::vector<std::string>& specs, std::vector<media::video_rung>& out) {
  out.clear();
  if (specs.size() == 1 && specs[0] == "none") return {};
  for (const auto& spec : specs) {
    auto f = split(spec, ':');
    media::video_rung r;
    if (f.size() != 3 || !valid_rung_name(f[0]) || !parse_int(f[1], 90, 4320, r.height) ||
        !parse_int(f[2], 100, 50000, r.video_kbps) || r.height % 2 != 0)
      return "a video rung is name:height:kbps (e.g. 720p:720:2500; even height 90-4320, 100-50000 kb/s), got '" +
             spec + "'";
    r.name = f[0];
    for (const auto& o : out)
      if (o.name == r.name) return "rendition '" + r.name + "' is in the ladder twice";
    out.push_back(std::move(r));
  }
  return {};
}

std::string parse_audio_ladder(const std::vector<std::string>& specs, std::vector<media::audio_rung>& out) {
  out.clear();
  if (specs.size() == 1 && specs[0] == "none") return {};
  for (const auto& spec : specs) {
    auto f = split(spec, ':');
    media::audio_rung r;
    if (f.size() != 2 || !valid_rung_name(f[0]) || !parse_int(f[1], 16, 512, r.kbps))
      return "an audio rung is name:kbps (e.g. aac64:64; 16-512 kb/s), got '" + spec + "'";
    r.name = f[0];
    for (const auto& o : out)
      if (o.name == r.name) return "rendition '" + r.name + "' is in the ladder twice";
    out.push_back(std::move(r));
  }
  return {};
}

std::string load_config_file(const std::string& path, node_options& o) {
  toml::table tbl;
  try {
    tbl = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return fmt::format("{}:{}:{}: {}", path, e.source().begin.line, e.source().begin.column, e.description());
  }
  std::string err;
  auto section = [&](const char* name, auto&& fields) {
    const auto* t = tbl.get_as<toml::table>(name);
    if (!t) return;
    for (const auto& [k, v] : *t) {
      std::string key{k.str()};
      if (!fields(key, v) && err.empty()) err = fmt::format("{}: unknown key '{}.{}'", path, name, key);
    }
  };
  for (const auto& [k, v] : tbl)
    if (!v.is_table() && err.empty()) err = fmt::format("{}: unknown top-level key '{}'", path, std::string{k.str()});
  for (const auto& [k, v] : tbl) {
    std::string s{k.str()};
    if (v.is_table() && s != "node" && s != "hls" && s != "viewers" && s != "chat" && s != "cluster" && s != "transcode" &&
        err.empty())
      err = fmt::format("{}: unknown section [{}]", path, s);
  }
  auto field = [&](const std::string& key, const toml::node& v, const char* want, auto& out) {
    if (key != want) return false;
    if (auto e = read_into(v, key, out); !e.empty() && err.empty()) err = path + ": " + e;
    return true;
  };
  section("node", [&](const std::string& k, const toml::node& v) {
    return field(k, v, "data_dir", o.data_dir) || field(k, v, "bind_host", o.bind_host) ||
           field(k, v, "rtmp_port", o.rtmp_port) || field(k, v, "http_port", o.http_port) ||
           field(k, v, "public_host", o.public_host) || field(k, v, "io_threads", o.io_threads) ||
           field(k, v, "log_level", o.log_level) || field(k, v, "open_publish", o.open_publish) ||
           field(k, v, "web_root", o.web_root);
  });
  section("hls", [&](const std::string& k, const toml::node& v) {
    return field(k, v, "part_target", o.part_target_s) || field(k, v, "segment_target", o.segment_target_s) ||
           field(k, v, "window_segments", o.window_segments);
  });
  section("chat", [&](const std::string& k, const toml::node& v) {
    if (k == "origins") {
      const auto* arr = v.as_array();
      if (!arr || !arr->is_homogeneous(toml::node_type::string)) {
        if (err.empty()) err = path + ": config key 'origins' must be an array of strings";
        return true;
      }
      o.chat_origins.clear();
      for (const auto& e : *arr) o.chat_origins.push_back(*e.value<std::string>());
      return true;
    }
    return field(k, v, "secret", o.chat.secret) || field(k, v, "max_message_chars", o.chat.max_message_chars) ||
           field(k, v, "history_on_join", o.chat.history_on_join) ||
           field(k, v, "retention_count", o.chat.retention_count) ||
           field(k, v, "retention_age_s", o.chat.retention_age_s) ||
           field(k, v, "max_frame_bytes", o.chat_max_frame_bytes) || field(k, v, "send_queue", o.chat_send_queue) ||
           field(k, v, "write_delay_ms", o.chat_write_delay_ms) ||
           field(k, v, "max_connections_per_ip", o.chat_max_connections_per_ip) ||
           field(k, v, "session_msgs_burst", o.chat.session_msgs_burst) ||
           field(k, v, "session_msgs_per_s", o.chat.session_msgs_per_s) ||
           field(k, v, "user_msgs_burst", o.chat.user_msgs_burst) ||
           field(k, v, "user_msgs_per_s", o.chat.user_msgs_per_s) ||
           field(k, v, "reactions_burst", o.chat.reactions_burst) ||
           field(k, v, "reactions_per_s", o.chat.reactions_per_s) || field(k, v, "flood_strikes", o.chat.flood_strikes);
  });
  section("cluster", [&](const std::string& k, const toml::node& v) {
    if (k == "seeds") {
      const auto* arr = v.as_array();
      if (!arr || !arr->is_homogeneous(toml::node_type::string)) {
        if (err.empty()) err = path + ": config key 'seeds' must be an array of \"host:port\" strings";
        return true;
      }
      o.seeds.clear();
      for (const auto& e : *arr) o.seeds.push_back(*e.value<std::string>());
      return true;
    }
    return field(k, v, "secret", o.cluster_secret) || field(k, v, "region", o.region) || field(k, v, "zone", o.zone) ||
           field(k, v, "advertise", o.advertise) || field(k, v, "gossip_port", o.gossip_port) ||
           field(k, v, "caf_port", o.caf_port) || field(k, v, "drain_timeout_s", o.drain_timeout_s) ||
           field(k, v, "ca", o.cluster_ca) || field(k, v, "cert", o.cluster_cert) || field(k, v, "key", o.cluster_key);
  });
  section("transcode", [&](const std::string& k, const toml::node& v) {
    if (k == "ladder" || k == "audio_ladder") {
      const auto* arr = v.as_array();
      if (!arr || !arr->is_homogeneous(toml::node_type::string)) {
        if (err.empty()) err = path + ": config key '" + k + "' must be an array of strings";
        return true;
      }
      std::vector<std::string> specs;
      for (const auto& e : *arr) specs.push_back(*e.value<std::string>());
      if (specs.empty()) specs.push_back("none");
      auto e = k == "ladder" ? parse_video_ladder(specs, o.transcode.video_ladder)
                             : parse_audio_ladder(specs, o.transcode.audio_ladder);
      if (!e.empty() && err.empty()) err = path + ": " + e;
      return true;
    }
    return field(k, v, "max_ladders", o.transcode.max_ladders) ||
           field(k, v, "encoder_threads", o.transcode.encoder_threads) ||
           field(k, v, "max_lag_s", o.transcode.max_lag_s) ||
           field(k, v, "thumbnail_interval_s", o.transcode.thumbnail_interval_s) ||
           field(k, v, "thumbnail_width", o.transcode.thumbnail_width);
  });
  section("viewers", [&](const std::string& k, const toml::node& v) {
    return field(k, v, "idle_timeout_ms", o.viewer_timeout_ms);
  });
  return err;
}

std::string validate(const node_options& o) {
  if (o.part_target_s < 0.1 || o.part_target_s > 2.0) return "part target must be between 0.1 and 2 seconds";
  if (o.segment_target_s < 0.5 || o.segment_target_s > 10.0) return "segment target must be between 0.5 and 10 seconds";
  if (o.part_target_s > o.segment_target_s) return "part target must not exceed the segment target";
  if (o.window_segments < 3 || o.window_segments > 100) return "window must hold 3 to 100 segments";
  if (o.viewer_timeout_ms < 1000) return "viewer idle timeout must be at least 1000 ms";
  if (o.io_threads < 1 || o.io_threads > 64) return "io threads must be between 1 and 64";
  if (o.data_dir.empty()) return "data dir must not be empty";
  if (o.chat.max_message_chars < 1 || o.chat.max_message_chars > 10000) return "chat message limit must be 1 to 10000";
  if (o.chat_max_frame_bytes < 256 || o.chat_max_frame_bytes > (1u << 20))
    return "chat frame limit must be 256 bytes to 1 MiB";
  if (o.chat.max_message_chars * 4 + 128 > o.chat_max_frame_bytes)
    return "chat frame limit must hold a message of the maximum length (4 bytes per character + 128)";
  if (o.chat_send_queue < 16 || o.chat_send_queue > 65536) return "chat send queue must be 16 to 65536 frames";
  if (!(o.chat_write_delay_ms >= 0) || o.chat_write_delay_ms > 1000) return "chat write delay must be 0 to 1000 ms";
  for (double x : {o.chat.session_msgs_burst, o.chat.session_msgs_per_s, o.chat.user_msgs_burst, o.chat.user_msgs_per_s,
                   o.chat.reactions_burst, o.chat.reactions_per_s})
    if (!(x > 0) || x > 1e6) return "chat rate limits must be positive (and at most 1e6)";
  if (o.chat.flood_strikes < 1) return "chat flood_strikes must be at least 1";
  if (!o.seeds.empty() && o.cluster_secret.empty()) return "joining a cluster (--seeds) needs --cluster-secret";
  if (!o.cluster_secret.empty() && o.cluster_secret.size() < 16)
    return "the cluster secret must be at least 16 characters";
  for (const auto& seed : o.seeds)
    if (seed.rfind(':') == std::string::npos || seed.rfind(':') == 0 || seed.rfind(':') + 1 == seed.size())
      return "seeds are host:port, got '" + seed + "'";
  {
    const int given = !o.cluster_ca.empty() + !o.cluster_cert.empty() + !o.cluster_key.empty();
    if (given != 0 && given != 3) return "--cluster-ca, --cluster-cert and --cluster-key go together";
    if (given == 3 && o.cluster_secret.empty()) return "cluster certificates need --cluster-secret (gossip)";
  }
  if (o.drain_timeout_s > 86400) return "drain timeout must be at most 86400 s";
  if (o.region.empty() || o.region.size() > 64 || o.zone.empty() || o.zone.size() > 64)
    return "region and zone must be 1 to 64 characters";
  if (o.chat.history_on_join > 500) return "chat history on join must be at most 500";
  if (o.chat.retention_count < o.chat.history_on_join) return "chat retention must keep at least the join history";
  if (o.transcode.max_ladders > 256) return "max ladders must be at most 256";
  if (o.transcode.encoder_threads < 0 || o.transcode.encoder_threads > 64) return "encoder threads must be 0 to 64";
  if (!(o.transcode.max_lag_s >= 0.5) || o.transcode.max_lag_s > 60) return "transcoder max lag must be 0.5 to 60 s";
  if (o.transcode.thumbnail_interval_s != 0 &&
      (o.transcode.thumbnail_interval_s < 1 || o.transcode.thumbnail_interval_s > 3600))
    return "thumbnail interval must be 0 (off) or 1 to 3600 s";
  if (o.transcode.thumbnail_width < 16 || o.transcode.thumbnail_width > 3840 || o.transcode.thumbnail_width % 2)
    return "thumbnail width must be even, 16 to 3840";
  return {};
}

}  // namespace onair::actors
