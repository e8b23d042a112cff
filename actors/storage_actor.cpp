#include "actors/storage_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/cluster_types.hpp"
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
      // Token replication (docs/cluster.md): every token of the cluster works on every node.
      [db](token_atom, list_atom) -> caf::result<std::vector<storage::token_record>> {
        std::vector<storage::token_record> out;
        if (auto ec = db->list_tokens(out)) return to_error(ec, "list_tokens");
        return out;
      },
      [db](token_atom, put_atom, const std::vector<storage::token_record>& tokens) -> caf::result<std::uint64_t> {
        std::uint64_t added = 0;
        for (const auto& t : tokens) {
          storage::token_record existing;
          if (t.token_hash.empty() || !db->find_token_by_hash(t.token_hash, existing)) continue;
          if (auto ec = db->put_token(t)) return to_error(ec, "put_token");
          ++added;
        }
        return added;
      },
      // ---- chat history (issue #3) ----
      [db](chat_app_atom, const std::string& room, const std::vector<storage::chat_record>& batch)
          -> caf::result<caf::unit_t> {
        if (auto ec = db->append_chat(room, batch)) return to_error(ec, "append_chat");
        return caf::unit;
      },
      [db](chat_fill_atom, const std::string& room, const std::vector<storage::chat_record>& batch)
          -> caf::result<caf::unit_t> {
        if (auto ec = db->fill_chat(room, batch)) return to_error(ec, "fill_chat");
        return caf::unit;
      },
      [db](chat_after_atom, const std::string& room, std::uint64_t after, std::uint64_t limit)
          -> caf::result<std::vector<storage::chat_record>> {
        std::vector<storage::chat_record> out;
        if (auto ec = db->chat_after(room, after, static_cast<std::size_t>(limit), out)) return to_error(ec, "chat_after");
        return out;
      },
      [db](chat_last_atom, const std::string& room, std::uint64_t n) -> caf::result<std::vector<storage::chat_record>> {
        std::vector<storage::chat_record> out;
        if (auto ec = db->chat_last(room, static_cast<std::size_t>(n), out)) return to_error(ec, "chat_last");
        return out;
      },
      [db](chat_bnd_atom, const std::string& room) -> caf::result<std::uint64_t, std::uint64_t> {
        std::uint64_t first = 0, last = 0;
        if (auto ec = db->chat_bounds(room, first, last)) return to_error(ec, "chat_bounds");
        return {first, last};
      },
      [db](chat_del_atom, const std::string& room, std::uint64_t seq) -> caf::result<caf::unit_t> {
        auto ec = db->chat_mark_deleted(room, seq);
        if (ec == storage::errc::not_found) return make_api_error(api_errc::not_found, "no such message");
        if (ec) return to_error(ec, "chat_mark_deleted");
        return caf::unit;
      },
      [db](chat_trim_atom, const std::string& room, std::uint64_t keep, std::int64_t min_ts_ms) {
        std::size_t removed = 0;
        if (auto ec = db->chat_trim(room, static_cast<std::size_t>(keep), min_ts_ms, removed))
          spdlog::error("storage: chat_trim {} failed: {}", room, ec.message());
      },
      [db](chat_drop_atom, const std::string& room) {
        if (auto ec = db->chat_drop(room)) spdlog::error("storage: chat_drop {} failed: {}", room, ec.message());
      },
      [db](mod_put_atom, const std::string& room, const storage::chat_moderation& m) -> caf::result<caf::unit_t> {
        if (auto ec = db->put_chat_moderation(room, m)) return to_error(ec, "put_chat_moderation");
        return caf::unit;
      },
      [db](mod_get_atom, const std::string& room) -> caf::result<storage::chat_moderation> {
        storage::chat_moderation m;
        if (auto ec = db->get_chat_moderation(room, m)) return to_error(ec, "get_chat_moderation");
        return m;
      },
    };
  };
  return detached ? sys.spawn<caf::detached>(behavior) : sys.spawn(behavior);
}

}  // namespace onair::actors
