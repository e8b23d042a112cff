#include "actors/storage_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/messages.hpp"

namespace onair::actors {

namespace {
caf::error to_error(const std::error_code& ec, const char* what) {
  spdlog::error("storage: {} failed: {}", what, ec.message());
  return make_api_error(api_errc::internal, std::string("storage: ") + what + ": " + ec.message());
}
}  // namespace

caf::actor spawn_storage_actor(caf::actor_system& sys, std::shared_ptr<storage::store> db, bool detached) {
  auto behavior = [db](caf::event_based_actor*) -> caf::behavior {
    return {
      [db](put_atom, const storage::room_record& r) -> caf::result<caf::unit_t> {
        if (auto ec = db->put_room(r)) return to_error(ec, "put_room");
        return caf::unit;
      },
      [db](delete_atom, const std::string& id) -> caf::result<caf::unit_t> {
        auto ec = db->delete_room(id);
        if (ec && ec != storage::errc::not_found) return to_error(ec, "delete_room");
        return caf::unit;
      },
      [db](token_atom, const std::string& hash) -> caf::result<storage::token_record> {
        storage::token_record t;
        auto ec = db->find_token_by_hash(hash, t);
        if (ec == storage::errc::not_found) return make_api_error(api_errc::unauthorized, "unknown API token");
        if (ec) return to_error(ec, "find_token");
        return t;
      },
    };
  };
  return detached ? sys.spawn<caf::detached>(behavior) : sys.spawn(behavior);
}

}  // namespace onair::actors
