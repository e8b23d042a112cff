#include "actors/directory_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <spdlog/spdlog.h>
#include <unordered_map>

#include "actors/messages.hpp"
#include "actors/node_metrics.hpp"
#include "actors/room_rules.hpp"
#include "media/digest.hpp"

namespace onair::actors {

namespace {

using namespace std::chrono_literals;

struct room_entry {
  caf::actor actor;
  room_summary summary;
};

struct directory_state {
  room_deps deps;
  std::unordered_map<std::string, room_entry> rooms;
  std::unordered_map<std::string, std::string> by_key_hash;  ///< sha256(stream key) -> room id
};

using directory_actor = caf::stateful_actor<directory_state>;

void add_room(directory_actor* self, storage::room_record rec) {
  auto& st = self->state;
  auto id = rec.id;
  st.by_key_hash[rec.stream_key_hash] = id;
  room_entry e;
  e.summary.record = rec;
  e.actor = spawn_room_actor(self->system(), std::move(rec), st.deps);
  self->link_to(e.actor);  // node shutdown (exit of the directory) reaches every room
  st.rooms[id] = std::move(e);
}

/// Open-publish names become room ids and URL path segments: 1..64 URL-safe characters.
bool valid_open_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_';
  });
}

caf::error not_found(const std::string& id) { return make_api_error(api_errc::not_found, "no room with id '" + id + "'"); }

/// Forwards a per-room request to the room actor, keeping the requester's response promise.
template <class T, class... Ts>
caf::result<T> to_room(directory_actor* self, const std::string& id, Ts&&... xs) {
  auto it = self->state.rooms.find(id);
  if (it == self->state.rooms.end()) return not_found(id);
  auto rp = self->make_response_promise<T>();
  rp.delegate(it->second.actor, std::forward<Ts>(xs)...);
  return rp;
}

net::api::room_page list(const directory_state& st, const net::api::list_rooms_request& req) {
  std::int64_t after_created = 0;
  std::string after_id;
  const bool has_cursor = parse_cursor(req.cursor, after_created, after_id);
  storage::room_record after;
  after.created_at_ms = after_created;
  after.id = after_id;
  std::vector<const room_summary*> hits;
  for (const auto& [id, e] : st.rooms) {
    if (!matches(e.summary.record, req)) continue;
    if (has_cursor && !list_before(after, e.summary.record)) continue;
    hits.push_back(&e.summary);
  }
  std::sort(hits.begin(), hits.end(), [](auto* a, auto* b) { return list_before(a->record, b->record); });
  net::api::room_page page;
  for (std::size_t i = 0; i < hits.size() && i < req.limit; ++i)
    page.rooms.push_back(to_view(hits[i]->record, hits[i]->viewers));
  if (hits.size() > req.limit && !page.rooms.empty()) page.next_cursor = cursor_after(hits[req.limit - 1]->record);
  return page;
}

caf::behavior directory_behavior(directory_actor* self) {
  return {
    [=](create_atom, const principal& who, const net::api::create_room_request& req) -> caf::result<net::api::room_view> {
      if (who.role.empty()) return make_api_error(api_errc::unauthorized, "an API token is required");
      if (who.role != "dj" && who.role != "admin")
        return make_api_error(api_errc::forbidden, "only dj and admin tokens may create rooms");
      storage::room_record rec;
      rec.id = new_room_id();
      rec.owner = who.name;
      rec.title = req.title;
      rec.description = req.description;
      rec.kind = static_cast<std::uint8_t>(req.kind);
      rec.tags = req.tags;
      rec.status = 0;
      auto key = new_stream_key();
      rec.stream_key_hash = media::sha256_hex(key);
      rec.created_at_ms = rec.updated_at_ms = now_ms();
      auto rp = self->make_response_promise<net::api::room_view>();
      self->request(self->state.deps.storage, 10s, put_atom::value, rec)
          .then([=]() mutable {
                  add_room(self, rec);
                  spdlog::info("room {} created by {}: {}", rec.id, who.name, rec.title);
                  auto v = to_view(rec, 0);
                  v.stream_key = key;
                  rp.deliver(v);
                },
                [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
      return rp;
    },
    [=](list_atom, const net::api::list_rooms_request& req) { return list(self->state, req); },
    [=](get_atom, const std::string& id) { return to_room<net::api::room_view>(self, id, get_atom::value); },
    [=](patch_atom, const principal& who, const std::string& id, const net::api::patch_room_request& req) {
      return to_room<net::api::room_view>(self, id, patch_atom::value, who, req);
    },
    [=](end_atom, const principal& who, const std::string& id) {
      return to_room<net::api::room_view>(self, id, end_atom::value, who);
    },
    [=](rotate_atom, const principal& who, const std::string& id) {
      return to_room<net::api::room_view>(self, id, rotate_atom::value, who);
    },
    [=](delete_atom, const principal& who, const std::string& id) {
      return to_room<caf::unit_t>(self, id, delete_atom::value, who);
    },
    [=](publish_atom, const std::string& key_hash, publish_attempt& attempt) -> caf::result<caf::actor> {
      auto it = self->state.by_key_hash.find(key_hash);
      if (it != self->state.by_key_hash.end())
        return to_room<caf::actor>(self, it->second, publish_atom::value, std::move(attempt));
      if (!attempt.open_name.empty() && valid_open_name(attempt.open_name) &&
          !self->state.rooms.count(attempt.open_name)) {
        // Open-publish mode: the first publish of a name creates its room (id = name, key = name).
        storage::room_record rec;
        rec.id = attempt.open_name;
        rec.owner = "open-publish";
        rec.title = attempt.open_name;
        rec.stream_key_hash = key_hash;
        rec.created_at_ms = rec.updated_at_ms = now_ms();
        auto rp = self->make_response_promise<caf::actor>();
        self->request(self->state.deps.storage, 10s, put_atom::value, rec)
            .then([=]() mutable {
                    add_room(self, rec);
                    spdlog::info("room {} created by open publish", rec.id);
                    rp.delegate(self->state.rooms[rec.id].actor, publish_atom::value, attempt);
                  },
                  [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      }
      ++self->state.deps.metrics->publishes_refused;
      return make_api_error(api_errc::not_found, "invalid stream key");
    },
    [=](chat_atom, const std::string& id) -> caf::result<caf::actor, std::string> {
      auto it = self->state.rooms.find(id);
      if (it == self->state.rooms.end()) return not_found(id);
      auto rp = self->make_response_promise<caf::actor, std::string>();
      rp.delegate(it->second.actor, chat_atom::value);
      return rp;
    },
    [=](update_atom, const storage::room_record& rec, std::uint64_t viewers) {
      auto& st = self->state;
      auto it = st.rooms.find(rec.id);
      if (it == st.rooms.end()) return;
      auto& old = it->second.summary.record;
      if (old.stream_key_hash != rec.stream_key_hash) {
        st.by_key_hash.erase(old.stream_key_hash);
        st.by_key_hash[rec.stream_key_hash] = rec.id;
      }
      it->second.summary = room_summary{rec, viewers};
    },
    [=](removed_atom, const std::string& id) {
      auto& st = self->state;
      auto it = st.rooms.find(id);
      if (it == st.rooms.end()) return;
      st.by_key_hash.erase(it->second.summary.record.stream_key_hash);
      st.rooms.erase(it);
      spdlog::info("room {} deleted", id);
    },
    [=](viewer_atom, const std::string& id, int delta) {
      auto it = self->state.rooms.find(id);
      if (it != self->state.rooms.end()) self->send(it->second.actor, viewer_atom::value, delta);
    },
    [=](stats_atom) {
      node_stats s;
      for (const auto& [id, e] : self->state.rooms) {
        ++s.rooms;
        if (e.summary.record.status == 1) ++s.live;
        s.viewers += e.summary.viewers;
      }
      return s;
    },
    [=](shutdown_atom) -> caf::result<caf::unit_t> {
      // Check before making the promise: once a promise exists, CAF 0.17 ignores a returned value.
      if (self->state.rooms.empty()) return caf::unit;
      auto rp = self->make_response_promise<caf::unit_t>();
      auto pending = std::make_shared<std::size_t>(self->state.rooms.size());
      for (auto& [id, e] : self->state.rooms) {
        self->request(e.actor, 10s, shutdown_atom::value)
            .then([=]() mutable { if (--*pending == 0) rp.deliver(caf::unit); },
                  [=](caf::error& err) mutable {
                    spdlog::error("shutdown: a room did not confirm: {}", caf::to_string(err));
                    if (--*pending == 0) rp.deliver(caf::unit);
                  });
      }
      return rp;
    },
  };
}

}  // namespace

caf::actor spawn_directory_actor(caf::actor_system& sys, std::vector<storage::room_record> rooms, room_deps deps) {
  return sys.spawn([rooms = std::move(rooms), deps = std::move(deps)](directory_actor* self) mutable {
    self->state.deps = std::move(deps);
    self->state.deps.directory = caf::actor_cast<caf::actor>(self);
    for (auto& r : rooms) add_room(self, std::move(r));
    return directory_behavior(self);
  });
}

}  // namespace onair::actors
