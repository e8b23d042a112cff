// LL-HLS delivery (RFC 8216bis): master and media playlists, parts/segments/init from the published
// snapshot without copies, blocking playlist reload (6.2.5.2) and preload-hint parking.
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <functional>
#include <random>
#include <string>

#include "net/hls/steering.hpp"
#include "net/http/router.hpp"

namespace onair::net::http {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

namespace {

constexpr std::string_view playlist_content_type = "application/vnd.apple.mpegurl";
// Part, segment and init names are never reused (msn never resets), so they may be cached forever.
constexpr std::string_view immutable_cache = "public, max-age=31536000, immutable";
// Playlists change with every part: caches must revalidate every time.
constexpr std::string_view playlist_cache = "no-cache";

response not_found(std::string message) { return make_error_response(404, "not_found", std::move(message)); }
response bad_request(std::string message) { return make_error_response(400, "bad_request", std::move(message)); }

bool parse_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// The session id handed out with the master playlist: 128 random bits as hex. Not a secret (it only
/// groups one viewer's requests), so a per-thread PRNG seeded from random_device is enough.
std::string new_session_id() {
  thread_local std::mt19937_64 rng{(static_cast<std::uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string s(32, '0');
  for (int half = 0; half < 2; ++half) {
    auto v = rng();
    for (int i = 0; i < 16; ++i, v >>= 4) s[half * 16 + i] = hex[v & 0xf];
  }
  return s;
}

/// A client-supplied sid is reused only if it looks like one we could have issued (bounded, URL-safe).
bool valid_session_id(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char ch : s) {
    const bool ok = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '-' || ch == '_';
    if (!ok) return false;
  }
  return true;
}

/// Appends sid to every URI of a master playlist: variant URI lines (RFC 8216bis 4.4.6.2) and URI
/// attributes of EXT-X-MEDIA / EXT-X-I-FRAME-STREAM-INF tags (4.4.6.1, 4.4.6.3).
std::string rewrite_master(std::string_view master, std::string_view sid) {
  std::string out;
  out.reserve(master.size() + 64);
  while (!master.empty()) {
    const auto nl = master.find('\n');
    std::string_view line = master.substr(0, nl);
    master = nl == std::string_view::npos ? std::string_view{} : master.substr(nl + 1);
    const bool has_nl = nl != std::string_view::npos;
    std::string_view cr;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
      cr = "\r";
    }
    if (!line.empty() && line.front() != '#') {
      out += hls::with_session_id(line, sid);
    } else if (line.starts_with("#EXT-X-MEDIA:") || line.starts_with("#EXT-X-I-FRAME-STREAM-INF:")) {
      const auto at = line.find("URI=\"");
      const auto end = at == std::string_view::npos ? at : line.find('"', at + 5);
      if (end == std::string_view::npos) {
        out += line;
      } else {
        out += line.substr(0, at + 5);
        out += hls::with_session_id(line.substr(at + 5, end - at - 5), sid);
        out += line.substr(end);
      }
    } else {
      out += line;
    }
    out += cr;
    if (has_nl) out += '\n';
  }
  return out;
}

response playlist_response(const media::rendition_snapshot_ptr& snap) {
  // Served from the snapshot's own string: rendered once per update by the packager, shared by every
  // viewer (the body keeps the snapshot alive during the write).
  auto res = make_response(200, playlist_content_type, shared_buffer_body::value_type::share(snap, snap->playlist));
  res.set(bhttp::field::cache_control, to_beast(playlist_cache));
  return res;
}

std::string_view file_content_type(std::string_view name, bool audio_only) {
  if (ends_with(name, ".mp4") || ends_with(name, ".m4s")) return audio_only ? "audio/mp4" : "video/mp4";
  if (ends_with(name, ".m4a")) return "audio/mp4";
  if (ends_with(name, ".m3u8")) return playlist_content_type;
  return "application/octet-stream";
}

response file_response(const std::string& name, const media::bytes_view& view, bool audio_only) {
  // The body keeps the shared buffer alive and points into it: no copy per viewer.
  shared_buffer_body::value_type body{view.owner,
                                      view.owner ? reinterpret_cast<const char*>(view.owner->data() + view.offset)
                                                 : nullptr,
                                      view.owner ? view.size : 0};
  auto res = make_response(200, file_content_type(name, audio_only), std::move(body));
  res.set(bhttp::field::cache_control, to_beast(immutable_cache));
  return res;
}

/// "part{M}.{P}.m4s" → (M, P).
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_part_name(std::string_view name) {
  if (!name.starts_with("part") || !ends_with(name, ".m4s")) return std::nullopt;
  name = name.substr(4, name.size() - 8);
  const auto dot = name.find('.');
  std::uint64_t msn = 0, part = 0;
  if (dot == std::string_view::npos || !parse_u64(name.substr(0, dot), msn) || !parse_u64(name.substr(dot + 1), part))
    return std::nullopt;
  return std::make_pair(msn, part);
}

void report_activity(const std::shared_ptr<connection>& c, const request& req, const std::string& room,
                     std::string session) {
  if (session.empty()) {
    // Players that fetch a media playlist directly carry no sid: fall back to ip|user-agent.
    session = c->remote_ip();
    session += '|';
    if (auto it = req.find(bhttp::field::user_agent); it != req.end()) session += to_std(it->value()).substr(0, 256);
  }
  auto& srv = c->srv();
  if (srv.throttle.should_report(room, session, std::chrono::steady_clock::now()))
    srv.viewers.on_viewer_activity(room, session);
}

std::chrono::steady_clock::duration park_timeout(const server_options& opts, const media::rendition_snapshot& snap) {
  // RFC 8216bis 6.2.5.2: a server SHOULD answer 503 if the playlist is not updated within three
  // times the target duration (the factor is configurable).
  const double s = std::max(0.05, opts.blocking_reload_timeout_factor * snap.target_duration_s);
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
}

/// A request parked until a publish of (room, rendition) satisfies `check`, or until the timeout.
/// All state lives on the connection's strand; index waiters post back into it.
class parked_request final : public pending_op, public std::enable_shared_from_this<parked_request> {
 public:
  /// Returns the response once the snapshot satisfies the request, or nullopt to keep waiting.
  using check_fn = std::function<std::optional<response>(const media::rendition_snapshot_ptr&)>;

  parked_request(std::shared_ptr<connection> c, std::string room, std::string rendition, check_fn check,
                 std::string timeout_message)
      : conn_(std::move(c)),
        room_(std::move(room)),
        rendition_(std::move(rendition)),
        check_(std::move(check)),
        timeout_message_(std::move(timeout_message)),
        timer_(conn_->executor()) {}

  void start(std::chrono::steady_clock::duration timeout) {
    conn_->set_pending(shared_from_this());
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->on_timeout();
    });
    arm();
  }

  void cancel() override {
    if (done_) return;
    done_ = true;
    conn_->srv().index.cancel(wait_id_);
    timer_.cancel();
    conn_.reset();  // break the connection → pending → connection cycle
  }

 private:
  void arm() {
    auto& index = conn_->srv().index;
    auto exec = conn_->executor();
    wait_id_ = index.wait(room_, rendition_, [self = shared_from_this(), exec](media::rendition_snapshot_ptr snap) {
      // Called on the publisher's thread: hop into the connection's strand.
      asio::post(exec, [self, snap = std::move(snap)] { self->on_publish(snap); });
    });
    // A publish between our last look and wait() would be missed: look once more.
    auto now = index.find(room_, rendition_);
    if (!now) return;
    if (auto res = check_(now)) {
      index.cancel(wait_id_);  // if it already fired, on_publish sees done_ and returns
      finish(std::move(*res));
    }
  }

  void on_publish(const media::rendition_snapshot_ptr& snap) {
    if (done_) return;
    if (!snap) return finish(not_found("room removed"));
    if (auto res = check_(snap)) return finish(std::move(*res));
    arm();  // RFC 8216bis 6.2.5.2: not there yet, keep holding the request
  }

  void on_timeout() {
    if (done_) return;
    conn_->srv().index.cancel(wait_id_);
    finish(make_error_response(503, "service_unavailable", timeout_message_));
  }

  void finish(response res) {
    done_ = true;
    timer_.cancel();
    auto c = std::move(conn_);
    c->respond(std::move(res));
  }

  std::shared_ptr<connection> conn_;
  std::string room_;
  std::string rendition_;
  check_fn check_;
  std::string timeout_message_;
  asio::steady_timer timer_;
  std::uint64_t wait_id_ = 0;
  bool done_ = false;
};

/// The steering table's current view; an empty one when the server has no table (a test server).
std::shared_ptr<const hls::steering_view> steering_view(const std::shared_ptr<connection>& c) {
  if (const auto& table = c->srv().steering) return table->view();
  static const auto none = std::make_shared<const hls::steering_view>();
  return none;
}

/// "/hls/{room}/" as the client wrote it (still percent-encoded), for absolute URIs on other nodes.
std::string room_dir(const request& req) {
  const auto path = split_target(to_std(req.target())).first;
  return std::string(path.substr(0, path.rfind('/') + 1));
}

void serve_master(const std::shared_ptr<connection>& c, const request& req, const std::string& room,
                  const query_params& q) {
  auto master = c->srv().index.master(room);
  if (!master) return c->respond(not_found("unknown room or no master playlist yet"));
  const auto steering = steering_view(c);
  if (steering->self_draining) {
    // A draining node takes no new viewers (docs/hls-steering.md, "Drain"): a new master request goes to
    // the same path and query on the first healthy node; players follow the redirect and resolve the
    // master's relative URIs against where it led (hls.js uses the response URL). Viewers that already
    // play keep their media playlists here until the steering manifest moves them.
    if (const auto* to = steering->first_other()) {
      auto res = make_empty_response(307);
      res.set(bhttp::field::location, to->base_url + std::string(to_std(req.target())));
      res.set(bhttp::field::cache_control, "no-store");  // the answer changes with the drain
      return c->respond(std::move(res));
    }
  }
  const auto* given = q.find("sid");
  std::string sid = given && valid_session_id(*given) ? *given : new_session_id();
  report_activity(c, req, room, sid);
  // A lone node's master stays byte for byte what the packager wrote, plus sids.
  auto body = steering->steered() ? hls::steer_master(*master, sid, *steering, room_dir(req)) : rewrite_master(*master, sid);
  auto res = make_response(200, playlist_content_type, shared_buffer_body::value_type::from_string(std::move(body)));
  res.set(bhttp::field::cache_control, to_beast(playlist_cache));
  c->respond(std::move(res));
}

/// GET /hls/{room}/steering.json: the steering manifest (RFC 8216bis 4.4.6.6 SERVER-URI). Players add
/// _HLS_pathway and _HLS_throughput (hls.js does); they are accepted and do not change the answer: the
/// order is this node's view of the cluster. Not a viewer's activity: it says nothing about which node
/// the player fetches media from.
void serve_steering(const std::shared_ptr<connection>& c, const request& req, const std::string& room,
                    const query_params& q) {
  if (!c->srv().index.master(room)) return c->respond(not_found("unknown room or no master playlist yet"));
  const auto* given = q.find("sid");
  const std::string sid = given && valid_session_id(*given) ? *given : std::string{};
  const auto steering = steering_view(c);
  auto res = make_json_response(200, hls::steering_manifest(*steering, room_dir(req), sid));
  // Reloaded every TTL; a cache in between must not hand out an old priority (a dead node first).
  res.set(bhttp::field::cache_control, "no-cache");
  c->respond(std::move(res));
}

void serve_media_playlist(const std::shared_ptr<connection>& c, const request& req, const std::string& room,
                          const std::string& rendition, const query_params& q) {
  auto snap = c->srv().index.find(room, rendition);
  if (!snap) return c->respond(not_found("unknown room or rendition"));
  const auto* sid = q.find("sid");
  report_activity(c, req, room, sid && valid_session_id(*sid) ? *sid : std::string{});

  const auto* msn_s = q.find("_HLS_msn");
  const auto* part_s = q.find("_HLS_part");
  // RFC 8216bis 6.2.5.2: _HLS_part without _HLS_msn is a Bad Request.
  if (part_s && !msn_s) return c->respond(bad_request("_HLS_part requires _HLS_msn"));
  if (!msn_s) return c->respond(playlist_response(snap));
  std::uint64_t msn = 0, part_u = 0;
  if (!parse_u64(*msn_s, msn)) return c->respond(bad_request("_HLS_msn must be a non-negative integer"));
  if (part_s && (!parse_u64(*part_s, part_u) || part_u > (1u << 30)))
    return c->respond(bad_request("_HLS_part must be a non-negative integer"));
  const std::int64_t part = part_s ? static_cast<std::int64_t>(part_u) : -1;

  // An ended playlist will never change: answer at once (RFC 8216bis 6.2.5.2, EXT-X-ENDLIST).
  if (snap->ended || snap->has(msn, part)) return c->respond(playlist_response(snap));

  // RFC 8216bis 6.2.5.2: more than two segments beyond the last Media Segment (next_msn - 1, the last
  // complete one) → 400 at once. So msn may be at most next_msn + 1.
  if (msn > snap->next_msn + 1) return c->respond(bad_request("_HLS_msn is more than two segments ahead of the playlist"));
  // ... and a part beyond the last Partial Segment by more than the Advance Part Limit (3 / PART-TARGET
  // when PART-TARGET < 1 s, else 3).
  if (part >= 0) {
    const double pt = snap->part_target_s;
    const std::int64_t limit = pt > 0 && pt < 1 ? static_cast<std::int64_t>(std::floor(3.0 / pt)) : 3;
    const std::int64_t last_part = static_cast<std::int64_t>(snap->next_part) - 1;
    const bool too_far = msn == snap->next_msn ? part > last_part + limit : part > limit;
    if (too_far) return c->respond(bad_request("_HLS_part is beyond the Advance Part Limit"));
  }

  auto check = [msn, part](const media::rendition_snapshot_ptr& s) -> std::optional<response> {
    if (s->ended || s->has(msn, part)) return playlist_response(s);
    return std::nullopt;
  };
  std::make_shared<parked_request>(c, room, rendition, std::move(check),
                                   "playlist did not reach the requested segment/part in time")
      ->start(park_timeout(c->srv().opts, *snap));
}

void serve_file(const std::shared_ptr<connection>& c, const std::string& room, const std::string& rendition,
                const std::string& name) {
  auto snap = c->srv().index.find(room, rendition);
  if (!snap) return c->respond(not_found("unknown room or rendition"));
  if (auto it = snap->files.find(name); it != snap->files.end())
    return c->respond(file_response(name, it->second, snap->audio_only));

  // LL-HLS clients fetch the EXT-X-PRELOAD-HINT part (RFC 8216bis 4.4.5.3) before it exists: hold the
  // request for exactly that part until the packager publishes it.
  const auto hinted = parse_part_name(name);
  const bool is_hint = hinted && hinted->first == snap->next_msn && hinted->second == snap->next_part && !snap->ended;
  if (!is_hint) return c->respond(not_found("no such file (unknown or expired)"));

  const auto msn = hinted->first;
  const auto part = hinted->second;
  auto check = [name, msn, part](const media::rendition_snapshot_ptr& s) -> std::optional<response> {
    if (auto it = s->files.find(name); it != s->files.end()) return file_response(name, it->second, s->audio_only);
    if (!s->ended && s->next_msn == msn && s->next_part == part) return std::nullopt;  // still the hint
    return not_found("hinted part was never produced");
  };
  std::make_shared<parked_request>(c, room, rendition, std::move(check), "hinted part not produced in time")
      ->start(park_timeout(c->srv().opts, *snap));
}

}  // namespace

void handle_hls(const std::shared_ptr<connection>& c, const request& req, const std::vector<std::string>& seg,
                std::string_view query) {
  if (req.method() != bhttp::verb::get && req.method() != bhttp::verb::head)
    return c->respond(method_not_allowed("GET, HEAD, OPTIONS"));
  auto q = parse_query(query);
  if (!q) return c->respond(bad_request("malformed query string"));
  for (const auto& s : seg)
    if (s.empty() || s == "." || s == "..") return c->respond(not_found("no such HLS resource"));

  if (seg.size() == 2 && seg[1] == "master.m3u8") return serve_master(c, req, seg[0], *q);
  if (seg.size() == 2 && seg[1] == "steering.json") return serve_steering(c, req, seg[0], *q);
  if (seg.size() == 3 && seg[2] == "index.m3u8") return serve_media_playlist(c, req, seg[0], seg[1], *q);
  if (seg.size() == 3) return serve_file(c, seg[0], seg[1], seg[2]);
  c->respond(not_found("no such HLS resource"));
}

}  // namespace onair::net::http
