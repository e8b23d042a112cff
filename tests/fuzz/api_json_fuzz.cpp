// Fuzz target for the REST API's JSON and query codec (net/http/api_json.hpp, net/http/url.hpp).
// Input layout: first byte selects the entry point, the rest is the body or query string.
// Checks, beyond "no crash": accepted requests respect every documented limit, errors carry the
// documented status/code pairs, and accepted values survive a render → parse round trip.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "net/http/api_json.hpp"
#include "net/http/url.hpp"

namespace {

using namespace onair::net;
using onair::net::http::api_limits;

void check(bool ok) {
  if (!ok) std::abort();
}

void check_error(const api::error& e) {
  check((e.status == 400 && e.code == "bad_request") || (e.status == 422 && e.code == "invalid_argument"));
  check(!e.message.empty());
  check(!http::to_json(e).empty());
}

void check_tags(const std::vector<std::string>& tags) {
  check(tags.size() <= api_limits::tags_max);
  for (const auto& t : tags) {
    const auto n = http::utf8_length(t);
    check(n >= 1 && n <= api_limits::tag_max);
  }
}

void fuzz_create(std::string_view body) {
  auto r = http::parse_create_room(body);
  if (auto* e = std::get_if<api::error>(&r)) return check_error(*e);
  const auto& req = std::get<api::create_room_request>(r);
  const auto n = http::utf8_length(req.title);
  check(n >= 1 && n <= api_limits::title_max);
  check(http::utf8_length(req.description) <= api_limits::description_max);
  check_tags(req.tags);
  // Round trip: render the accepted title with the response writer's escaper, parse it back.
  const auto err_json = http::to_json(api::error{0, req.title, ""});  // {"error":{"code":<title>,"message":""}}
  constexpr std::string_view head = R"({"error":{"code":)", tail = R"(,"message":""}})";
  check(err_json.size() >= head.size() + tail.size());
  const auto quoted = std::string_view(err_json).substr(head.size(), err_json.size() - head.size() - tail.size());
  auto again = http::parse_create_room(std::string(R"({"title":)") + std::string(quoted) + "}");
  check(std::holds_alternative<api::create_room_request>(again));
  check(std::get<api::create_room_request>(again).title == req.title);
  api::room_view v;
  v.title = req.title;
  v.description = req.description;
  v.kind = req.kind;
  v.tags = req.tags;
  check(!http::to_json(v).empty());
}

void fuzz_patch(std::string_view body) {
  auto r = http::parse_patch_room(body);
  if (auto* e = std::get_if<api::error>(&r)) return check_error(*e);
  const auto& req = std::get<api::patch_room_request>(r);
  if (req.title) check(http::utf8_length(*req.title) >= 1 && http::utf8_length(*req.title) <= api_limits::title_max);
  if (req.description) check(http::utf8_length(*req.description) <= api_limits::description_max);
  if (req.tags) check_tags(*req.tags);
}

void fuzz_query(std::string_view query) {
  auto q = http::parse_query(query);
  if (!q) return;
  auto r = http::parse_list_query(*q);
  if (auto* e = std::get_if<api::error>(&r)) {
    check(e->status == 400 && e->code == "bad_request");
    return;
  }
  const auto& req = std::get<api::list_rooms_request>(r);
  check(req.limit >= 1 && req.limit <= api_limits::list_limit_max);
  check(http::utf8_length(req.q) <= api_limits::query_q_max);
  check(req.cursor.size() <= api_limits::cursor_max);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 0: fuzz_create(rest); break;
    case 1: fuzz_patch(rest); break;
    case 2: fuzz_query(rest); break;
    default:
      // The same bytes through every entry point, plus the path helpers.
      fuzz_create(rest);
      fuzz_patch(rest);
      fuzz_query(rest);
      (void)http::split_path(http::split_target(rest).first);
      (void)http::percent_decode(rest, false);
      break;
  }
  return 0;
}
