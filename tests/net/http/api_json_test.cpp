// JSON codec and validation of the REST API, without a socket.
#include "net/http/api_json.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace onair::net::http {
namespace {

using json = nlohmann::json;

template <class T>
api::error err(const api::result<T>& r) {
  const auto* e = std::get_if<api::error>(&r);
  return e ? *e : api::error{0, "ok", ""};
}

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(api_json, create_room_minimal_uses_defaults) {
  auto r = parse_create_room(R"({"title":"Radio"})");
  ASSERT_TRUE(std::holds_alternative<api::create_room_request>(r)) << err(r).message;
  const auto& req = std::get<api::create_room_request>(r);
  EXPECT_EQ(req.title, "Radio");
  EXPECT_EQ(req.kind, api::room_kind::video);
  EXPECT_TRUE(req.description.empty());
  EXPECT_TRUE(req.tags.empty());
}

TEST(api_json, create_room_full) {
  auto r = parse_create_room(R"({"title":"T","description":"D","kind":"audio","tags":["a","b"]})");
  ASSERT_TRUE(std::holds_alternative<api::create_room_request>(r));
  const auto& req = std::get<api::create_room_request>(r);
  EXPECT_EQ(req.kind, api::room_kind::audio);
  EXPECT_EQ(req.description, "D");
  EXPECT_EQ(req.tags, (std::vector<std::string>{"a", "b"}));
}

TEST(api_json, limits_count_characters_not_bytes) {
  // "é" is 2 bytes, 1 character: 200 of them is a valid title, 201 is not.
  EXPECT_TRUE(std::holds_alternative<api::create_room_request>(
      parse_create_room(json{{"title", repeat("é", 200)}}.dump())));
  EXPECT_EQ(err(parse_create_room(json{{"title", repeat("é", 201)}}.dump())).status, 422);
  EXPECT_TRUE(std::holds_alternative<api::create_room_request>(
      parse_create_room(json{{"title", "t"}, {"tags", {repeat("ü", 40)}}}.dump())));
  EXPECT_EQ(err(parse_create_room(json{{"title", "t"}, {"tags", {repeat("ü", 41)}}}.dump())).status, 422);
  EXPECT_TRUE(std::holds_alternative<api::create_room_request>(
      parse_create_room(json{{"title", "t"}, {"description", std::string(2000, 'd')}}.dump())));
  EXPECT_EQ(err(parse_create_room(json{{"title", "t"}, {"description", std::string(2001, 'd')}}.dump())).status, 422);
}

TEST(api_json, tag_count_limit) {
  json tags = json::array();
  for (int i = 0; i < 20; ++i) tags.push_back("t");
  EXPECT_TRUE(std::holds_alternative<api::create_room_request>(parse_create_room(json{{"title", "t"}, {"tags", tags}}.dump())));
  tags.push_back("t");
  EXPECT_EQ(err(parse_create_room(json{{"title", "t"}, {"tags", tags}}.dump())).code, "invalid_argument");
  EXPECT_EQ(err(parse_create_room(R"({"title":"t","tags":[""]})")).status, 422);
}

TEST(api_json, wrong_shapes_are_422_and_malformed_json_is_400) {
  for (const char* body : {R"({})", R"({"title":""})", R"({"title":"   "})", R"({"title":null})", R"({"title":1})",
                           R"({"title":"t","kind":"radio"})", R"({"title":"t","kind":1})", R"({"title":"t","tags":"a"})",
                           R"({"title":"t","tags":[1]})", R"({"title":"t","description":5})", R"({"title":"t","x":1})",
                           R"([])", R"("title")", R"(42)"}) {
    const auto e = err(parse_create_room(body));
    EXPECT_EQ(e.status, 422) << body;
    EXPECT_EQ(e.code, "invalid_argument") << body;
  }
  for (const char* body : {"", "{", "{\"title\":}", "nul", "{\"title\":\"a\"} trailing", "\xff\xfe"}) {
    const auto e = err(parse_create_room(body));
    EXPECT_EQ(e.status, 400) << body;
    EXPECT_EQ(e.code, "bad_request") << body;
  }
}

TEST(api_json, deep_nesting_is_rejected_before_parsing) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(err(parse_create_room(deep)).status, 400);
  // Brackets inside strings do not count.
  EXPECT_TRUE(std::holds_alternative<api::create_room_request>(
      parse_create_room(json{{"title", std::string(100, '[') + "\\\"["}}.dump())));
}

TEST(api_json, patch_room) {
  auto r = parse_patch_room(R"({"description":""})");
  ASSERT_TRUE(std::holds_alternative<api::patch_room_request>(r));
  const auto& p = std::get<api::patch_room_request>(r);
  EXPECT_FALSE(p.title);
  ASSERT_TRUE(p.description);
  EXPECT_EQ(*p.description, "");
  EXPECT_FALSE(p.tags);
  EXPECT_TRUE(std::holds_alternative<api::patch_room_request>(parse_patch_room("{}")));
  EXPECT_EQ(err(parse_patch_room(R"({"kind":"audio"})")).status, 422);
  EXPECT_EQ(err(parse_patch_room(R"({"title":""})")).status, 422);
  EXPECT_EQ(err(parse_patch_room(R"({"tags":null})")).status, 422);
  EXPECT_EQ(err(parse_patch_room("[")).status, 400);
}

TEST(api_json, list_query) {
  auto q = parse_query("status=live&q=deep+house&limit=10&cursor=abc");
  ASSERT_TRUE(q);
  auto r = parse_list_query(*q);
  ASSERT_TRUE(std::holds_alternative<api::list_rooms_request>(r));
  const auto& l = std::get<api::list_rooms_request>(r);
  EXPECT_EQ(l.status, api::room_status::live);
  EXPECT_EQ(l.q, "deep house");
  EXPECT_EQ(l.limit, 10u);
  EXPECT_EQ(l.cursor, "abc");

  auto d = parse_list_query(query_params{});
  EXPECT_EQ(std::get<api::list_rooms_request>(d).limit, 50u);
  EXPECT_FALSE(std::get<api::list_rooms_request>(d).status);
  for (const char* bad : {"status=x", "limit=0", "limit=201", "limit=1x", "limit=", "limit=99999999999999999999999"})
    EXPECT_EQ(err(parse_list_query(*parse_query(bad))).status, 400) << bad;
  EXPECT_EQ(err(parse_list_query(*parse_query("q=" + std::string(201, 'q')))).status, 400);
  EXPECT_EQ(err(parse_list_query(*parse_query("cursor=" + std::string(513, 'c')))).status, 400);
}

TEST(api_json, rfc3339) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339(1700000000123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339(951782400000), "2000-02-29T00:00:00.000Z");
}

TEST(api_json, room_json) {
  api::room_view r;
  r.id = "abc";
  r.title = "T";
  r.kind = api::room_kind::audio;
  r.status = api::room_status::live;
  r.tags = {"x"};
  r.viewers = 3;
  auto j = json::parse(to_json(r));
  for (const char* k : {"id", "title", "description", "kind", "tags", "status", "owner", "created_at", "updated_at",
                        "viewers", "rtmp_url", "hls_url"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_FALSE(j.contains("stream_key"));
  EXPECT_EQ(j["kind"], "audio");
  EXPECT_EQ(j["status"], "live");
  EXPECT_EQ(j["viewers"], 3);
  r.stream_key = "sk";
  EXPECT_EQ(json::parse(to_json(r))["stream_key"], "sk");
}

TEST(api_json, page_and_error_json) {
  api::room_page p;
  auto j = json::parse(to_json(p));
  EXPECT_TRUE(j["rooms"].is_array());
  EXPECT_TRUE(j["next_cursor"].is_null());
  p.next_cursor = "c";
  EXPECT_EQ(json::parse(to_json(p))["next_cursor"], "c");
  EXPECT_EQ(json::parse(to_json(api::error{404, "not_found", "x"})),
            json({{"error", {{"code", "not_found"}, {"message", "x"}}}}));
  // Invalid UTF-8 from a handler never throws: it is replaced.
  EXPECT_NO_THROW(to_json(api::error{500, "internal", "\xff"}));
}

}  // namespace
}  // namespace onair::net::http
