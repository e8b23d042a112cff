// REST API routes (docs/api.md): JSON ⇄ typed requests, validation, and the call into api_handler.
#include <atomic>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <cctype>
#include <exception>
#include <string>
#include <vector>

#include "net/http/api_json.hpp"
#include "net/http/router.hpp"
#include "net/http/server_impl.hpp"
#include "net/hls/hls_index.hpp"

namespace onair::net::http {

namespace bhttp = boost::beast::http;

namespace {

response error_response(const api::error& e) {
  auto res = make_error_response(e);
  // RFC 6750 3: a 401 for a bearer-protected resource names the scheme.
  if (res.result_int() == 401) res.set(bhttp::field::www_authenticate, "Bearer");
  return res;
}

/// Builds an api_handler reply that renders `T` with `render` and answers on the connection's strand.
/// Guards against a handler answering twice.
template <class T, class Render>
api::api_handler::reply<T> reply_with(const std::shared_ptr<connection>& c, Render render) {
  auto fired = std::make_shared<std::atomic<bool>>(false);
  return [c, seq = c->request_seq(), render = std::move(render), fired](api::result<T> r) {
    if (fired->exchange(true)) return;
    if (auto* e = std::get_if<api::error>(&r)) return c->respond_async(seq, error_response(*e));
    c->respond_async(seq, render(std::get<T>(r)));
  };
}

auto render_room(unsigned status) {
  return [status](const api::room_view& r) {
    auto res = make_json_response(status, to_json(r));
    if (status == 201) res.set(bhttp::field::location, "/api/rooms/" + r.id);
    return res;
  };
}

/// RFC 6750 2.1: "Authorization: Bearer <token68>". Absent → empty token (the handler decides whether
/// that is allowed); present but malformed → 401 here.
api::result<std::string> bearer_token(const request& req) {
  const auto it = req.find(bhttp::field::authorization);
  if (it == req.end()) return std::string{};
  std::string_view v = to_std(it->value());
  const auto sp = v.find(' ');
  if (sp == std::string_view::npos || !iequals(v.substr(0, sp), "bearer"))
    return make_error(401, "unauthorized", "malformed Authorization header: expected \"Bearer <token>\"");
  auto token = v.substr(sp + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return make_error(401, "unauthorized", "malformed Authorization header: empty token");
  for (char ch : token) {
    const auto u = static_cast<unsigned char>(ch);
    const bool token68 = std::isalnum(u) || ch == '-' || ch == '.' || ch == '_' || ch == '~' || ch == '+' ||
                         ch == '/' || ch == '=';
    if (!token68) return make_error(401, "unauthorized", "malformed Authorization header: invalid token characters");
  }
  return std::string(token);
}

/// The Host header without its port ("[::1]:8080" → "[::1]").
std::string host_without_port(const request& req) {
  const auto it = req.find(bhttp::field::host);
  if (it == req.end()) return {};
  std::string_view h = to_std(it->value());
  if (!h.empty() && h.front() == '[') {
    const auto close = h.find(']');
    return std::string(close == std::string_view::npos ? h : h.substr(0, close + 1));
  }
  return std::string(h.substr(0, h.find(':')));
}

/// RFC 9110 8.3: accept "application/json" with any parameters (charset=utf-8), case-insensitively.
bool is_json(const request& req) {
  const auto it = req.find(bhttp::field::content_type);
  if (it == req.end()) return false;
  std::string_view v = to_std(it->value());
  v = v.substr(0, v.find(';'));
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  return iequals(v, "application/json");
}

response unsupported_media_type() {
  auto res = make_error_response(415, "unsupported_media_type", "request body must be application/json");
  return res;
}

}  // namespace

void handle_metrics(const std::shared_ptr<connection>& c) {
  auto& api = c->srv().api;
  auto fired = std::make_shared<std::atomic<bool>>(false);
  try {
    api.metrics([c, seq = c->request_seq(), fired](api::result<std::string> r) {
      if (fired->exchange(true)) return;
      if (auto* e = std::get_if<api::error>(&r)) return c->respond_async(seq, error_response(*e));
      auto res = make_response(200, "text/plain; version=0.0.4; charset=utf-8",
                               shared_buffer_body::value_type::from_string(std::move(std::get<std::string>(r))));
      res.set(bhttp::field::cache_control, "no-store");
      c->respond_async(seq, std::move(res));
    });
  } catch (const std::exception&) {
    c->respond(make_error_response(500, "internal", "metrics failed"));
  }
}

void handle_api(const std::shared_ptr<connection>& c, const request& req, const std::vector<std::string>& seg,
                std::string_view query) {
  const auto method = req.method();
  auto& api = c->srv().api;

  // Route first (404), then method (405): a wrong method on an unknown path is still "not found".
  enum class route { rooms, room, room_end, room_rotate, room_ingest, room_thumbnail, node, cluster, node_drain, none };
  route r = route::none;
  if (seg.size() == 1 && seg[0] == "rooms") r = route::rooms;
  else if (seg.size() == 1 && seg[0] == "node") r = route::node;
  else if (seg.size() == 1 && seg[0] == "cluster") r = route::cluster;
  else if (seg.size() == 3 && seg[0] == "nodes" && !seg[1].empty() && seg[2] == "drain") r = route::node_drain;
  else if (seg.size() >= 2 && seg[0] == "rooms" && !seg[1].empty()) {
    if (seg.size() == 2) r = route::room;
    else if (seg.size() == 3 && seg[2] == "end") r = route::room_end;
    else if (seg.size() == 3 && seg[2] == "rotate-key") r = route::room_rotate;
    else if (seg.size() == 3 && seg[2] == "ingest") r = route::room_ingest;
    else if (seg.size() == 3 && seg[2] == "thumbnail.jpg") r = route::room_thumbnail;
  }

  const char* allow = nullptr;
  bool allowed = false;
  switch (r) {
    case route::none: return c->respond(make_error_response(404, "not_found", "no such API endpoint"));
    case route::rooms:
      allow = "GET, POST, OPTIONS";
      allowed = method == bhttp::verb::get || method == bhttp::verb::post;
      break;
    case route::room:
      allow = "GET, PATCH, DELETE, OPTIONS";
      allowed = method == bhttp::verb::get || method == bhttp::verb::patch || method == bhttp::verb::delete_;
      break;
    case route::room_end:
    case route::room_rotate:
    case route::node_drain:
      allow = "POST, OPTIONS";
      allowed = method == bhttp::verb::post;
      break;
    case route::node:
    case route::cluster:
    case route::room_ingest:
    case route::room_thumbnail:
      allow = "GET, OPTIONS";
      allowed = method == bhttp::verb::get;
      break;
  }
  if (!allowed) return c->respond(method_not_allowed(allow));

  if (r == route::room_thumbnail) {
    // Public like the HLS files, served from the node's index (written by the room's transcoder actor,
    // or by an edge's copy of the origin's): no round trip to any actor.
    auto jpeg = c->srv().index.thumbnail(seg[1]);
    if (!jpeg) return c->respond(make_error_response(404, "not_found", "no thumbnail for this room (yet)"));
    shared_buffer_body::value_type body{jpeg, reinterpret_cast<const char*>(jpeg->data()), jpeg->size()};
    auto res = make_response(200, "image/jpeg", std::move(body));
    res.set(bhttp::field::cache_control, "public, max-age=5");
    return c->respond(std::move(res));
  }

  auto token = bearer_token(req);
  if (auto* e = std::get_if<api::error>(&token)) return c->respond(error_response(*e));
  api::caller who{std::move(std::get<std::string>(token)), host_without_port(req)};
  const std::string id = seg.size() >= 2 ? seg[1] : std::string{};

  try {
    switch (r) {
      case route::rooms:
        if (method == bhttp::verb::get) {
          auto q = parse_query(query);
          if (!q) return c->respond(make_error_response(400, "bad_request", "malformed query string"));
          auto list = parse_list_query(*q);
          if (auto* e = std::get_if<api::error>(&list)) return c->respond(error_response(*e));
          return api.list_rooms(std::move(who), std::move(std::get<api::list_rooms_request>(list)),
                                reply_with<api::room_page>(c, [](const api::room_page& p) {
                                  return make_json_response(200, to_json(p));
                                }));
        } else {
          if (!is_json(req)) return c->respond(unsupported_media_type());
          auto body = parse_create_room(req.body());
          if (auto* e = std::get_if<api::error>(&body)) return c->respond(error_response(*e));
          return api.create_room(std::move(who), std::move(std::get<api::create_room_request>(body)),
                                 reply_with<api::room_view>(c, render_room(201)));
        }
      case route::room:
        if (method == bhttp::verb::get) return api.get_room(std::move(who), id, reply_with<api::room_view>(c, render_room(200)));
        if (method == bhttp::verb::patch) {
          if (!is_json(req)) return c->respond(unsupported_media_type());
          auto body = parse_patch_room(req.body());
          if (auto* e = std::get_if<api::error>(&body)) return c->respond(error_response(*e));
          return api.patch_room(std::move(who), id, std::move(std::get<api::patch_room_request>(body)),
                                reply_with<api::room_view>(c, render_room(200)));
        }
        return api.delete_room(std::move(who), id,
                               reply_with<std::monostate>(c, [](std::monostate) { return make_empty_response(204); }));
      case route::room_end:
        return api.end_room(std::move(who), id, reply_with<api::room_view>(c, render_room(200)));
      case route::room_rotate:
        return api.rotate_key(std::move(who), id, reply_with<api::room_view>(c, render_room(200)));
      case route::node:
        return api.get_node(std::move(who), reply_with<api::node_info>(c, [](const api::node_info& n) {
                              return make_json_response(200, to_json(n));
                            }));
      case route::cluster:
        return api.get_cluster(std::move(who), reply_with<api::cluster_view>(c, [](const api::cluster_view& v) {
                                 return make_json_response(200, to_json(v));
                               }));
      case route::room_ingest: {
        auto q = parse_query(query);
        if (!q) return c->respond(make_error_response(400, "bad_request", "malformed query string"));
        std::string region;
        if (const auto* r = q->find("region")) region = *r;
        if (region.size() > 64) return c->respond(make_error_response(400, "bad_request", "region is too long"));
        return api.room_ingest(std::move(who), id, std::move(region),
                               reply_with<api::ingest_view>(c, [](const api::ingest_view& v) {
                                 return make_json_response(200, to_json(v));
                               }));
      }
      case route::node_drain:
        if (seg[1].size() > 128) return c->respond(make_error_response(400, "bad_request", "node id is too long"));
        return api.drain_node(std::move(who), seg[1], reply_with<api::drain_view>(c, [](const api::drain_view& v) {
                                // Accepted, not done: the node hands its rooms on and exits by itself.
                                return make_json_response(202, to_json(v));
                              }));
      case route::none: break;
    }
  } catch (const std::exception&) {
    // The handler is not supposed to throw; an exception must not take the I/O thread down.
    c->respond(make_error_response(500, "internal", "internal error"));
  }
}

}  // namespace onair::net::http
