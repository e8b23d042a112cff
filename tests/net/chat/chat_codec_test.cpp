// Chat frame codec: every client frame, every refusal code, every server frame's JSON shape.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "net/chat/chat_frames.hpp"

namespace onair::net::chat {
namespace {

using json = nlohmann::json;

template <class T>
T parse_ok(std::string_view text) {
  auto r = parse_client_frame(text);
  if (auto* e = std::get_if<frame_error>(&r)) {
    ADD_FAILURE() << text << " -> " << e->code << ": " << e->message;
    return T{};
  }
  auto& f = std::get<client_frame>(r);
  EXPECT_TRUE(std::holds_alternative<T>(f)) << text;
  return std::holds_alternative<T>(f) ? std::get<T>(f) : T{};
}

std::string parse_err(std::string_view text) {
  auto r = parse_client_frame(text);
  auto* e = std::get_if<frame_error>(&r);
  if (!e) {
    ADD_FAILURE() << text << " was accepted";
    return {};
  }
  EXPECT_FALSE(e->message.empty());
  return e->code;
}

TEST(chat_codec, join_with_nick_token_and_since) {
  auto j = parse_ok<join_frame>(R"({"type":"join","nick":"ana","token":"t.k.n","since":123})");
  EXPECT_EQ(j.nick, "ana");
  EXPECT_EQ(j.token, "t.k.n");
  ASSERT_TRUE(j.since);
  EXPECT_EQ(*j.since, 123u);
  j = parse_ok<join_frame>(R"({"type":"join","nick":"bo"})");
  EXPECT_FALSE(j.since);
  EXPECT_TRUE(j.token.empty());
  j = parse_ok<join_frame>(R"({"type":"join","token":"x","since":null,"extra":[1,2]})");  // unknown fields ignored
  EXPECT_FALSE(j.since);
  // 32 code points is the limit, counted as characters, not bytes.
  parse_ok<join_frame>(R"({"type":"join","nick":")" + std::string(32, 'a') + "\"}");
  std::string emoji_nick;
  for (int i = 0; i < 32; ++i) emoji_nick += "\xC3\xA9";  // é, 2 bytes
  parse_ok<join_frame>(R"({"type":"join","nick":")" + emoji_nick + "\"}");
}

TEST(chat_codec, join_refusals) {
  EXPECT_EQ(parse_err(R"({"type":"join","nick":")" + std::string(33, 'a') + "\"}"), "invalid_frame");
  EXPECT_EQ(parse_err(R"({"type":"join","nick":5})"), "invalid_frame");
  EXPECT_EQ(parse_err(R"({"type":"join","token":{}})"), "invalid_frame");
  EXPECT_EQ(parse_err(R"({"type":"join","since":-1})"), "invalid_frame");
  EXPECT_EQ(parse_err(R"({"type":"join","since":1.5})"), "invalid_frame");
  EXPECT_EQ(parse_err(R"({"type":"join","since":"7"})"), "invalid_frame");
}

TEST(chat_codec, msg_and_client_id) {
  auto m = parse_ok<msg_frame>(R"({"type":"msg","text":"hi \u00e9 🔥","client_id":"c-1"})");
  EXPECT_EQ(m.text, "hi \xC3\xA9 \xF0\x9F\x94\xA5");
  EXPECT_EQ(m.client_id, "c-1");
  m = parse_ok<msg_frame>(R"({"type":"msg","text":"x"})");
  EXPECT_TRUE(m.client_id.empty());
  parse_ok<msg_frame>(R"({"type":"msg","text":"x","client_id":")" + std::string(64, 'c') + "\"}");
  EXPECT_EQ(parse_err(R"({"type":"msg","text":"x","client_id":")" + std::string(65, 'c') + "\"}"), "invalid_frame");
  EXPECT_EQ(parse_err(R"({"type":"msg"})"), "invalid_frame");
  EXPECT_EQ(parse_err(R"({"type":"msg","text":""})"), "invalid_frame");
  EXPECT_EQ(parse_err(R"({"type":"msg","text":42})"), "invalid_frame");
  EXPECT_EQ(parse_err(R"({"type":"msg","text":"x","client_id":7})"), "invalid_frame");
}

TEST(chat_codec, reaction_delete_and_moderation_frames) {
  EXPECT_EQ(parse_ok<reaction_frame>(R"({"type":"reaction","emoji":"🔥"})").emoji, "\xF0\x9F\x94\xA5");
  EXPECT_EQ(parse_err(R"({"type":"reaction","emoji":""})"), "invalid_frame");
  EXPECT_EQ(parse_err(R"({"type":"reaction"})"), "invalid_frame");
  EXPECT_EQ(parse_err(R"({"type":"reaction","emoji":")" + std::string(17, 'x') + "\"}"), "invalid_frame");

  EXPECT_EQ(parse_ok<delete_frame>(R"({"type":"delete","seq":18446744073709551615})").seq, 18446744073709551615ull);
  EXPECT_EQ(parse_err(R"({"type":"delete"})"), "invalid_frame");
  EXPECT_EQ(parse_err(R"({"type":"delete","seq":"5"})"), "invalid_frame");
  EXPECT_EQ(parse_err(R"({"type":"delete","seq":-5})"), "invalid_frame");

  auto mu = parse_ok<mute_frame>(R"({"type":"mute","user":"jwt:42","seconds":600})");
  EXPECT_EQ(mu.user, "jwt:42");
  EXPECT_EQ(mu.seconds, 600u);
  EXPECT_EQ(parse_err(R"({"type":"mute","user":"u","seconds":4294967296})"), "invalid_frame");
  EXPECT_EQ(parse_err(R"({"type":"mute","seconds":5})"), "invalid_frame");
  EXPECT_EQ(parse_err(R"({"type":"mute","user":"","seconds":5})"), "invalid_frame");
  EXPECT_EQ(parse_err(R"({"type":"mute","user":"u"})"), "invalid_frame");

  EXPECT_EQ(parse_ok<ban_frame>(R"({"type":"ban","user":"anon:x"})").user, "anon:x");
  EXPECT_EQ(parse_err(R"({"type":"ban","user":1})"), "invalid_frame");
  EXPECT_EQ(parse_ok<unban_frame>(R"({"type":"unban","user":"anon:x"})").user, "anon:x");
  EXPECT_EQ(parse_err(R"({"type":"unban"})"), "invalid_frame");
  EXPECT_EQ(parse_ok<slow_mode_frame>(R"({"type":"slow_mode","seconds":0})").seconds, 0u);
  EXPECT_EQ(parse_ok<slow_mode_frame>(R"({"type":"slow_mode","seconds":30})").seconds, 30u);
  EXPECT_EQ(parse_err(R"({"type":"slow_mode","seconds":true})"), "invalid_frame");
  parse_ok<clear_frame>(R"({"type":"clear"})");
  parse_ok<ping_frame>(R"({"type":"ping"})");
}

TEST(chat_codec, invalid_json_unknown_type_and_shape) {
  for (const char* bad : {"", "{", "not json", R"({"type":"msg","text":"x"} trailing)", "{\"type\":\"msg\",\"text\":\"\xff\"}"})
    EXPECT_EQ(parse_err(bad), "invalid_json") << bad;
  EXPECT_EQ(parse_err(R"({"text":"x"})"), "unknown_type");
  EXPECT_EQ(parse_err(R"({"type":"shout"})"), "unknown_type");
  EXPECT_EQ(parse_err(R"({"type":7})"), "unknown_type");
  EXPECT_EQ(parse_err(R"({"type":"JOIN"})"), "unknown_type");  // types are case-sensitive
  EXPECT_EQ(parse_err(R"([{"type":"ping"}])"), "invalid_frame");
  EXPECT_EQ(parse_err(R"("ping")"), "invalid_frame");
  // Deep nesting is just data: no stack overflow, no exception.
  EXPECT_EQ(parse_err(std::string(4000, '[') + std::string(4000, ']')), "invalid_frame");
}

json j(const std::string& s) {
  auto v = json::parse(s, nullptr, false);
  EXPECT_FALSE(v.is_discarded()) << s;
  return v;
}

const user_info ana{"jwt:42", "Ana", "dj"};

TEST(chat_codec, render_welcome_history_gap_msg) {
  EXPECT_EQ(j(render_welcome("r1", ana, 17, 3, 5)),
            json({{"type", "welcome"},
                  {"room", "r1"},
                  {"you", {{"id", "jwt:42"}, {"name", "Ana"}, {"role", "dj"}}},
                  {"last_seq", 17},
                  {"viewers", 3},
                  {"slow_mode", 5}}));
  const chat_message m{7, 1714564800123, ana, "hello"};
  const json mj{{"seq", 7}, {"ts", "2024-05-01T12:00:00.123Z"}, {"user", {{"id", "jwt:42"}, {"name", "Ana"}, {"role", "dj"}}}, {"text", "hello"}};
  auto mm = mj;
  mm["type"] = "msg";
  EXPECT_EQ(j(render_message(m)), mm);
  EXPECT_EQ(j(render_history({m, m}, false)), json({{"type", "history"}, {"replay", false}, {"messages", {mj, mj}}}));
  EXPECT_EQ(j(render_history({}, true)), json({{"type", "history"}, {"replay", true}, {"messages", json::array()}}));
  EXPECT_EQ(j(render_gap(3, 100)), json({{"type", "gap"}, {"since", 3}, {"oldest", 100}}));
}

TEST(chat_codec, render_the_other_server_frames) {
  EXPECT_EQ(j(render_ack("c-1", 9)), json({{"type", "ack"}, {"client_id", "c-1"}, {"seq", 9}}));
  EXPECT_EQ(j(render_reactions({{"🔥", 3}, {"👏", 1}})), json({{"type", "reactions"}, {"counts", {{"🔥", 3}, {"👏", 1}}}}));
  EXPECT_EQ(j(render_reactions({})), json({{"type", "reactions"}, {"counts", json::object()}}));
  EXPECT_EQ(j(render_presence(12)), json({{"type", "presence"}, {"viewers", 12}}));
  EXPECT_EQ(j(render_deleted(4, "jwt:1")), json({{"type", "deleted"}, {"seq", 4}, {"by", "jwt:1"}}));
  EXPECT_EQ(j(render_cleared(40, "jwt:1")), json({{"type", "cleared"}, {"up_to", 40}, {"by", "jwt:1"}}));
  EXPECT_EQ(j(render_moderation("mute", "anon:x", 1714564800000, "jwt:1")),
            json({{"type", "moderation"}, {"action", "mute"}, {"user", "anon:x"}, {"by", "jwt:1"},
                  {"until", "2024-05-01T12:00:00.000Z"}, {"until_ms", 1714564800000}}));
  EXPECT_EQ(j(render_moderation("ban", "anon:x", 0, "jwt:1")),
            json({{"type", "moderation"}, {"action", "ban"}, {"user", "anon:x"}, {"by", "jwt:1"}}));
  EXPECT_EQ(j(render_slow_mode(10, "jwt:1")), json({{"type", "slow_mode"}, {"seconds", 10}, {"by", "jwt:1"}}));
  EXPECT_EQ(j(render_system("live")), json({{"type", "system"}, {"event", "live"}}));
  EXPECT_EQ(j(render_error("invalid_json", "nope")), json({{"type", "error"}, {"code", "invalid_json"}, {"message", "nope"}}));
  EXPECT_EQ(j(render_pong()), json({{"type", "pong"}}));
}

TEST(chat_codec, render_escapes_and_never_throws_on_bad_utf8) {
  const chat_message m{1, 0, {"a", "quote\" back\\ nl\n", "viewer"}, "bad \xff utf8"};
  const auto v = j(render_message(m));
  EXPECT_EQ(v["user"]["name"], "quote\" back\\ nl\n");
  EXPECT_EQ(v["text"], "bad \xEF\xBF\xBD utf8");  // U+FFFD
  EXPECT_EQ(j(render_error("x", "\xc3"))["type"], "error");
}

}  // namespace
}  // namespace onair::net::chat
