#pragma once
/// Everything an operator can set on a node; defaults and meanings are in docs/configuration.md.
#include <cstdint>
#include <string>
#include <vector>

#include "actors/chat_options.hpp"
#include "actors/transcode_options.hpp"

namespace onair::actors {

struct node_options {
  std::string data_dir = "./data";
  std::string bind_host = "0.0.0.0";
  std::uint16_t rtmp_port = 1935;  ///< 0 = any free port (reported in the ready file)
  std::uint16_t http_port = 8080;
  std::string public_host;         ///< host in URLs handed to clients; empty = the request's Host header
  std::string ready_file;          ///< JSON {node_id, rtmp_port, http_port, pid} written once accepting
  double part_target_s = 0.333;    ///< LL-HLS part duration target
  double segment_target_s = 2.0;   ///< segment duration target (cut at the next keyframe)
  std::size_t window_segments = 6; ///< segments kept in the playlist
  unsigned viewer_timeout_ms = 8000;  ///< a viewer counts while it fetched within this window
  unsigned io_threads = 2;         ///< Asio threads for RTMP + HTTP
  std::string log_level = "info";
  bool open_publish = false;       ///< trusted networks: an unknown publish name creates its room
  std::string web_root;            ///< the browser app's files; empty = the build's web/dist (docs/web.md)
  chat_options chat;               ///< chat limits, retention and the JWT secret
  // Cluster (docs/cluster.md). Without a cluster secret the node runs standalone: no gossip, no CAF port.
  std::string cluster_secret;      ///< HMAC key of every gossip packet; the same on every node
  std::vector<std::string> seeds;  ///< "host:port" gossip addresses of members to join through
  std::string region = "default";
  std::string zone = "default";
  std::string advertise;           ///< address other nodes dial; default: the bind address (127.0.0.1 for 0.0.0.0)
  std::uint16_t gossip_port = 7946;  ///< UDP; 0 = any free port
  std::uint16_t caf_port = 7947;     ///< CAF node-to-node; 0 = any free port
  /// TLS of the CAF links: an operator's own CA and this node's certificate and key (PEM files). Empty
  /// = made from the cluster secret at every start (docs/cluster.md, "Node links").
  std::string cluster_ca, cluster_cert, cluster_key;
  /// A drain (onair drain) waits this long for the node's publishers to end before closing them.
  unsigned drain_timeout_s = 60;
  std::vector<std::string> chat_origins;  ///< WebSocket Origin allow-list (empty = any origin)
  std::size_t chat_max_frame_bytes = 4096;   ///< larger WebSocket frames close the connection (1009)
  std::size_t chat_send_queue = 256;         ///< frames queued per chat connection before shedding
  double chat_write_delay_ms = 0;            ///< chat frames may wait this long to leave in one write
  std::size_t chat_max_connections_per_ip = 0;  ///< open chat connections per remote address (0 = no cap)
  transcode_options transcode;               ///< ladders, capacity, thumbnails ([transcode])
};

/// Parses "720p:720:2500" (name:height:kbps) rungs; "none" = no video rungs. Error message or "".
std::string parse_video_ladder(const std::vector<std::string>& specs, std::vector<media::video_rung>& out);
/// Parses "aac64:64" (name:kbps) rungs; "none" = no audio rungs. Error message or "".
std::string parse_audio_ladder(const std::vector<std::string>& specs, std::vector<media::audio_rung>& out);

/// Reads a TOML config file into `opts` (keys as in docs/configuration.md). Returns an error message,
/// or an empty string on success. Unknown keys are errors: a typo must not be silently ignored.
std::string load_config_file(const std::string& path, node_options& opts);

/// Checks ranges (e.g. part target 0.1..2 s, below the segment target). Empty string when valid.
std::string validate(const node_options& opts);

}  // namespace onair::actors
