#pragma once
/// The Boost.Asio io_contexts that carry every socket of the node (DESIGN.md section 3).
/// Kept behind a pimpl so actors/ never includes Boost.
#include <memory>

namespace onair::net {

/// One single-threaded io_context per io thread ("shard per core", as Seastar and SRS do) rather than
/// one io_context run by N threads: a connection lives on one shard for its whole life, so its
/// handlers never contend with another thread, and a chat broadcast can hand one job per shard to
/// all of that shard's connections (net/chat/fanout_group) instead of one post per connection.
/// Listeners hand accepted sockets to the shards round-robin (impl::next()).
class io_runtime {
 public:
  /// Creates `threads` contexts (at least one); no thread runs until start().
  explicit io_runtime(unsigned threads);
  ~io_runtime();
  io_runtime(const io_runtime&) = delete;
  io_runtime& operator=(const io_runtime&) = delete;

  /// Starts one thread per context.
  void start();
  /// Stops every context and joins the threads. Idempotent.
  void stop();

  struct impl;
  impl& get() { return *impl_; }

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace onair::net
