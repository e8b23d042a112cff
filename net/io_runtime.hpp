#pragma once
/// The Boost.Asio io_context pool that carries every socket of the node (DESIGN.md section 3).
/// Kept behind a pimpl so actors/ never includes Boost.
#include <memory>

namespace onair::net {

class io_runtime {
 public:
  /// Creates the context; no thread runs until start().
  explicit io_runtime(unsigned threads);
  ~io_runtime();
  io_runtime(const io_runtime&) = delete;
  io_runtime& operator=(const io_runtime&) = delete;

  /// Starts the worker threads.
  void start();
  /// Stops the context and joins the threads. Idempotent.
  void stop();

  struct impl;
  impl& get() { return *impl_; }

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace onair::net
