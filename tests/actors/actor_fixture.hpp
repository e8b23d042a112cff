#pragma once
// Deterministic actor tests: CAF's test coordinator runs every actor on the test thread, and simulated
// time drives timeouts. Storage is a real RocksDB store in a temp dir.
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <filesystem>
#include <gtest/gtest.h>
#include <memory>
#include <optional>

#include "actors/directory_actor.hpp"
#include "actors/messages.hpp"
#include "actors/node_metrics.hpp"
#include "actors/storage_actor.hpp"
#include "net/hls/hls_index.hpp"
#include "storage/store.hpp"

namespace onair::actors::testing {

class actor_fixture : public ::testing::Test {
 protected:
  actor_fixture() {
    cfg_.set("scheduler.policy", caf::atom("testing"));
    sys_ = std::make_unique<caf::actor_system>(cfg_);
    sched_ = &dynamic_cast<caf::scheduler::test_coordinator&>(sys_->scheduler());
    dir_ = std::filesystem::temp_directory_path() /
           ("onair-actors-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::error_code ec;
    db_ = std::shared_ptr<storage::store>(storage::store::open(dir_.string(), ec));
    if (!db_) ADD_FAILURE() << "cannot open store: " << ec.message();
    metrics_ = std::make_shared<node_metrics>();
    index_ = std::make_shared<net::hls::index>();
    storage_ = spawn_storage_actor(*sys_, db_, /*detached=*/false);
  }

  ~actor_fixture() override {
    for (auto& a : {directory_, storage_})
      if (a) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched_->run();
    sys_.reset();
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  room_deps deps() {
    room_deps d;
    d.storage = storage_;
    d.index = index_;
    d.metrics = metrics_;
    return d;
  }

  void start_directory(std::vector<storage::room_record> rooms = {}) {
    directory_ = spawn_directory_actor(*sys_, std::move(rooms), deps());
    sched_->run();
  }

  /// Sends `xs...` to `dest`, runs every actor until idle, and returns the reply (or nullopt + the error).
  template <class T, class... Ts>
  std::optional<T> ask(const caf::actor& dest, caf::error* err_out, Ts&&... xs) {
    caf::scoped_actor self{*sys_};
    self->send(dest, std::forward<Ts>(xs)...);
    sched_->run();
    std::optional<T> out;
    self->receive([&](T& x) { out = std::move(x); },
                  [&](caf::error& e) {
                    if (err_out) *err_out = e;
                    else ADD_FAILURE() << "unexpected error: " << caf::to_string(e);
                  },
                  caf::after(std::chrono::seconds(0)) >> [&] { ADD_FAILURE() << "no reply"; });
    return out;
  }

  /// The error a request fails with (fails the test if it succeeds).
  template <class... Ts>
  caf::error ask_error(const caf::actor& dest, Ts&&... xs) {
    caf::scoped_actor self{*sys_};
    self->send(dest, std::forward<Ts>(xs)...);
    sched_->run();
    caf::error err;
    // A non-error reply does not match and stays in the mailbox, so the timeout reports it.
    self->receive([&](caf::error& e) { err = e; },
                  caf::after(std::chrono::seconds(0)) >> [&] { ADD_FAILURE() << "expected an error reply"; });
    return err;
  }

  static principal dj(const std::string& name) { return principal{name, "dj"}; }
  static principal admin() { return principal{"root", "admin"}; }

  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  caf::scheduler::test_coordinator* sched_ = nullptr;
  std::filesystem::path dir_;
  std::shared_ptr<storage::store> db_;
  std::shared_ptr<node_metrics> metrics_;
  std::shared_ptr<net::hls::index> index_;
  caf::actor storage_;
  caf::actor directory_;
  static inline int counter_ = 0;
};

/// The code carried by an "onair" caf::error.
inline api_errc code_of(const caf::error& e) { return static_cast<api_errc>(e.code()); }

}  // namespace onair::actors::testing
