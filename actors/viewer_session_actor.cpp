#include "actors/viewer_session_actor.hpp"

#include <caf/actor_clock.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <unordered_map>

#include "actors/messages.hpp"

namespace onair::actors {

namespace {


struct session_state {
  std::string room;
  caf::actor directory;
  caf::actor_clock::time_point last_seen;  ///< from the actor clock, so tests can drive time
};

using session_actor = caf::stateful_actor<session_state>;

caf::behavior session_behavior(session_actor* self, std::chrono::milliseconds idle_timeout) {
  self->send(self->state.directory, viewer_atom::value, self->state.room, 1);
  self->delayed_send(self, idle_timeout, tick_atom::value);
  return {
    [=](activity_atom) { self->state.last_seen = self->clock().now(); },
    [=](tick_atom) {
      auto idle = self->clock().now() - self->state.last_seen;
      if (idle >= idle_timeout) {
        self->send(self->state.directory, viewer_atom::value, self->state.room, -1);
        self->quit();
        return;
      }
      self->delayed_send(self, idle_timeout - std::chrono::duration_cast<std::chrono::milliseconds>(idle),
                         tick_atom::value);
    },
  };
}

struct registry_state {
  caf::actor directory;
  std::unordered_map<std::string, caf::actor> sessions;  ///< "room\nsession" -> session actor
  std::unordered_map<caf::actor_addr, std::string> keys;  ///< reverse index, for down messages
};

using registry_actor = caf::stateful_actor<registry_state>;

}  // namespace

caf::actor spawn_viewer_registry(caf::actor_system& sys, caf::actor directory, std::chrono::milliseconds idle_timeout) {
  return sys.spawn([=](registry_actor* self) -> caf::behavior {
    self->state.directory = directory;
    self->set_down_handler([=](caf::down_msg& dm) {
      auto& st = self->state;
      if (auto it = st.keys.find(dm.source); it != st.keys.end()) {
        st.sessions.erase(it->second);
        st.keys.erase(it);
      }
    });
    return {
      [=](activity_atom, const std::string& room, const std::string& session) {
        auto& st = self->state;
        auto key = room + '\n' + session;
        auto it = st.sessions.find(key);
        if (it != st.sessions.end()) {
          self->send(it->second, activity_atom::value);
          return;
        }
        auto s = self->spawn([=](session_actor* sa) {
          sa->state.room = room;
          sa->state.directory = st.directory;
          sa->state.last_seen = sa->clock().now();
          return session_behavior(sa, idle_timeout);
        });
        self->monitor(s);
        self->link_to(s);  // node shutdown (exit of the registry) ends every session at once
        st.keys.emplace(s.address(), key);
        st.sessions.emplace(std::move(key), s);
      },
    };
  });
}

}  // namespace onair::actors
