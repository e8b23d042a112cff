#include "actors/chat_replicator.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <chrono>
#include <spdlog/spdlog.h>

#include "actors/cluster_types.hpp"
#include "actors/messages.hpp"
#include "actors/node_metrics.hpp"

namespace onair::actors {

namespace {

using namespace std::chrono_literals;
constexpr auto local_timeout = 10s;
/// One copy to the backup waits this long, and a batch gets this many tries, each to the backup the
/// directory names then: a backup killed with -9 loses its CAF link at once, so the next try goes to the
/// next node of the succession order instead of failing the batch. Only a backup that stays linked and
/// silent for all of them (about 4 s: past the failure detector's ~2 s) fails it, and its senders are
/// told to resend rather than wait behind a node that is dying.
constexpr auto backup_attempt_timeout = 1s;
constexpr int backup_attempts = 4;
constexpr auto lookup_timeout = 2s;

struct replicator_state {
  caf::actor storage;
  caf::actor directory;
  std::shared_ptr<node_metrics> metrics;
};

using replicator_actor = caf::stateful_actor<replicator_state>;

/// Sends `msg` (tagged backup_atom) to the room's backup node, then calls `done(ok)`; ok is true when
/// there is no backup to write to (no other node linked: a standalone node or a lone survivor). The
/// backup's writes are idempotent (records keyed by seq), so a try that timed out can be repeated.
template <class Done>
void to_backup(replicator_actor* self, const std::string& room, caf::message msg, Done done, int attempt = 1) {
  self->request(self->state.directory, lookup_timeout, backup_atom::value, room)
      .then(
          [=](const caf::actor& peer, const std::string& node) mutable {
            self->request(peer, backup_attempt_timeout, msg)
                .then([=]() mutable { done(true); },
                      [=](caf::error& err) mutable {
                        if (attempt < backup_attempts) {
                          spdlog::debug("chat {}: copy to backup node {} failed ({}), try {} of {}", room, node,
                                        caf::to_string(err), attempt + 1, backup_attempts);
                          return to_backup(self, room, std::move(msg), std::move(done), attempt + 1);
                        }
                        spdlog::warn("chat {}: copy to backup node {} failed: {}", room, node, caf::to_string(err));
                        done(false);
                      });
          },
          [=](caf::error&) mutable { done(true); });
}

/// Joins two completions: the answer goes out once the local write and the backup are both done.
struct both {
  caf::response_promise rp;
  int left = 2;
  bool backup_ok = true;
  caf::error local_err;
};

}  // namespace

caf::actor spawn_chat_replicator(caf::actor_system& sys, caf::actor storage, caf::actor directory,
                                 std::shared_ptr<node_metrics> metrics) {
  return sys.spawn([=](replicator_actor* self) -> caf::behavior {
    self->state = replicator_state{storage, directory, metrics};
    auto local = [=](caf::message msg) {
      auto rp = self->make_response_promise();
      rp.delegate(self->state.storage, std::move(msg));
      return rp;
    };
    return {
      [=](chat_app_atom, const std::string& room, const std::vector<storage::chat_record>& batch) {
        auto j = std::make_shared<both>();
        j->rp = self->make_response_promise();
        auto finish = [=] {
          if (--j->left > 0) return;
          if (j->local_err) j->rp.deliver(j->local_err);
          else if (!j->backup_ok) {
            ++self->state.metrics->chat_backup_failures;
            j->rp.deliver(make_api_error(api_errc::unavailable, "the copy on a second node failed"));
          } else j->rp.deliver(caf::unit);
        };
        self->request(self->state.storage, local_timeout, chat_app_atom::value, room, batch)
            .then([=]() { finish(); },
                  [=](caf::error& err) {
                    j->local_err = std::move(err);
                    finish();
                  });
        to_backup(self, room, caf::make_message(backup_atom::value, chat_app_atom::value, room, batch), [=](bool ok) {
          j->backup_ok = ok;
          finish();
        });
        return caf::result<caf::unit_t>(j->rp);
      },
      [=](chat_del_atom, const std::string& room, std::uint64_t seq) {
        to_backup(self, room, caf::make_message(backup_atom::value, chat_del_atom::value, room, seq), [](bool) {});
        return caf::result<caf::unit_t>(local(caf::make_message(chat_del_atom::value, room, seq)));
      },
      [=](mod_put_atom, const std::string& room, const storage::chat_moderation& m) {
        to_backup(self, room, caf::make_message(backup_atom::value, mod_put_atom::value, room, m), [](bool) {});
        return caf::result<caf::unit_t>(local(caf::make_message(mod_put_atom::value, room, m)));
      },
      [=](chat_trim_atom, const std::string& room, std::uint64_t keep, std::int64_t min_ts_ms) {
        self->send(self->state.storage, chat_trim_atom::value, room, keep, min_ts_ms);
        to_backup(self, room, caf::make_message(backup_atom::value, chat_trim_atom::value, room, keep, min_ts_ms),
                  [](bool) {});
      },
      [=](chat_drop_atom, const std::string& room) {
        // Only here: the backup's copy goes when the replicated tombstone reaches that node's room.
        self->send(self->state.storage, chat_drop_atom::value, room);
      },
      [=](chat_bnd_atom, const std::string& room) {
        return caf::result<std::uint64_t, std::uint64_t>(local(caf::make_message(chat_bnd_atom::value, room)));
      },
      [=](chat_last_atom, const std::string& room, std::uint64_t n) {
        return caf::result<std::vector<storage::chat_record>>(local(caf::make_message(chat_last_atom::value, room, n)));
      },
      [=](chat_after_atom, const std::string& room, std::uint64_t after, std::uint64_t limit) {
        return caf::result<std::vector<storage::chat_record>>(
            local(caf::make_message(chat_after_atom::value, room, after, limit)));
      },
      [=](mod_get_atom, const std::string& room) {
        return caf::result<storage::chat_moderation>(local(caf::make_message(mod_get_atom::value, room)));
      },
    };
  });
}

}  // namespace onair::actors
