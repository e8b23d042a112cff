#include "actors/cli.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "actors/node.hpp"
#include "actors/node_options.hpp"
#include "actors/remote_commands.hpp"
#include "actors/version.hpp"

namespace onair::actors {

int run_cli(int argc, char** argv) {
  // Logs go to stderr; stdout carries only what a script reads (the new token, the node's URLs).
  spdlog::set_default_logger(spdlog::stderr_color_mt("onair"));
  CLI::App app{"onair: self-hosted live-streaming node (RTMP in, Low-Latency HLS out)"};
  app.set_version_flag("--version", std::string("onair ") + version());
  app.require_subcommand(1);

  node_options opts;
  std::string config_file;
  auto* node = app.add_subcommand("node", "run a node (RocksDB in --data-dir, RTMP and HTTP listeners)");
  node->add_option("--config", config_file, "TOML config file (flags given on the command line win)")
      ->check(CLI::ExistingFile);
  node->add_option("--data-dir", opts.data_dir, "where the node keeps its database and admin token")
      ->capture_default_str();
  node->add_option("--bind", opts.bind_host, "address to listen on")->capture_default_str();
  node->add_option("--rtmp-port", opts.rtmp_port, "RTMP ingest port (0 = any free port)")->capture_default_str();
  node->add_option("--http-port", opts.http_port, "HTTP port: API, HLS, metrics (0 = any free port)")
      ->capture_default_str();
  node->add_option("--public-host", opts.public_host, "host name put in URLs handed to clients");
  node->add_option("--ready-file", opts.ready_file, "write {node_id, rtmp_port, http_port, pid} here once ready");
  node->add_option("--part-target", opts.part_target_s, "LL-HLS part duration in seconds")->capture_default_str();
  node->add_option("--segment-target", opts.segment_target_s, "HLS segment duration in seconds")
      ->capture_default_str();
  node->add_option("--window", opts.window_segments, "segments kept in the live playlist")->capture_default_str();
  node->add_option("--viewer-timeout-ms", opts.viewer_timeout_ms, "a viewer counts while it fetched this recently")
      ->capture_default_str();
  node->add_option("--io-threads", opts.io_threads, "network threads")->capture_default_str();
  node->add_flag("--open-publish", opts.open_publish,
                 "trusted networks only: any publish name creates a room with that id (like nginx-rtmp)");
  node->add_option("--web-root", opts.web_root, "directory of the browser app served at / (default: the build's web/dist)");
  node->add_option("--chat-secret", opts.chat.secret, "HS256 secret for chat JWTs (default: DATA/chat.secret)");
  node->add_option("--chat-origins", opts.chat_origins, "WebSocket Origin allow-list (default: any)")->delimiter(',');
  node->add_option("--chat-max-chars", opts.chat.max_message_chars, "longest chat message, in characters")
      ->capture_default_str();
  node->add_option("--chat-write-delay-ms", opts.chat_write_delay_ms,
                   "chat frames may wait this long to leave in one write per connection (0 = at once)")
      ->capture_default_str();
  node->add_option("--cluster-secret", opts.cluster_secret, "shared secret of the cluster (enables clustering)");
  node->add_option("--seeds", opts.seeds, "gossip host:port of members to join through")->delimiter(',');
  node->add_option("--region", opts.region, "this node's region (placement prefers a room's home region)")
      ->capture_default_str();
  node->add_option("--zone", opts.zone, "this node's zone within its region")->capture_default_str();
  node->add_option("--advertise", opts.advertise, "address other nodes and clients dial to reach this node");
  node->add_option("--gossip-port", opts.gossip_port, "UDP gossip port (0 = any free port)")->capture_default_str();
  node->add_option("--caf-port", opts.caf_port, "node-to-node actor port (0 = any free port)")->capture_default_str();
  node->add_option("--cluster-ca", opts.cluster_ca, "PEM CA that signs every node's link certificate (default: from the secret)");
  node->add_option("--cluster-cert", opts.cluster_cert, "PEM certificate of this node's CAF links");
  node->add_option("--cluster-key", opts.cluster_key, "PEM private key of --cluster-cert");
  node->add_option("--drain-timeout", opts.drain_timeout_s, "seconds a drain waits for publishers to end")
      ->capture_default_str();
  node->add_option("--log-level", opts.log_level, "trace, debug, info, warn, error")->capture_default_str();
  std::vector<std::string> ladder_specs;
  node->add_option("--ladder", ladder_specs, "video rungs name:height:kbps,... besides the source ('none' = passthrough only)")
      ->delimiter(',');
  std::vector<std::string> audio_ladder_specs;
  node->add_option("--audio-ladder", audio_ladder_specs, "audio-room rungs name:kbps,... ('none' = passthrough only)")
      ->delimiter(',');
  node->add_option("--max-ladders", opts.transcode.max_ladders, "ladders transcoded at once (0 = one per two cores)")
      ->capture_default_str();
  node->add_option("--thumbnail-interval", opts.transcode.thumbnail_interval_s, "seconds between thumbnails (0 = off)")
      ->capture_default_str();

  std::string token_dir = "./data", token_role, token_name;
  auto* token = app.add_subcommand("token", "manage API tokens");
  token->require_subcommand(1);
  auto* token_create = token->add_subcommand("create", "create an API token and print it (node must be stopped)");
  token_create->add_option("--data-dir", token_dir, "the node's data dir")->capture_default_str();
  token_create->add_option("--role", token_role, "dj (creates and runs own rooms) or admin")
      ->required()
      ->check(CLI::IsMember({"dj", "admin"}));
  token_create->add_option("--name", token_name, "who the token is for (shown as room owner)")->required();

  std::string jwt_dir = "./data", jwt_sub, jwt_name, jwt_role = "viewer";
  long jwt_ttl = 3600;
  auto* token_jwt = token->add_subcommand("jwt", "mint a chat JWT signed with the node's chat secret");
  token_jwt->add_option("--data-dir", jwt_dir, "the node's data dir (for DATA/chat.secret)")->capture_default_str();
  token_jwt->add_option("--sub", jwt_sub, "user id")->required();
  token_jwt->add_option("--name", jwt_name, "display name");
  token_jwt->add_option("--role", jwt_role, "viewer, moderator, dj or admin")
      ->check(CLI::IsMember({"viewer", "moderator", "dj", "admin"}))
      ->capture_default_str();
  token_jwt->add_option("--ttl", jwt_ttl, "seconds until it expires")->capture_default_str();

  drain_command drain_cmd;
  auto* drain = app.add_subcommand("drain", "take a running node out of service: its rooms move, then it exits");
  drain->add_option("--api", drain_cmd.api, "the node's HTTP base URL")->capture_default_str();
  drain->add_option("--token", drain_cmd.token, "admin API token (default: DATA/admin.token)");
  drain->add_option("--data-dir", drain_cmd.data_dir, "the node's data dir, for admin.token")->capture_default_str();
  drain->add_option("--node", drain_cmd.node, "node id to drain ('self' = the node --api reaches)")
      ->capture_default_str();
  drain->add_flag("--wait", drain_cmd.wait, "return once the node has stopped");
  drain->add_option("--wait-timeout", drain_cmd.wait_timeout_s, "seconds --wait waits at most")->capture_default_str();

  CLI11_PARSE(app, argc, argv);

  if (node->parsed()) {
    if (!ladder_specs.empty())
      if (auto err = parse_video_ladder(ladder_specs, opts.transcode.video_ladder); !err.empty()) {
        std::cerr << "onair: --ladder: " << err << "\n";
        return 2;
      }
    if (!audio_ladder_specs.empty())
      if (auto err = parse_audio_ladder(audio_ladder_specs, opts.transcode.audio_ladder); !err.empty()) {
        std::cerr << "onair: --audio-ladder: " << err << "\n";
        return 2;
      }
    if (!config_file.empty()) {
      // Re-apply the command line over the file: flags given explicitly win.
      node_options from_file;
      if (auto err = load_config_file(config_file, from_file); !err.empty()) {
        std::cerr << "onair: " << err << "\n";
        return 2;
      }
      auto merged = from_file;
      auto given = [&](const char* flag) { return node->count(flag) > 0; };
      if (given("--data-dir")) merged.data_dir = opts.data_dir;
      if (given("--bind")) merged.bind_host = opts.bind_host;
      if (given("--rtmp-port")) merged.rtmp_port = opts.rtmp_port;
      if (given("--http-port")) merged.http_port = opts.http_port;
      if (given("--public-host")) merged.public_host = opts.public_host;
      if (given("--ready-file")) merged.ready_file = opts.ready_file;
      if (given("--part-target")) merged.part_target_s = opts.part_target_s;
      if (given("--segment-target")) merged.segment_target_s = opts.segment_target_s;
      if (given("--window")) merged.window_segments = opts.window_segments;
      if (given("--viewer-timeout-ms")) merged.viewer_timeout_ms = opts.viewer_timeout_ms;
      if (given("--io-threads")) merged.io_threads = opts.io_threads;
      if (given("--log-level")) merged.log_level = opts.log_level;
      if (given("--open-publish")) merged.open_publish = opts.open_publish;
      if (given("--web-root")) merged.web_root = opts.web_root;
      if (given("--chat-secret")) merged.chat.secret = opts.chat.secret;
      if (given("--chat-origins")) merged.chat_origins = opts.chat_origins;
      if (given("--chat-max-chars")) merged.chat.max_message_chars = opts.chat.max_message_chars;
      if (given("--chat-write-delay-ms")) merged.chat_write_delay_ms = opts.chat_write_delay_ms;
      if (given("--cluster-secret")) merged.cluster_secret = opts.cluster_secret;
      if (given("--seeds")) merged.seeds = opts.seeds;
      if (given("--region")) merged.region = opts.region;
      if (given("--zone")) merged.zone = opts.zone;
      if (given("--advertise")) merged.advertise = opts.advertise;
      if (given("--gossip-port")) merged.gossip_port = opts.gossip_port;
      if (given("--caf-port")) merged.caf_port = opts.caf_port;
      if (given("--drain-timeout")) merged.drain_timeout_s = opts.drain_timeout_s;
      if (given("--cluster-ca")) merged.cluster_ca = opts.cluster_ca;
      if (given("--cluster-cert")) merged.cluster_cert = opts.cluster_cert;
      if (given("--cluster-key")) merged.cluster_key = opts.cluster_key;
      if (given("--ladder")) merged.transcode.video_ladder = opts.transcode.video_ladder;
      if (given("--audio-ladder")) merged.transcode.audio_ladder = opts.transcode.audio_ladder;
      if (given("--max-ladders")) merged.transcode.max_ladders = opts.transcode.max_ladders;
      if (given("--thumbnail-interval")) merged.transcode.thumbnail_interval_s = opts.transcode.thumbnail_interval_s;
      opts = merged;
    }
    if (auto err = validate(opts); !err.empty()) {
      std::cerr << "onair: invalid configuration: " << err << "\n";
      return 2;
    }
    return run_node(opts);
  }
  if (drain->parsed()) return run_drain(drain_cmd);
  if (token_create->parsed()) return create_token(token_dir, token_role, token_name);
  if (token_jwt->parsed()) return mint_chat_jwt(jwt_dir, jwt_sub, jwt_name, jwt_role, jwt_ttl);
  return 0;
}

}  // namespace onair::actors
