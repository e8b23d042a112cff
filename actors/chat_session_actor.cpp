#include "actors/chat_session_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <chrono>
#include <spdlog/spdlog.h>

#include "actors/messages.hpp"
#include "actors/node_metrics.hpp"
#include "actors/room_rules.hpp"
#include "actors/token_bucket.hpp"
#include "media/digest.hpp"

namespace onair::actors {

namespace {

using namespace std::chrono_literals;
using net::chat::session_sink;

struct session_state {
  net::chat::open_request req;
  std::shared_ptr<session_sink> sink;
  chat_session_deps deps;
  caf::actor channel;
  net::chat::user_info user;
  token_bucket messages;
  token_bucket reactions;
  unsigned strikes = 0;
};

using session_actor = caf::stateful_actor<session_state>;

void send_frame(session_state& st, const std::string& text) {
  st.sink->send(media::make_shared_bytes(std::vector<std::uint8_t>(text.begin(), text.end())),
                session_sink::priority::normal);
}

/// A display name a viewer chose: trimmed to 32 code points of printable text; "guest" when empty.
std::string clean_nick(const std::string& nick) {
  std::string out;
  std::size_t chars = 0;
  for (unsigned char c : nick) {
    if (c < 0x20 || c == 0x7f) continue;                // control characters never reach other screens
    if ((c & 0xC0) != 0x80 && ++chars > 32) break;
    out.push_back(static_cast<char>(c));
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.empty() ? "guest" : out;
}

std::string normalize_role(const std::string& role) {
  if (role == "admin" || role == "moderator" || role == "dj") return role;
  return "viewer";
}

void fail_and_close(session_actor* self, const std::string& code, const std::string& message, std::uint16_t close) {
  send_frame(self->state, net::chat::render_error(code, message));
  self->state.sink->close(close, message);
  // Wait for the connection's on_close (leave_atom) to quit, ignoring anything else it still sends.
  self->become([=](leave_atom) { self->quit(); }, [](cframe_atom, const net::chat::client_frame&) {});
}

caf::behavior joined(session_actor* self);

void complete_join(session_actor* self, net::chat::user_info user, std::optional<std::uint64_t> since) {
  auto& st = self->state;
  st.user = std::move(user);
  self->send(st.channel, join_atom::value, st.req.connection_id, st.user, st.sink, since);
  self->set_default_handler(caf::print_and_drop);
  self->become(joined(self));
}

/// A frame that exceeded a rate limit: an error frame, and after flood_strikes in a row, close 4029.
void strike(session_actor* self, const char* what) {
  auto& st = self->state;
  if (++st.strikes >= st.deps.opts->flood_strikes) {
    fail_and_close(self, "flood", "too many frames over the rate limit", net::chat::close_code::flood);
    return;
  }
  send_frame(st, net::chat::render_error("rate_limited", std::string("too many ") + what + "; slow down"));
}

caf::behavior joined(session_actor* self) {
  return {
    [=](cframe_atom, net::chat::client_frame& f) {
      auto& st = self->state;
      const auto now = now_ms();
      if (std::holds_alternative<net::chat::join_frame>(f)) {
        send_frame(st, net::chat::render_error("already_joined", "this connection has already joined"));
      } else if (std::holds_alternative<net::chat::ping_frame>(f)) {
        send_frame(st, net::chat::render_pong());
      } else if (std::holds_alternative<net::chat::msg_frame>(f)) {
        if (!st.messages.take(now)) return strike(self, "messages");
        st.strikes = 0;
        self->send(st.channel, cframe_atom::value, st.req.connection_id, std::move(f));
      } else if (std::holds_alternative<net::chat::reaction_frame>(f)) {
        if (!st.reactions.take(now)) return strike(self, "reactions");
        st.strikes = 0;
        self->send(st.channel, cframe_atom::value, st.req.connection_id, std::move(f));
      } else {
        // Moderation: the channel decides who may do what.
        if (!st.messages.take(now)) return strike(self, "moderation actions");
        self->send(st.channel, cframe_atom::value, st.req.connection_id, std::move(f));
      }
    },
    [=](leave_atom) {
      self->send(self->state.channel, leave_atom::value, self->state.req.connection_id);
      self->quit();
    },
  };
}

void start_join(session_actor* self, net::chat::join_frame join) {
  auto& st = self->state;
  // Frames that arrive while we authenticate wait in the mailbox, in order.
  self->set_default_handler(caf::skip);
  self->become([](loaded_atom) {});
  self->request(st.deps.directory, 10s, chat_atom::value, st.req.room_id)
      .then(
          [=](caf::actor channel, const std::string& owner) {
            auto& st = self->state;
            st.channel = channel;
            if (join.token.empty()) {
              complete_join(self, {"anon:" + media::random_secret(6), clean_nick(join.nick), "viewer"}, join.since);
              return;
            }
            if (std::count(join.token.begin(), join.token.end(), '.') == 2) {
              auto now_s = now_ms() / 1000;
              auto v = net::chat::verify_jwt(join.token, st.deps.opts->secret, now_s);
              if (auto* err = std::get_if<std::string>(&v)) {
                self->set_default_handler(caf::print_and_drop);
                return fail_and_close(self, "unauthorized", "invalid chat token: " + *err,
                                      net::chat::close_code::unauthorized);
              }
              auto& c = std::get<net::chat::jwt_claims>(v);
              complete_join(self, {"jwt:" + c.sub, clean_nick(c.name.empty() ? c.sub : c.name), normalize_role(c.role)},
                            join.since);
              return;
            }
            self->request(st.deps.storage, 10s, token_atom::value, media::sha256_hex(join.token))
                .then(
                    [=](const storage::token_record& t) {
                      // An API token: admins are admins; the room owner's DJ token is the room's DJ.
                      std::string role = t.role == "admin" ? "admin" : (t.name == owner ? "dj" : "viewer");
                      complete_join(self, {"tok:" + t.name, clean_nick(t.name), role}, join.since);
                    },
                    [=](caf::error&) {
                      self->set_default_handler(caf::print_and_drop);
                      fail_and_close(self, "unauthorized", "unknown API token", net::chat::close_code::unauthorized);
                    });
          },
          [=](caf::error&) {
            self->set_default_handler(caf::print_and_drop);
            fail_and_close(self, "room_not_found", "no room with id '" + self->state.req.room_id + "'",
                           net::chat::close_code::not_found);
          });
}

}  // namespace

caf::actor spawn_chat_session(caf::actor_system& sys, net::chat::open_request req, std::shared_ptr<session_sink> sink,
                              chat_session_deps deps) {
  return sys.spawn([req = std::move(req), sink = std::move(sink), deps = std::move(deps)](session_actor* self) mutable
                   -> caf::behavior {
    auto& st = self->state;
    st.req = std::move(req);
    st.sink = std::move(sink);
    st.deps = std::move(deps);
    st.messages = token_bucket(st.deps.opts->session_msgs_burst, st.deps.opts->session_msgs_per_s);
    st.reactions = token_bucket(st.deps.opts->reactions_burst, st.deps.opts->reactions_per_s);
    if (st.deps.supervisor) self->link_to(st.deps.supervisor);
    ++st.deps.metrics->chat_sessions;
    self->attach_functor([m = st.deps.metrics] { --m->chat_sessions; });
    return {
      [=](cframe_atom, net::chat::client_frame& f) {
        if (auto* j = std::get_if<net::chat::join_frame>(&f)) start_join(self, std::move(*j));
        else send_frame(self->state, net::chat::render_error("join_required", "send a join frame first"));
      },
      [=](leave_atom) { self->quit(); },
    };
  });
}

namespace {
/// Forwards one connection's frames to its session actor; anon_send keeps their order.
class session_forwarder final : public net::chat::session_handler {
 public:
  explicit session_forwarder(caf::actor a) : actor_(std::move(a)) {}
  void on_frame(net::chat::client_frame frame) override { caf::anon_send(actor_, cframe_atom::value, std::move(frame)); }
  void on_close() override { caf::anon_send(actor_, leave_atom::value); }

 private:
  caf::actor actor_;
};
}  // namespace

std::shared_ptr<net::chat::session_handler> chat_gateway::on_open(net::chat::open_request req,
                                                                  std::shared_ptr<net::chat::session_sink> sink) {
  return std::make_shared<session_forwarder>(spawn_chat_session(sys_, std::move(req), std::move(sink), deps_));
}

}  // namespace onair::actors
