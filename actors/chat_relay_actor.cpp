#include "actors/chat_relay_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <chrono>
#include <spdlog/spdlog.h>
#include <unordered_map>

#include "actors/messages.hpp"

namespace onair::actors {

namespace {

using namespace std::chrono_literals;
using net::chat::session_sink;
using prio = session_sink::priority;
constexpr auto lookup_timeout = 5s;
constexpr auto retry_after = 1s;

struct relay_member {
  std::shared_ptr<session_sink> sink;
  /// Broadcasts reach the member only after the channel sent its welcome and history (rlive): a client
  /// resuming with `since` must get its replay before anything newer (docs/chat-protocol.md).
  bool live = false;
};

/// A join that arrived while the owner's channel is being looked up.
struct pending_join {
  net::chat::user_info user;
  std::shared_ptr<session_sink> sink;
  std::optional<std::uint64_t> since;
};

struct relay_state {
  std::string room;
  caf::actor directory;
  caf::actor channel;  ///< the owner's channel (a proxy when the owner is another node)
  std::unordered_map<std::uint64_t, relay_member> members;
  std::unordered_map<std::uint64_t, pending_join> pending;  ///< joins waiting for the channel
};

using relay_actor = caf::stateful_actor<relay_state>;

media::shared_bytes frame(const std::string& text) {
  return media::make_shared_bytes(std::vector<std::uint8_t>(text.begin(), text.end()));
}

caf::behavior connecting(relay_actor* self);

/// Closes every member with 1012: the room's chat moved (its owner died, left or drained); they
/// reconnect, to this node or any other, and resume with `since` (docs/chat-protocol.md, "Failover").
void close_members_moved(relay_state& st) {
  for (auto& [conn, m] : st.members)
    m.sink->close(net::chat::close_code::service_restart, "the room's chat moved to another node; reconnect");
  st.members.clear();
}

/// The owner's channel is gone (its node died, left, or the link dropped): the members reconnect and
/// resume with `since`; the relay looks the channel up again (it follows the new owner once the
/// directory names one).
void lose_channel(relay_actor* self) {
  auto& st = self->state;
  spdlog::warn("chat relay {}: lost the owner's channel; closing {} local members so they reconnect", st.room,
               st.members.size());
  close_members_moved(st);
  st.channel = caf::actor{};
  self->become(connecting(self));
}

void forward_join(relay_actor* self, std::uint64_t conn, net::chat::user_info user, std::shared_ptr<session_sink> sink,
                  std::optional<std::uint64_t> since) {
  auto& st = self->state;
  st.members[conn] = relay_member{std::move(sink)};
  self->send(st.channel, rjoin_atom::value, caf::actor_cast<caf::actor>(self), conn, std::move(user),
             since.has_value(), since.value_or(0));
}

caf::behavior running(relay_actor* self) {
  self->set_default_handler(caf::print_and_drop);
  return {
    [=](join_atom, std::uint64_t conn, net::chat::user_info& user, std::shared_ptr<session_sink>& sink,
        std::optional<std::uint64_t> since) { forward_join(self, conn, std::move(user), std::move(sink), since); },
    [=](leave_atom, std::uint64_t conn) {
      auto& st = self->state;
      if (st.members.erase(conn) > 0)
        self->send(st.channel, rleave_atom::value, caf::actor_cast<caf::actor>(self), conn);
    },
    [=](cframe_atom, std::uint64_t conn, net::chat::client_frame& f) {
      auto& st = self->state;
      if (st.members.count(conn))
        self->send(st.channel, rcframe_atom::value, caf::actor_cast<caf::actor>(self), conn, std::move(f));
    },
    [=](rframe_atom, std::uint64_t conn, const std::string& text, bool droppable) {
      auto& st = self->state;
      const auto p = droppable ? prio::droppable : prio::normal;
      if (conn == 0) {
        auto f = frame(text);  // rendered once, shared by every local member
        for (auto& [id, m] : st.members)
          if (m.live) m.sink->send(f, p);
      } else if (auto it = st.members.find(conn); it != st.members.end()) {
        it->second.sink->send(frame(text), p);
      }
    },
    [=](rlive_atom, std::uint64_t conn) {
      if (auto it = self->state.members.find(conn); it != self->state.members.end()) it->second.live = true;
    },
    [=](rclose_atom, std::uint64_t conn, std::uint16_t code, std::string& reason) {
      auto& st = self->state;
      if (conn == 0) {
        for (auto& [id, m] : st.members) m.sink->close(code, reason);
        st.members.clear();
      } else if (auto it = st.members.find(conn); it != st.members.end()) {
        it->second.sink->close(code, std::move(reason));
        st.members.erase(it);
      }
    },
    [=](system_atom, const std::string&) {
      // The owner's room tells its channel, which broadcasts to every relay: nothing to do here.
    },
    [=](delete_atom) {
      for (auto& [id, m] : self->state.members) m.sink->close(net::chat::close_code::not_found, "the room was deleted");
      self->quit();
    },
    [=](moved_atom) {  // this node's room now owns the chat (or stopped following): the channel takes over
      close_members_moved(self->state);
      self->quit();
    },
  };
}

/// The lookup failed: a join is never left without an answer (issue #13). Each waiting client gets an
/// error frame and close 1013, and retries; later joins wait for the next lookup.
void refuse_pending(relay_actor* self, const std::string& why) {
  auto& st = self->state;
  for (auto& [conn, p] : st.pending) {
    p.sink->send(frame(net::chat::render_error("unavailable", "the room's chat is not reachable right now (" + why +
                                                                  "); reconnect in a moment")),
                 prio::normal);
    p.sink->close(net::chat::close_code::try_again_later, "chat not reachable yet; retry");
  }
  st.pending.clear();
}

/// Asks the directory (which forwards to the owner's node) for the room's channel; joins and frames
/// wait in the mailbox meanwhile.
void look_up(relay_actor* self) {
  auto& st = self->state;
  self->request(st.directory, lookup_timeout, relay_atom::value, st.room)
      .then(
          [=](const caf::actor& channel, const std::string&) {
            auto& st = self->state;
            st.channel = channel;
            self->monitor(channel);
            self->send(channel, relay_atom::value, caf::actor_cast<caf::actor>(self));
            spdlog::info("chat relay {}: following the owner's channel", st.room);
            self->become(running(self));
            auto waiting = std::move(st.pending);
            st.pending.clear();
            for (auto& [conn, p] : waiting) forward_join(self, conn, std::move(p.user), std::move(p.sink), p.since);
          },
          [=](caf::error& err) {
            spdlog::debug("chat relay {}: owner's channel not reachable yet: {}", self->state.room, caf::to_string(err));
            refuse_pending(self, caf::to_string(err).find("unavailable") != std::string::npos ? "owner moving"
                                                                                                  : "lookup failed");
            self->delayed_send(self, retry_after, tick_atom::value);
          });
}

caf::behavior connecting(relay_actor* self) {
  // Frames of waiting members stay in the mailbox until the channel is known; joins are held here so a
  // failed lookup can answer them.
  self->set_default_handler(caf::skip);
  look_up(self);
  return {
    [=](tick_atom) { look_up(self); },
    [=](join_atom, std::uint64_t conn, net::chat::user_info& user, std::shared_ptr<session_sink>& sink,
        std::optional<std::uint64_t> since) {
      self->state.pending[conn] = pending_join{std::move(user), std::move(sink), since};
    },
    [=](leave_atom, std::uint64_t conn) { self->state.pending.erase(conn); },
    [=](delete_atom) {
      for (auto& [conn, p] : self->state.pending) p.sink->close(net::chat::close_code::not_found, "the room was deleted");
      self->quit();
    },
    [=](moved_atom) {
      refuse_pending(self, "owner moved");
      self->quit();
    },
  };
}

}  // namespace

caf::actor spawn_chat_relay(caf::actor_system& sys, std::string room_id, caf::actor directory) {
  return sys.spawn([=](relay_actor* self) -> caf::behavior {
    self->state.room = room_id;
    self->state.directory = directory;
    self->set_down_handler([=](caf::down_msg& dm) {
      if (self->state.channel && dm.source == self->state.channel.address()) lose_channel(self);
    });
    return connecting(self);
  });
}

}  // namespace onair::actors
