// The REST API over real HTTP: every route, every error status and body, CORS, limits.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/net/http/http_test_support.hpp"

namespace onair::net::http::testing {
namespace {

using json = nlohmann::json;

json body_of(const client_response& r) { return json::parse(r.body(), nullptr, false); }

void expect_error(const client_response& r, unsigned status, const std::string& code) {
  EXPECT_EQ(r.result_int(), status) << r.body();
  const auto j = body_of(r);
  ASSERT_TRUE(j.is_object()) << r.body();
  EXPECT_EQ(j["error"]["code"], code) << r.body();
  EXPECT_TRUE(j["error"]["message"].is_string());
  EXPECT_EQ(header(r, bhttp::field::content_type), "application/json");
  // DESIGN.md section 4: errors carry CORS too, or browsers see status 0.
  EXPECT_EQ(header(r, bhttp::field::access_control_allow_origin), "*");
}

class http_api : public server_fixture {
 protected:
  std::string create(const std::string& title = "Night Set") {
    auto r = call(bhttp::verb::post, "/api/rooms", json{{"title", title}, {"kind", "audio"}}.dump());
    EXPECT_EQ(r.result_int(), 201u) << r.body();
    return body_of(r)["id"];
  }
};

TEST_F(http_api, healthz_is_ok_with_cors) {
  auto r = get("/healthz");
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_EQ(body_of(r), json({{"status", "ok"}}));
  EXPECT_EQ(header(r, bhttp::field::access_control_allow_origin), "*");
}

TEST_F(http_api, create_room_returns_201_with_full_room_json) {
  auto r = call(bhttp::verb::post, "/api/rooms",
                R"({"title":"Night Set","description":"deep house","kind":"audio","tags":["house","live"]})");
  ASSERT_EQ(r.result_int(), 201u) << r.body();
  EXPECT_EQ(header(r, bhttp::field::access_control_allow_origin), "*");
  const auto j = body_of(r);
  EXPECT_EQ(header(r, bhttp::field::location), "/api/rooms/" + j["id"].get<std::string>());
  EXPECT_EQ(j["title"], "Night Set");
  EXPECT_EQ(j["description"], "deep house");
  EXPECT_EQ(j["kind"], "audio");
  EXPECT_EQ(j["tags"], json({"house", "live"}));
  EXPECT_EQ(j["status"], "ready");
  EXPECT_EQ(j["owner"], "admin");
  EXPECT_EQ(j["created_at"], "2023-11-14T22:13:20.001Z");
  EXPECT_TRUE(j["updated_at"].is_string());
  EXPECT_EQ(j["viewers"], 0);
  EXPECT_EQ(j["rtmp_url"], "rtmp://127.0.0.1:1935/live/");  // Host header without its port
  EXPECT_TRUE(j["hls_url"].is_string());
  EXPECT_EQ(j["stream_key"], "sk_" + j["id"].get<std::string>());
}

TEST_F(http_api, get_room_omits_stream_key_and_unknown_room_is_404) {
  const auto id = create();
  auto r = call(bhttp::verb::get, "/api/rooms/" + id);
  ASSERT_EQ(r.result_int(), 200u);
  EXPECT_FALSE(body_of(r).contains("stream_key"));
  expect_error(call(bhttp::verb::get, "/api/rooms/nope"), 404, "not_found");
}

TEST_F(http_api, list_rooms_pages_with_cursor_and_passes_filters) {
  create("a one");
  create("b two");
  create("c three");
  auto r = call(bhttp::verb::get, "/api/rooms?limit=2");
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  auto j = body_of(r);
  ASSERT_EQ(j["rooms"].size(), 2u);
  ASSERT_TRUE(j["next_cursor"].is_string());
  r = call(bhttp::verb::get, "/api/rooms?limit=2&cursor=" + j["next_cursor"].get<std::string>());
  j = body_of(r);
  ASSERT_EQ(j["rooms"].size(), 1u);
  EXPECT_TRUE(j["next_cursor"].is_null());

  r = call(bhttp::verb::get, "/api/rooms?status=ready&q=two+%74wo&limit=5");
  ASSERT_EQ(r.result_int(), 200u);
  ASSERT_TRUE(api_.last_list);
  EXPECT_EQ(api_.last_list->status, api::room_status::ready);
  EXPECT_EQ(api_.last_list->q, "two two");
  EXPECT_EQ(api_.last_list->limit, 5u);
}

TEST_F(http_api, list_rooms_rejects_bad_query_params_with_400) {
  for (const char* q : {"status=bogus", "limit=0", "limit=201", "limit=abc", "limit=-1", "q=%zz"})
    expect_error(call(bhttp::verb::get, std::string("/api/rooms?") + q), 400, "bad_request");
}

TEST_F(http_api, patch_end_rotate_delete) {
  const auto id = create();
  auto r = call(bhttp::verb::patch, "/api/rooms/" + id, R"({"title":"Renamed","tags":[]})");
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  EXPECT_EQ(body_of(r)["title"], "Renamed");

  expect_error(call(bhttp::verb::patch, "/api/rooms/" + id, R"({"title":"x"})", "other"), 403, "forbidden");

  r = call(bhttp::verb::post, "/api/rooms/" + id + "/rotate-key");
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  EXPECT_EQ(body_of(r)["stream_key"], "sk_new_" + id);

  r = call(bhttp::verb::post, "/api/rooms/" + id + "/end");
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  EXPECT_EQ(body_of(r)["status"], "ended");
  expect_error(call(bhttp::verb::post, "/api/rooms/" + id + "/end"), 409, "conflict");

  r = call(bhttp::verb::delete_, "/api/rooms/" + id);
  EXPECT_EQ(r.result_int(), 204u);
  EXPECT_TRUE(r.body().empty());
  EXPECT_EQ(header(r, bhttp::field::access_control_allow_origin), "*");
  expect_error(call(bhttp::verb::get, "/api/rooms/" + id), 404, "not_found");
}

TEST_F(http_api, node_and_metrics) {
  auto r = call(bhttp::verb::get, "/api/node");
  ASSERT_EQ(r.result_int(), 200u);
  auto j = body_of(r);
  EXPECT_EQ(j["node_id"], "node-1");
  EXPECT_EQ(j["version"], "0.1.0");
  EXPECT_EQ(j["viewers"], 7);
  r = get("/metrics");
  ASSERT_EQ(r.result_int(), 200u);
  EXPECT_EQ(header(r, bhttp::field::content_type), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body().find("onair_rooms 1"), std::string::npos);
  EXPECT_EQ(header(r, bhttp::field::access_control_allow_origin), "*");
}

TEST_F(http_api, auth_errors_are_401) {
  expect_error(call(bhttp::verb::post, "/api/rooms", R"({"title":"t"})", ""), 401, "unauthorized");
  auto r = fetch(port_, bhttp::verb::post, "/api/rooms", R"({"title":"t"})", "application/json",
                 {{"Authorization", "Basic dXNlcjpwYXNz"}});
  expect_error(r, 401, "unauthorized");
  EXPECT_EQ(header(r, bhttp::field::www_authenticate), "Bearer");
  expect_error(fetch(port_, bhttp::verb::get, "/api/node", {}, {}, {{"Authorization", "Bearer"}}), 401, "unauthorized");
  expect_error(fetch(port_, bhttp::verb::get, "/api/node", {}, {}, {{"Authorization", "Bearer a b"}}), 401,
               "unauthorized");
}

TEST_F(http_api, unknown_routes_are_404) {
  expect_error(get("/nope"), 404, "not_found");
  expect_error(get("/api/nope"), 404, "not_found");
  expect_error(get("/api/rooms/x/y"), 404, "not_found");
  expect_error(get("/api/rooms/x/end/more"), 404, "not_found");
}

TEST_F(http_api, wrong_method_is_405_with_allow) {
  auto r = call(bhttp::verb::put, "/api/rooms", "{}");
  expect_error(r, 405, "method_not_allowed");
  EXPECT_EQ(header(r, bhttp::field::allow), "GET, POST, OPTIONS");
  r = call(bhttp::verb::post, "/api/rooms/abc");
  expect_error(r, 405, "method_not_allowed");
  EXPECT_EQ(header(r, bhttp::field::allow), "GET, PATCH, DELETE, OPTIONS");
  r = call(bhttp::verb::get, "/api/rooms/abc/end");
  EXPECT_EQ(header(r, bhttp::field::allow), "POST, OPTIONS");
  r = call(bhttp::verb::delete_, "/healthz");
  expect_error(r, 405, "method_not_allowed");
}

TEST_F(http_api, preflight_is_204_with_cors_headers) {
  auto r = fetch(port_, bhttp::verb::options, "/api/rooms/abc", {}, {},
                 {{"Origin", "http://example.com"}, {"Access-Control-Request-Method", "PATCH"}});
  EXPECT_EQ(r.result_int(), 204u);
  EXPECT_EQ(header(r, bhttp::field::access_control_allow_origin), "*");
  const auto methods = header(r, bhttp::field::access_control_allow_methods);
  for (const char* m : {"GET", "POST", "PATCH", "DELETE", "OPTIONS"}) EXPECT_NE(methods.find(m), std::string::npos) << m;
  const auto hdrs = header(r, bhttp::field::access_control_allow_headers);
  EXPECT_NE(hdrs.find("Authorization"), std::string::npos);
  EXPECT_NE(hdrs.find("Content-Type"), std::string::npos);
  EXPECT_EQ(fetch(port_, bhttp::verb::options, "/hls/x/master.m3u8").result_int(), 204u);
}

TEST_F(http_api, malformed_json_is_400) {
  expect_error(call(bhttp::verb::post, "/api/rooms", R"({"title": )"), 400, "bad_request");
  expect_error(call(bhttp::verb::post, "/api/rooms", ""), 400, "bad_request");
  expect_error(call(bhttp::verb::patch, "/api/rooms/x", "nope"), 400, "bad_request");
}

TEST_F(http_api, wrong_shapes_are_422) {
  const std::string long_title(201, 'a');
  const std::string long_desc(2001, 'd');
  const std::string long_tag(41, 't');
  json many_tags = json::array();
  for (int i = 0; i < 21; ++i) many_tags.push_back("t" + std::to_string(i));
  for (const auto& body : {json{{"kind", "video"}}, json{{"title", long_title}}, json{{"title", "t"}, {"kind", "radio"}},
                           json{{"title", "t"}, {"tags", "rock"}}, json{{"title", "t"}, {"tags", {1, 2}}},
                           json{{"title", "t"}, {"tags", many_tags}}, json{{"title", "t"}, {"tags", {long_tag}}},
                           json{{"title", "t"}, {"description", long_desc}}, json{{"title", 5}},
                           json{{"title", "t"}, {"regoin", "eu"}}, json{{"title", "t"}, {"region", ""}},
                           json{{"title", "t"}, {"region", 7}}, json::array({1, 2})})
    expect_error(call(bhttp::verb::post, "/api/rooms", body.dump()), 422, "invalid_argument");
  expect_error(call(bhttp::verb::patch, "/api/rooms/x", R"({"kind":"audio"})"), 422, "invalid_argument");
}

TEST_F(http_api, non_json_body_is_415) {
  expect_error(call(bhttp::verb::post, "/api/rooms", R"({"title":"t"})", "admin", "text/plain"), 415,
               "unsupported_media_type");
  expect_error(call(bhttp::verb::post, "/api/rooms", R"({"title":"t"})", "admin", ""), 415, "unsupported_media_type");
  auto r = call(bhttp::verb::post, "/api/rooms", R"({"title":"t"})", "admin", "Application/JSON; charset=utf-8");
  EXPECT_EQ(r.result_int(), 201u) << r.body();
}

TEST_F(http_api, oversized_body_is_413_with_cors) {
  const std::string big(100 * 1024, 'x');
  auto r = call(bhttp::verb::post, "/api/rooms", R"({"title":")" + big + R"("})");
  expect_error(r, 413, "payload_too_large");
  EXPECT_FALSE(r.keep_alive());
}

TEST_F(http_api, oversized_header_is_431) {
  auto r = fetch(port_, bhttp::verb::get, "/healthz", {}, {}, {{"X-Big", std::string(20 * 1024, 'h')}});
  EXPECT_EQ(r.result_int(), 431u);
  EXPECT_EQ(header(r, bhttp::field::access_control_allow_origin), "*");
}

TEST_F(http_api, garbage_request_is_400_and_closed) {
  client c(port_);
  c.write_raw("THIS IS NOT HTTP\r\n\r\n");
  auto r = c.read();
  EXPECT_EQ(r.result_int(), 400u);
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(http_api, keep_alive_serves_many_requests_on_one_connection) {
  client c(port_);
  for (int i = 0; i < 5; ++i) {
    auto r = c.request(bhttp::verb::get, "/healthz");
    EXPECT_EQ(r.result_int(), 200u);
    EXPECT_TRUE(r.keep_alive());
  }
  auto r = c.request(bhttp::verb::get, "/api/rooms/none");
  EXPECT_EQ(r.result_int(), 404u);
  r = c.request(bhttp::verb::post, "/api/rooms", R"({"title":"same conn"})", "application/json",
                {{"Authorization", "Bearer admin"}});
  EXPECT_EQ(r.result_int(), 201u);
}

class http_idle : public server_fixture {
 protected:
  server_options options() override {
    server_options o;
    o.idle_timeout_s = 1;
    return o;
  }
};

TEST_F(http_idle, idle_keep_alive_connection_is_closed) {
  client c(port_);
  EXPECT_EQ(c.request(bhttp::verb::get, "/healthz").result_int(), 200u);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_peer());
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, std::chrono::milliseconds(800));
  EXPECT_LT(waited, std::chrono::seconds(5));
}

TEST_F(http_api, stop_closes_the_listener) {
  srv_->stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_THROW(fetch(port_, bhttp::verb::get, "/healthz"), boost::system::system_error);
}

}  // namespace
}  // namespace onair::net::http::testing
