// A draining owner gives a room to the next node of its succession order (issue #13 item 5,
// docs/cluster.md "Drain"). The room actor is where the room's changes are serialized, so the new record
// is made here from the latest one: a change acknowledged just before the handoff is in it.
#include <caf/event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/messages.hpp"
#include "actors/room_rules.hpp"
#include "actors/room_state.hpp"

namespace onair::actors {

caf::message_handler room_handoff_handlers(room_actor* self) {
  return {
    [=](handoff_atom, const std::string& node) -> caf::result<storage::room_record> {
      auto& st = self->state;
      if (!st.is_owner())
        return make_api_error(api_errc::conflict, "room '" + st.rec.id + "' is owned by " + st.rec.owner_node);
      auto rec = st.rec;
      rec.owner_node = node;
      ++rec.owner_epoch;
      ++rec.version;
      rec.updated_at_ms = now_ms();
      spdlog::info("room {}: handed to {} (epoch {} -> {})", rec.id, node, st.rec.owner_epoch, rec.owner_epoch);
      // Installed at once, so a change arriving from now on goes to the new owner instead of being
      // made here at the old epoch; the directory sends the record on only once it is durable here,
      // so a crash before that leaves nobody else believing in the new epoch.
      apply_replica(self, rec);
      auto rp = self->make_response_promise<storage::room_record>();
      self->request(st.deps.storage, storage_timeout, put_atom::value, rec)
          .then([=]() mutable { rp.deliver(rec); }, [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
      return rp;
    },
  };
}

}  // namespace onair::actors
