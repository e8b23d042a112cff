#pragma once
/// The node's storage actor: the only place that calls RocksDB, detached because RocksDB blocks
/// (DESIGN.md section 3). Replies only after the write is durable (sync writes, see docs/storage.md).
#include <caf/fwd.hpp>
#include <memory>

#include "storage/store.hpp"

namespace onair::actors {

/// Handles:
///   (put_atom, room_record)            -> ok (caf::unit) | error   room insert/replace
///   (delete_atom, std::string id)       -> ok | error
///   (token_atom, std::string hash)      -> token_record | error(unauthorized)
/// `detached` is false only in deterministic tests, where every actor runs on the test scheduler.
caf::actor spawn_storage_actor(caf::actor_system& sys, std::shared_ptr<storage::store> db, bool detached = true);

}  // namespace onair::actors
