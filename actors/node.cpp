#include "actors/node.hpp"

#include <algorithm>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <csignal>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include "actors/api_gateway.hpp"
#include "actors/chat_session_actor.hpp"
#include "actors/cluster_actor.hpp"
#include "actors/cluster_types.hpp"
#include "actors/directory_actor.hpp"
#include "actors/file_util.hpp"
#include "actors/ingest_gateway.hpp"
#include "actors/link_tls.hpp"
#include "actors/messages.hpp"
#include "actors/node_metrics.hpp"
#include "actors/room_rules.hpp"
#include "actors/storage_actor.hpp"
#include "actors/version.hpp"
#include "actors/viewer_session_actor.hpp"
#include "cluster/gossip_node.hpp"
#include "media/digest.hpp"
#include "media/transcoder.hpp"
#include "net/chat/chat_handler.hpp"
#include "net/chat/ws_options.hpp"
#include "net/hls/hls_index.hpp"
#include "net/http/http_server.hpp"
#include "net/io_runtime.hpp"
#include "net/rtmp/rtmp_server.hpp"
#include "storage/store.hpp"

namespace onair::actors {

namespace fs = std::filesystem;

namespace {

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04x}", c);
    else out += c;
  }
  return out;
}

std::string read_or_create_node_id(const fs::path& dir) {
  auto p = dir / "node.id";
  std::ifstream in(p);
  std::string id;
  if (in >> id && !id.empty()) return id;
  id = "node-" + media::random_secret(6);
  write_atomically(p, id + "\n", fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  return id;
}

/// First start: no admin token exists yet (DJ tokens may have been made with the CLI before), so mint one
/// and leave it only in D/admin.token (0600).
bool ensure_admin_token(storage::store& db, const fs::path& dir) {
  std::vector<storage::token_record> tokens;
  if (auto ec = db.list_tokens(tokens)) {
    spdlog::error("cannot read tokens: {}", ec.message());
    return false;
  }
  if (std::any_of(tokens.begin(), tokens.end(), [](const auto& t) { return t.role == "admin"; })) return true;
  auto token = "oat_" + media::random_secret(32);
  storage::token_record rec{"admin", "admin", media::sha256_hex(token), now_ms()};
  if (!write_atomically(dir / "admin.token", token + "\n", fs::perms::owner_read | fs::perms::owner_write)) {
    spdlog::error("cannot write {}", (dir / "admin.token").string());
    return false;
  }
  if (auto ec = db.put_token(rec)) {
    spdlog::error("cannot store the admin token: {}", ec.message());
    return false;
  }
  return true;
}

/// The chat JWT secret: configured, or D/chat.secret (0600), created on first start.
std::string chat_secret(const fs::path& dir, bool create) {
  auto p = dir / "chat.secret";
  std::ifstream in(p);
  std::string secret;
  if (in >> secret && !secret.empty()) return secret;
  if (!create) return {};
  secret = media::random_secret(32);
  if (!write_atomically(p, secret + "\n", fs::perms::owner_read | fs::perms::owner_write)) return {};
  return secret;
}

std::unique_ptr<storage::store> open_store(const std::string& data_dir) {
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) {
    spdlog::error("cannot create data dir {}: {}", data_dir, ec.message());
    return nullptr;
  }
  auto db = storage::store::open((fs::path(data_dir) / "db").string(), ec);
  if (!db) {
    if (ec == storage::errc::locked)
      spdlog::error("data dir {} is in use by another onair process", data_dir);
    else
      spdlog::error("cannot open the database in {}: {}", data_dir, ec.message());
  }
  return db;
}

}  // namespace

int run_node(const node_options& opts) {
  spdlog::set_level(spdlog::level::from_str(opts.log_level));
  media::quiet_codec_logs();
  // Every viewer, chatter and publisher is a socket: a full room (10,000 chatters) needs more than the
  // usual soft limit of 1024 descriptors, so take what the hard limit allows.
  if (rlimit lim{}; getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0) spdlog::warn("cannot raise the open-file limit");
  }
  // Signals go to the thread that calls sigwait below, never to a worker thread started after this.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  std::shared_ptr<storage::store> db = open_store(opts.data_dir);
  if (!db) return 1;
  const fs::path dir = opts.data_dir;
  const auto node_id = read_or_create_node_id(dir);
  if (!ensure_admin_token(*db, dir)) return 1;
  std::vector<storage::room_record> rooms;
  if (auto ec = db->list_rooms(rooms)) {
    spdlog::error("cannot load rooms: {}", ec.message());
    return 1;
  }

  auto chat = std::make_shared<chat_options>(opts.chat);
  if (chat->secret.empty()) chat->secret = chat_secret(dir, true);
  if (chat->secret.empty()) {
    spdlog::error("cannot create {}", (dir / "chat.secret").string());
    return 1;
  }

  const bool clustered = !opts.cluster_secret.empty();
  caf::actor_system_config cfg;
  cfg.load<caf::io::middleman>();
  if (clustered) {
    if (auto err = configure_link_tls(cfg, opts, dir, node_id); !err.empty()) {
      spdlog::error("cluster links: {}", err);
      return 1;
    }
  }
  // CAF's default work-stealing workers poll with short sleeps between messages: at ingest rates (tens of
  // frames per second per stream) that alone cost ~20 % of a core per node. Shared-queue workers block
  // on a condition variable instead (measured in docs/benchmarks.md).
  cfg.set("scheduler.policy", caf::atom("sharing"));
  // Heartbeats on every node (off by default in CAF 0.17, so a frozen peer would never be noticed);
  // the connection timeout only works when the peer sends heartbeats too (toolchain.md section 4).
  cfg.set("middleman.heartbeat-interval", caf::timespan{std::chrono::milliseconds(1000)});
  cfg.set("middleman.connection-timeout", caf::timespan{std::chrono::milliseconds(5000)});
  add_cluster_types(cfg);
  // Declared before the actor system so it is destroyed after it: the system's destructor waits for
  // every actor, and actors hold WebSocket sinks and RTMP kick functions that need a live io_context.
  net::io_runtime io(opts.io_threads);
  caf::actor_system sys{cfg};
  auto metrics = std::make_shared<node_metrics>();
  auto index = std::make_shared<net::hls::index>();
  auto storage_actor = spawn_storage_actor(sys, db);
  room_deps deps;
  deps.node_id = node_id;
  deps.region = opts.region;
  deps.storage = storage_actor;
  deps.index = index;
  deps.metrics = metrics;
  deps.packager.part_target_s = opts.part_target_s;
  deps.packager.segment_target_s = opts.segment_target_s;
  deps.packager.window_segments = opts.window_segments;
  deps.chat = chat;
  deps.transcode = std::make_shared<transcode_options>(opts.transcode);
  const unsigned ladders = opts.transcode.max_ladders > 0
                               ? opts.transcode.max_ladders
                               : std::max(1u, std::thread::hardware_concurrency() / 2);
  deps.budget = std::make_shared<transcode_budget>(ladders);
  deps.drain_timeout = std::chrono::seconds(opts.drain_timeout_s);
  // A finished drain ends the process the way an operator's SIGTERM does (graceful leave below); the
  // signal is blocked in every thread and taken by the sigwait at the end of this function.
  deps.on_drained = [] { ::kill(::getpid(), SIGTERM); };
  const auto room_count = rooms.size();
  auto directory = spawn_directory_actor(sys, std::move(rooms), deps);
  auto registry = spawn_viewer_registry(sys, directory, std::chrono::milliseconds(opts.viewer_timeout_ms));
  cluster::member me;
  me.node_id = node_id;
  me.region = opts.region;
  me.zone = opts.zone;
  me.ep.host = !opts.advertise.empty() ? opts.advertise
               : opts.bind_host == "0.0.0.0" || opts.bind_host == "::" ? "127.0.0.1"
                                                                        : opts.bind_host;
  // Filled by the cluster actor, read by the HTTP server (docs/hls-steering.md).
  auto steering = std::make_shared<net::hls::steering_table>();
  cluster_deps cluster_wiring{directory, nullptr, me};
  cluster_wiring.steering = steering;
  auto cluster_actor = spawn_cluster_actor(sys, std::move(cluster_wiring));
  caf::anon_send(directory, cluster_atom::value, cluster_actor);
  std::shared_ptr<cluster::gossip_node> gossip;
  auto stop_actors = [&] {
    // A published actor keeps the process alive until it exits (toolchain.md section 4).
    for (auto& a : {cluster_actor, registry, directory, storage_actor})
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  };

  ingest_gateway ingest(sys, directory, metrics, opts.open_publish);
  if (opts.open_publish) spdlog::warn("open-publish mode: anyone who reaches the RTMP port can publish");
  viewer_tracker viewers(registry);
  net::rtmp::server rtmp(io, net::rtmp::server_options{}, ingest);
  if (auto ec = rtmp.listen(opts.bind_host, opts.rtmp_port)) {
    spdlog::error("cannot listen for RTMP on {}:{}: {}", opts.bind_host, opts.rtmp_port, ec.message());
    stop_actors();
    return 1;
  }
  api_gateway api(sys, directory, storage_actor, cluster_actor, metrics, node_id,
                  public_endpoints{opts.public_host, rtmp.port(), opts.http_port});
  net::http::server_options http_opts;
  http_opts.web_root = opts.web_root.empty() ? net::http::default_web_root() : opts.web_root;
  if (!fs::exists(fs::path(http_opts.web_root) / "index.html"))
    spdlog::warn("web app not built in {}: / answers 404 until `npm run build` in web/", http_opts.web_root);
  net::http::server http(io, http_opts, api, *index, viewers);
  http.set_steering(steering);
  chat_gateway chat_gw(sys, chat_session_deps{directory, storage_actor, chat, metrics, registry});
  net::chat::ws_options ws;
  ws.max_frame_bytes = opts.chat_max_frame_bytes;
  ws.send_queue_frames = opts.chat_send_queue;
  ws.write_delay_s = opts.chat_write_delay_ms / 1000.0;
  ws.max_connections_per_ip = opts.chat_max_connections_per_ip;
  ws.origin_allow_list = opts.chat_origins;
  http.set_chat(chat_gw, ws);
  metrics->chat_transport = http.chat_stats_source();
  if (auto ec = http.listen(opts.bind_host, opts.http_port)) {
    spdlog::error("cannot listen for HTTP on {}:{}: {}", opts.bind_host, opts.http_port, ec.message());
    rtmp.stop();
    stop_actors();
    return 1;
  }
  api.set_http_port(http.port());  // port 0 resolved; io threads have not started yet
  me.ep.rtmp = rtmp.port();
  me.ep.http = http.port();

  if (clustered) {
    // Only through TLS with a certificate of this cluster's CA (actors/link_tls.hpp): without one, a
    // peer's connection ends in the handshake, before CAF reads any message from it.
    auto caf_port = caf::openssl::publish(cluster_actor, opts.caf_port, opts.bind_host.c_str(), true);
    if (!caf_port) {
      spdlog::error("cannot open the CAF port {}: {}", opts.caf_port, caf::to_string(caf_port.error()));
      http.stop();
      rtmp.stop();
      stop_actors();
      return 1;
    }
    me.ep.caf = *caf_port;
    cluster::gossip_options gopts;
    gopts.bind_host = opts.bind_host;
    gopts.port = opts.gossip_port;
    gopts.secret = opts.cluster_secret;
    gopts.seeds = opts.seeds;
    gossip = std::make_shared<cluster::gossip_node>(gopts, me);
    gossip->set_event_handler([cluster_actor](const cluster::member_event& ev) { caf::anon_send(cluster_actor, ev); });
    if (auto ec = gossip->start()) {
      spdlog::error("cannot start gossip on {}:{}: {}", opts.bind_host, opts.gossip_port, ec.message());
      http.stop();
      rtmp.stop();
      stop_actors();
      return 1;
    }
    me = gossip->self();
    spdlog::info("cluster: node {} in {}/{}, gossip {}:{}, CAF port {}", node_id, me.region, me.zone, me.ep.host,
                 me.ep.gossip, me.ep.caf);
  }
  caf::anon_send(cluster_actor, update_atom::value, gossip, me);
  io.start();

  const auto show_host = opts.public_host.empty() ? std::string("localhost") : opts.public_host;
  if (!opts.ready_file.empty()) {
    auto ready = fmt::format(
        R"({{"node_id":"{}","rtmp_port":{},"http_port":{},"gossip_port":{},"caf_port":{},"pid":{},"data_dir":"{}"}})",
        json_escape(node_id), rtmp.port(), http.port(), me.ep.gossip, me.ep.caf, getpid(),
        json_escape(fs::absolute(dir).string()));
    if (!write_atomically(opts.ready_file, ready + "\n", fs::perms::owner_read | fs::perms::owner_write |
                                                              fs::perms::group_read | fs::perms::others_read))
      spdlog::error("cannot write ready file {}", opts.ready_file);
  }
  const auto http_base = fmt::format("http://{}:{}", show_host, http.port());
  std::cout << fmt::format("onair {} node {} ready ({} rooms)\n", version(), node_id, room_count)
            << fmt::format("  RTMP ingest : rtmp://{}:{}/live/<stream key>\n", show_host, rtmp.port())
            << fmt::format("  web app     : {}/\n", http_base)
            << fmt::format("  HTTP API    : {}/api/rooms\n", http_base)
            << fmt::format("  LL-HLS      : {}/hls/<room id>/master.m3u8\n", http_base)
            << fmt::format("  chat        : ws://{}:{}/ws/rooms/<room id>/chat\n", show_host, http.port())
            << fmt::format("  metrics     : {}/metrics\n", http_base)
            << fmt::format("  admin token : {} (created on first start; keep it secret)\n",
                           (fs::absolute(dir) / "admin.token").string())
            << std::flush;

  int sig = 0;
  sigwait(&sigs, &sig);
  spdlog::info("signal {}: shutting down", sig);

  // Order matters: tell the cluster we leave (not a failure), no new publishers, every room writes its
  // state, then no new HTTP requests.
  if (gossip) gossip->leave(std::chrono::milliseconds(500));
  rtmp.stop();
  {
    caf::scoped_actor self{sys};
    self->request(directory, std::chrono::seconds(15), shutdown_atom::value)
        .receive([]() {},
                 [](caf::error& err) { spdlog::error("shutdown: rooms not confirmed: {}", caf::to_string(err)); });
  }
  http.stop();
  io.stop();
  stop_actors();
  gossip.reset();
  if (!opts.ready_file.empty()) {
    std::error_code ec;
    fs::remove(opts.ready_file, ec);
  }
  spdlog::info("stopped");
  return 0;
}

int mint_chat_jwt(const std::string& data_dir, const std::string& sub, const std::string& name, const std::string& role,
                  long ttl_s) {
  auto secret = chat_secret(data_dir, false);
  if (secret.empty()) {
    std::cerr << "onair: no chat secret in " << data_dir << " (start the node once, or pass the node's --chat-secret)\n";
    return 1;
  }
  net::chat::jwt_claims c{sub, name.empty() ? sub : name, role, now_ms() / 1000 + ttl_s};
  std::cout << net::chat::sign_jwt(c, secret) << "\n";
  return 0;
}

int create_token(const std::string& data_dir, const std::string& role, const std::string& name) {
  if (role != "dj" && role != "admin") {
    std::cerr << "onair: --role must be dj or admin\n";
    return 2;
  }
  if (name.empty() || name.size() > 100) {
    std::cerr << "onair: --name must be 1 to 100 characters\n";
    return 2;
  }
  auto db = open_store(data_dir);
  if (!db) return 1;
  auto token = "oat_" + media::random_secret(32);
  storage::token_record rec{name, role, media::sha256_hex(token), now_ms()};
  if (auto ec = db->put_token(rec)) {
    std::cerr << "onair: cannot store the token: " << ec.message() << "\n";
    return 1;
  }
  std::cout << token << "\n";
  return 0;
}

}  // namespace onair::actors
