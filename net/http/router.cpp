#include "net/http/router.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <string>
#include <vector>

#include "net/http/api_json.hpp"
#include "net/http/static_routes.hpp"

namespace onair::net::http {

namespace bhttp = boost::beast::http;

namespace {

/// CORS preflight (Fetch standard, "CORS protocol"): browsers send it before a PATCH/DELETE or any
/// request with Authorization or a JSON Content-Type.
response preflight() {
  auto res = make_empty_response(204);
  res.set(bhttp::field::access_control_allow_methods, "GET, HEAD, POST, PATCH, DELETE, OPTIONS");
  res.set(bhttp::field::access_control_allow_headers, "Authorization, Content-Type");
  res.set(bhttp::field::access_control_max_age, "86400");
  return res;
}

/// GET /ws/rooms/{id}/chat: the WebSocket upgrade (RFC 6455 4.2), refused with an HTTP error when it
/// cannot be served, so a browser sees why (the error JSON carries CORS like every response).
void handle_chat(const std::shared_ptr<connection>& c, const request& req, const std::string& room_id) {
  auto& hub = c->srv().chat;
  if (!hub) return c->respond(make_error_response(404, "not_found", "no such resource"));
  if (req.method() != bhttp::verb::get) return c->respond(method_not_allowed("GET, OPTIONS"));
  if (!boost::beast::websocket::is_upgrade(req)) {
    // RFC 9110 15.5.22: a 426 names the protocol to upgrade to.
    auto res = make_error_response(426, "upgrade_required", "this endpoint speaks WebSocket only");
    res.set(bhttp::field::upgrade, "websocket");
    res.set(bhttp::field::connection, "Upgrade");
    return c->respond(std::move(res));
  }
  if (!hub->origin_allowed(to_std(req[bhttp::field::origin])))
    return c->respond(make_error_response(403, "forbidden", "origin not allowed"));
  switch (hub->try_reserve(c->remote_ip())) {
    case chat::ws_hub::reserve_result::ok: break;
    case chat::ws_hub::reserve_result::node_full:
      return c->respond(make_error_response(503, "unavailable", "too many chat connections on this node"));
    case chat::ws_hub::reserve_result::address_full:
      // RFC 6585 4: 429 is for "too many requests" from one client; here, too many open connections.
      return c->respond(make_error_response(429, "too_many_connections", "too many chat connections from this address"));
  }
  c->upgrade_to_chat(req, room_id);
}

}  // namespace

response method_not_allowed(std::string_view allow) {
  auto res = make_error_response(405, "method_not_allowed", "method not allowed; allowed: " + std::string(allow));
  res.set(bhttp::field::allow, to_beast(allow));
  return res;
}

void dispatch(const std::shared_ptr<connection>& c, const request& req) {
  const auto [path, query] = split_target(to_std(req.target()));
  if (path.empty() || path.front() != '/')
    return c->respond(make_error_response(400, "bad_request", "request-target must be an absolute path"));

  std::vector<std::string> segments;
  for (auto raw : split_path(path)) {
    auto seg = percent_decode(raw, false);
    if (!seg) return c->respond(make_error_response(400, "bad_request", "malformed percent-encoding in path"));
    segments.push_back(std::move(*seg));
  }

  if (req.method() == bhttp::verb::options) return c->respond(preflight());

  const auto& first = segments.front();
  if (first == "ws" && segments.size() == 4 && segments[1] == "rooms" && segments[3] == "chat" && !segments[2].empty())
    return handle_chat(c, req, segments[2]);
  if (first == "api" && segments.size() >= 2) {
    segments.erase(segments.begin());
    return handle_api(c, req, segments, query);
  }
  if (first == "hls" && segments.size() >= 2) {
    segments.erase(segments.begin());
    return handle_hls(c, req, segments, query);
  }
  if (segments.size() == 1 && first == "healthz") {
    if (req.method() != bhttp::verb::get && req.method() != bhttp::verb::head)
      return c->respond(method_not_allowed("GET, HEAD, OPTIONS"));
    return c->respond(make_json_response(200, R"({"status":"ok"})"));
  }
  if (segments.size() == 1 && first == "metrics") {
    if (req.method() != bhttp::verb::get && req.method() != bhttp::verb::head)
      return c->respond(method_not_allowed("GET, HEAD, OPTIONS"));
    return handle_metrics(c);
  }
  // The server's own prefixes never fall back to the app: a typo in an API or HLS URL must stay a JSON
  // 404, not an HTML page that a player or script would misread.
  if (first == "api" || first == "hls" || first == "ws" || first == "healthz" || first == "metrics")
    return c->respond(make_error_response(404, "not_found", "no such resource"));
  handle_static(c, req, segments);
}

}  // namespace onair::net::http
