// Fuzz target for the chat codec and JWT verification (net/chat/chat_frames.hpp, chat_handler.hpp).
// Input layout: first byte selects the entry point, the rest is a client frame or a token.
// Checks, beyond "no crash, no exception": refusals carry a documented code and a message, accepted
// frames respect the documented limits, server frames rendered from any strings are valid JSON, and
// a token verifies only if it is exactly what sign_jwt produces for the claims it carries.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "net/chat/base64url.hpp"
#include "net/chat/chat_frames.hpp"
#include "net/chat/chat_handler.hpp"

namespace {

using namespace onair::net::chat;

void check(bool ok) {
  if (!ok) std::abort();
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (const unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool valid_json(const std::string& s) { return !nlohmann::json::parse(s, nullptr, false).is_discarded(); }

void fuzz_frame(std::string_view text) {
  auto r = parse_client_frame(text);
  if (auto* e = std::get_if<frame_error>(&r)) {
    check(e->code == "invalid_json" || e->code == "unknown_type" || e->code == "invalid_frame");
    check(!e->message.empty());
    check(valid_json(render_error(e->code, e->message)));
    return;
  }
  const auto& f = std::get<client_frame>(r);
  if (auto* j = std::get_if<join_frame>(&f)) check(code_points(j->nick) <= 32);
  if (auto* m = std::get_if<msg_frame>(&f)) {
    check(!m->text.empty() && code_points(m->client_id) <= 64);
    // Whatever a client sends comes back out as valid JSON.
    check(valid_json(render_message({1, 0, {"anon:x", "n", "viewer"}, m->text})));
    check(valid_json(render_ack(m->client_id, 1)));
  }
  if (auto* re = std::get_if<reaction_frame>(&f)) {
    check(!re->emoji.empty());
    check(valid_json(render_reactions({{re->emoji, 1}})));
  }
  if (auto* mu = std::get_if<mute_frame>(&f)) check(!mu->user.empty());
}

void fuzz_render(std::string_view raw) {
  // Arbitrary bytes (not necessarily UTF-8) in every string a renderer takes.
  const std::string s(raw);
  check(valid_json(render_welcome(s, {s, s, s}, 1, 2, 3)));
  check(valid_json(render_history({{1, 2, {s, s, s}, s}}, true)));
  check(valid_json(render_deleted(1, s)));
  check(valid_json(render_cleared(1, s)));
  check(valid_json(render_moderation(s, s, 1, s)));
  check(valid_json(render_slow_mode(1, s)));
  check(valid_json(render_system(s)));
  check(valid_json(render_error(s, s)));
}

void fuzz_jwt(std::string_view token) {
  constexpr std::int64_t now = 1700000000;
  auto r = verify_jwt(token, "fuzz-secret", now);
  if (auto* e = std::get_if<std::string>(&r)) return check(!e->empty());
  const auto& c = std::get<jwt_claims>(r);
  check(!c.sub.empty() && c.exp > now - 30);
}

void fuzz_base64(std::string_view s) {
  const auto d = base64url_decode(s);
  if (d) check(base64url_encode(std::string_view(*d)) == s);  // exactly one accepted encoding
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 0: fuzz_frame(rest); break;
    case 1: fuzz_render(rest); break;
    case 2: fuzz_jwt(rest); break;
    case 3: fuzz_base64(rest); break;
  }
  return 0;
}
