#pragma once
/// Private to net/: the Asio side of io_runtime.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <atomic>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "net/io_runtime.hpp"

namespace onair::net {

struct io_runtime::impl {
  /// One io_context and the one thread that runs it. The concurrency hint 1 tells Asio that only one
  /// thread runs the context (posts from that thread skip the shared queue's lock); posts from other
  /// threads (CAF actors) still lock.
  struct shard {
    boost::asio::io_context ioc{1};
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard;
    std::thread thread;
  };

  explicit impl(unsigned n) {
    for (unsigned i = 0; i < n; ++i) shards.push_back(std::make_unique<shard>());
  }
  /// Destroys the contexts last to first. A context's destructor destroys its pending handlers, and a
  /// handler on any context may hold the last reference to a listener, whose acceptor is registered
  /// with the primary context: so the primary must go last, after every other context's handlers.
  ~impl() {
    while (!shards.empty()) shards.pop_back();
  }

  /// The first context: listeners' acceptors live there.
  boost::asio::io_context& primary() { return shards.front()->ioc; }
  /// The context for the next accepted connection (round-robin; any thread).
  boost::asio::io_context& next() {
    return shards[next_shard.fetch_add(1, std::memory_order_relaxed) % shards.size()]->ioc;
  }

  std::vector<std::unique_ptr<shard>> shards;
  std::atomic<unsigned> next_shard{0};
};

}  // namespace onair::net
