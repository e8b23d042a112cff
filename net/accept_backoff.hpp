#pragma once
/// Keeps a listener from spinning when accept() fails for want of descriptors or memory.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace onair::net {

/// After EMFILE, ENFILE, ENOBUFS or ENOMEM the connection stays in the kernel's accept queue, so
/// accepting again at once fails again at once: a listener that simply retries burns a core (and logs
/// every failure). on_result() turns that into one retry per `delay`, and logs the first failure of a
/// run and the recovery, not every retry. Use from the acceptor's executor only (not thread-safe).
class accept_backoff {
 public:
  static constexpr std::chrono::milliseconds default_delay{100};

  /// `what` names the listener in the log ("http", "rtmp").
  accept_backoff(const boost::asio::any_io_executor& ex, std::string what,
                 std::chrono::milliseconds delay = default_delay);

  /// Call with every accept result. True: `retry` runs after the delay and the caller must not accept
  /// now. False: accept again at once (success, or an error that does not stay, e.g. ECONNABORTED).
  bool on_result(const boost::system::error_code& ec, std::function<void()> retry);
  /// Drops a pending retry (listener stopping).
  void cancel();
  /// Accept attempts refused for resources since the listener started.
  std::uint64_t refused() const { return refused_; }

  /// True for the errors that leave the connection queued (EMFILE, ENFILE, ENOBUFS, ENOMEM).
  static bool is_resource_error(const boost::system::error_code& ec);

 private:
  boost::asio::steady_timer timer_;
  std::string what_;
  std::chrono::milliseconds delay_;
  std::uint64_t refused_ = 0;
  std::uint64_t streak_ = 0;  ///< resource failures since the last accepted connection
};

}  // namespace onair::net
