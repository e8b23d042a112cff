#include "actors/room_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <chrono>
#include <spdlog/spdlog.h>

#include "actors/chat_channel_actor.hpp"
#include "actors/messages.hpp"
#include "actors/node_metrics.hpp"
#include "actors/packager_actor.hpp"
#include "actors/room_rules.hpp"
#include "actors/stream_actor.hpp"
#include "media/digest.hpp"
#include "net/hls/hls_index.hpp"

namespace onair::actors {

namespace {

using namespace std::chrono_literals;
constexpr auto storage_timeout = 10s;
/// Media sequence numbers are reserved in blocks so a crash never reuses a published number while the
/// room writes to storage only once per block, not once per segment.
constexpr std::uint64_t msn_reserve_block = 64;

struct current_publisher {
  caf::actor stream;
  std::function<void()> kick;
  std::uint64_t connection_id = 0;
};

struct room_state {
  storage::room_record rec;
  room_deps deps;
  std::uint64_t viewers = 0;
  std::optional<current_publisher> publisher;
  caf::actor packager;
  caf::actor chat;  ///< the room's chat channel, spawned on the first chat join
};

using room_actor = caf::stateful_actor<room_state>;

void report(room_actor* self) {
  self->send(self->state.deps.directory, update_atom::value, self->state.rec, self->state.viewers);
}

/// Writes the record, then answers `rp` with `reply` (or the storage error) and tells the directory.
template <class T>
void persist_then(room_actor* self, caf::typed_response_promise<T> rp, std::function<T()> reply) {
  self->request(self->state.deps.storage, storage_timeout, put_atom::value, self->state.rec)
      .then([=]() mutable {
              report(self);
              rp.deliver(reply());
            },
            [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
}

/// Writes the record without anyone waiting for it (lifecycle changes driven by the publisher).
void persist_async(room_actor* self) {
  auto id = self->state.rec.id;
  self->request(self->state.deps.storage, storage_timeout, put_atom::value, self->state.rec)
      .then([]() {}, [id](caf::error& err) {
        spdlog::error("room {}: could not persist state: {}", id, caf::to_string(err));
      });
  report(self);
}

/// Tells the room's chatters about a lifecycle change ("live", "ready", "ended").
void chat_event(room_actor* self, const char* event) {
  if (self->state.chat) self->send(self->state.chat, system_atom::value, std::string(event));
}

void kick_publisher(room_actor* self) {
  auto& st = self->state;
  if (!st.publisher) return;
  if (st.publisher->kick) st.publisher->kick();
  st.publisher.reset();
}

caf::actor ensure_packager(room_actor* self) {
  auto& st = self->state;
  if (!st.packager) {
    auto opts = st.deps.packager;
    opts.name = st.rec.kind == 1 ? "audio" : "source";
    opts.audio_only = st.rec.kind == 1;
    // After a restart the window is empty: continue numbering from the reserved block and count the
    // restart as a discontinuity so a player that kept its position sees a clean boundary.
    media::sequence_state start{st.rec.next_msn, st.rec.discontinuity_seq + (st.rec.next_msn > 0 ? 1 : 0)};
    st.packager = spawn_packager_actor(self->system(), st.rec.id, opts, start, caf::actor_cast<caf::actor>(self),
                                       st.deps.index, st.deps.metrics);
    self->link_to(st.packager);
  }
  return st.packager;
}

caf::error check_modify(const room_state& st, const principal& who) {
  if (who.role.empty()) return make_api_error(api_errc::unauthorized, "an API token is required");
  if (!may_modify(who, st.rec))
    return make_api_error(api_errc::forbidden, "only the room's owner or an admin may change it");
  return {};
}

caf::behavior room_behavior(room_actor* self) {
  return {
    [=](get_atom) -> net::api::room_view { return to_view(self->state.rec, self->state.viewers); },
    [=](patch_atom, const principal& who, const net::api::patch_room_request& req) -> caf::result<net::api::room_view> {
      auto& st = self->state;
      if (auto err = check_modify(st, who)) return err;
      if (req.title) st.rec.title = *req.title;
      if (req.description) st.rec.description = *req.description;
      if (req.tags) st.rec.tags = *req.tags;
      st.rec.updated_at_ms = now_ms();
      auto rp = self->make_response_promise<net::api::room_view>();
      persist_then<net::api::room_view>(self, rp, [=] { return to_view(self->state.rec, self->state.viewers); });
      return rp;
    },
    [=](end_atom, const principal& who) -> caf::result<net::api::room_view> {
      auto& st = self->state;
      if (auto err = check_modify(st, who)) return err;
      if (st.rec.status == 2) return make_api_error(api_errc::conflict, "the room has already ended");
      kick_publisher(self);
      st.rec.status = 2;
      st.rec.updated_at_ms = now_ms();
      if (st.packager) self->send(st.packager, end_atom::value, true);
      chat_event(self, "ended");
      auto rp = self->make_response_promise<net::api::room_view>();
      persist_then<net::api::room_view>(self, rp, [=] { return to_view(self->state.rec, self->state.viewers); });
      return rp;
    },
    [=](rotate_atom, const principal& who) -> caf::result<net::api::room_view> {
      auto& st = self->state;
      if (auto err = check_modify(st, who)) return err;
      if (st.rec.status == 2) return make_api_error(api_errc::conflict, "the room has ended; its key cannot be rotated");
      auto key = new_stream_key();
      st.rec.stream_key_hash = media::sha256_hex(key);
      st.rec.updated_at_ms = now_ms();
      // The publisher already live keeps streaming: rotating protects the next connection, and cutting a
      // live show because its DJ rotated a leaked key would punish the wrong person.
      auto rp = self->make_response_promise<net::api::room_view>();
      persist_then<net::api::room_view>(self, rp, [=] {
        auto v = to_view(self->state.rec, self->state.viewers);
        v.stream_key = key;
        return v;
      });
      return rp;
    },
    [=](delete_atom, const principal& who) -> caf::result<caf::unit_t> {
      auto& st = self->state;
      if (auto err = check_modify(st, who)) return err;
      auto rp = self->make_response_promise<caf::unit_t>();
      self->request(st.deps.storage, storage_timeout, delete_atom::value, st.rec.id)
          .then([=]() mutable {
                  auto& st = self->state;
                  kick_publisher(self);
                  if (st.packager) {
                    self->unlink_from(st.packager);
                    self->send(st.packager, delete_atom::value);
                  } else {
                    st.deps.index->remove(st.rec.id);
                  }
                  if (st.chat) {
                    self->unlink_from(st.chat);
                    self->send(st.chat, delete_atom::value);
                  } else {
                    self->send(st.deps.storage, chat_drop_atom::value, st.rec.id);
                  }
                  self->send(st.deps.directory, removed_atom::value, st.rec.id);
                  rp.deliver(caf::unit);
                  self->quit();
                },
                [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
      return rp;
    },
    [=](publish_atom, publish_attempt& attempt) -> caf::result<caf::actor> {
      auto& st = self->state;
      if (st.rec.status == 2) {
        ++st.deps.metrics->publishes_refused;
        return make_api_error(api_errc::conflict, "this room has ended");
      }
      if (st.publisher) {
        // A newer publisher with the same key wins: an encoder that reconnects after a network drop is
        // never locked out by its own half-dead previous connection.
        spdlog::info("room {}: connection {} replaces publisher connection {}", st.rec.id, attempt.connection_id,
                     st.publisher->connection_id);
        ++st.deps.metrics->publishers_replaced;
        kick_publisher(self);
      }
      auto packager = ensure_packager(self);
      stream_options opts;
      opts.audio_only = st.rec.kind == 1;
      auto stream = spawn_stream_actor(self->system(), st.rec.id, caf::actor_cast<caf::actor>(self), packager, opts);
      st.publisher = current_publisher{stream, std::move(attempt.kick), attempt.connection_id};
      ++st.deps.metrics->publishes_accepted;
      spdlog::info("room {}: live (connection {} from {})", st.rec.id, attempt.connection_id, attempt.peer);
      if (st.rec.status != 1) {
        st.rec.status = 1;
        st.rec.updated_at_ms = now_ms();
        persist_async(self);
        chat_event(self, "live");
      }
      return stream;
    },
    [=](unpub_atom, const caf::actor& stream) {
      auto& st = self->state;
      if (st.publisher && st.publisher->stream == stream) st.publisher.reset();
      if (!st.publisher && st.rec.status == 1) {
        spdlog::info("room {}: publisher left, room ready", st.rec.id);
        st.rec.status = 0;
        st.rec.updated_at_ms = now_ms();
        persist_async(self);
        chat_event(self, "ready");
      }
    },
    [=](sequence_atom, const media::sequence_state& seq) {
      auto& st = self->state;
      st.rec.discontinuity_seq = seq.discontinuity_seq;
      if (seq.next_msn + msn_reserve_block / 4 >= st.rec.next_msn) {
        st.rec.next_msn = seq.next_msn + msn_reserve_block;
        persist_async(self);
      }
    },
    [=](viewer_atom, int delta) {
      auto& st = self->state;
      if (delta < 0 && st.viewers < static_cast<std::uint64_t>(-delta)) st.viewers = 0;
      else st.viewers = static_cast<std::uint64_t>(static_cast<std::int64_t>(st.viewers) + delta);
      report(self);
    },
    [=](chat_atom) -> caf::result<caf::actor, std::string> {
      auto& st = self->state;
      if (!st.chat) {
        st.chat = spawn_chat_channel(self->system(), st.rec.id, st.deps.chat, st.deps.storage, st.deps.metrics);
        self->link_to(st.chat);
      }
      return {st.chat, st.rec.owner};
    },
    [=](shutdown_atom) -> caf::result<caf::unit_t> {
      auto& st = self->state;
      kick_publisher(self);
      if (st.packager && st.rec.status != 2) self->send(st.packager, end_atom::value, false);
      if (st.rec.status == 1) st.rec.status = 0;
      auto rp = self->make_response_promise<caf::unit_t>();
      persist_then<caf::unit_t>(self, rp, [] { return caf::unit; });
      return rp;
    },
  };
}

}  // namespace

caf::actor spawn_room_actor(caf::actor_system& sys, storage::room_record rec, room_deps deps) {
  return sys.spawn([rec = std::move(rec), deps = std::move(deps)](room_actor* self) mutable {
    auto& st = self->state;
    st.rec = std::move(rec);
    st.deps = std::move(deps);
    if (st.rec.status == 1) {
      // The node stopped while this room was live (crash): nobody is publishing now.
      st.rec.status = 0;
      persist_async(self);
    }
    return room_behavior(self);
  });
}

}  // namespace onair::actors
