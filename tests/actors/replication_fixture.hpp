#pragma once
// Two or more "nodes" in one deterministic test actor system, each with its own RocksDB store, storage
// actor, HLS index and directory, wired together the way the cluster actor wires real nodes
// (peer_up_atom, members_atom). Used by the replication and the ownership (failover) tests.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "actor_fixture.hpp"
#include "recording_sink.hpp"
#include "actors/chat_channel_actor.hpp"
#include "actors/cluster_types.hpp"
#include "actors/hls_edge.hpp"
#include "cluster/member.hpp"
#include "media/digest.hpp"
#include <map>
#include <stdexcept>

namespace onair::actors::testing {


using net::api::room_status;
using net::api::room_view;

struct test_node {
  std::string id;
  std::filesystem::path dir;
  std::shared_ptr<storage::store> db;
  std::shared_ptr<net::hls::index> index = std::make_shared<net::hls::index>();
  caf::actor storage;
  caf::actor directory;
};

class Replication : public actor_fixture {
 protected:
  ~Replication() override {
    for (auto& n : nodes_)
      for (auto& a : {n->directory, n->storage})
        if (a) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched_->run();
    for (auto& n : nodes_) {
      std::error_code ec;
      std::filesystem::remove_all(n->dir, ec);
    }
  }

  test_node& add_node(const std::string& id) {
    auto n = std::make_unique<test_node>();
    n->id = id;
    n->dir = dir_.string() + "-" + id;
    std::error_code ec;
    n->db = std::shared_ptr<storage::store>(storage::store::open(n->dir.string(), ec));
    EXPECT_TRUE(n->db) << ec.message();
    n->storage = spawn_storage_actor(*sys_, n->db, /*detached=*/false);
    room_deps d;
    d.node_id = id;
    d.region = "eu";
    d.storage = n->storage;
    d.index = n->index;
    d.metrics = metrics_;
    d.on_drained = [this, id] { drained_.push_back(id); };
    std::vector<storage::room_record> rooms;
    n->db->list_rooms(rooms);
    n->directory = spawn_directory_actor(*sys_, rooms, d);
    sched_->run();
    nodes_.push_back(std::move(n));
    return *nodes_.back();
  }

  void link(test_node& a, test_node& b) {
    caf::anon_send(a.directory, peer_up_atom::value, b.id, b.directory);
    caf::anon_send(b.directory, peer_up_atom::value, a.id, a.directory);
    sched_->run();
  }

  room_view create(test_node& n, const std::string& title) {
    net::api::create_room_request req;
    req.title = title;
    auto v = ask<room_view>(n.directory, nullptr, create_atom::value, dj("alice"), req);
    EXPECT_TRUE(v);
    return v.value_or(room_view{});
  }

  std::optional<room_view> get(test_node& n, const std::string& id) {
    caf::error err;
    return ask<room_view>(n.directory, &err, get_atom::value, id);
  }

  storage::room_record stored(test_node& n, const std::string& id) {
    storage::room_record r;
    EXPECT_FALSE(n.db->get_room(id, r));
    return r;
  }

  /// The chat actor a node hands out for a room: the owner's channel on the owner, a relay elsewhere.
  caf::actor chat_of(test_node& n, const std::string& room_id) {
    caf::scoped_actor self{*sys_};
    self->send(n.directory, chat_atom::value, room_id);
    sched_->run();
    caf::actor out;
    self->receive([&](caf::actor& ch, std::string&) { out = ch; });
    return out;
  }

  /// Joins a chat actor (channel or relay) as connection `conn`; the sink records what it is sent.
  std::shared_ptr<recording_sink> join(const caf::actor& ch, std::uint64_t conn, const std::string& user,
                                       std::optional<std::uint64_t> since = std::nullopt) {
    auto sink = std::make_shared<recording_sink>();
    caf::anon_send(ch, join_atom::value, conn, net::chat::user_info{user, user, "viewer"},
                   std::static_pointer_cast<net::chat::session_sink>(sink), since);
    sched_->run();
    return sink;
  }

  void say(const caf::actor& ch, std::uint64_t conn, const std::string& text) {
    caf::anon_send(ch, cframe_atom::value, conn, net::chat::client_frame{net::chat::msg_frame{text, text}});
    sched_->run();
  }

  /// Gives node `n` a gossip view: every node of the fixture with the state named in `states` (alive
  /// when not named), as the cluster actor does on every membership change.
  void view(test_node& n, const std::map<std::string, cluster::member_state>& states = {}) {
    std::vector<cluster::member> ms;
    for (auto& x : nodes_) {
      cluster::member m;
      m.node_id = x->id;
      m.region = "eu";
      if (auto it = states.find(x->id); it != states.end()) m.state = it->second;
      ms.push_back(m);
    }
    caf::anon_send(n.directory, members_atom::value, std::move(ms));
    sched_->run();
  }

  /// kill -9 of node `dead`: its actors end at once, every other node loses its link and, once gossip
  /// says so, sees it dead.
  void kill(test_node& dead) {
    for (auto& a : {dead.directory, dead.storage}) caf::anon_send_exit(a, caf::exit_reason::kill);
    sched_->run();
    dead.directory = caf::actor{};
    dead.storage = caf::actor{};
    for (auto& x : nodes_)
      if (x.get() != &dead && x->directory) caf::anon_send(x->directory, peer_down_atom::value, dead.id);
    sched_->run();
  }

  /// Starts node `n` again from its RocksDB (same id), as a restarted process would.
  void restart(test_node& n) {
    n.storage = spawn_storage_actor(*sys_, n.db, /*detached=*/false);
    room_deps d;
    d.node_id = n.id;
    d.region = "eu";
    d.storage = n.storage;
    d.index = n.index;
    d.metrics = metrics_;
    std::vector<storage::room_record> rooms;
    n.db->list_rooms(rooms);
    n.directory = spawn_directory_actor(*sys_, rooms, d);
    sched_->run();
  }

  test_node& node(const std::string& id) {
    for (auto& x : nodes_)
      if (x->id == id) return *x;
    throw std::runtime_error("no node " + id);
  }

  std::vector<std::unique_ptr<test_node>> nodes_;
  std::vector<std::string> drained_;  ///< nodes whose drain finished (the process would exit now)
};

}  // namespace onair::actors::testing
