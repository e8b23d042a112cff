#include "net/accept_backoff.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <utility>

namespace onair::net {

accept_backoff::accept_backoff(const boost::asio::any_io_executor& ex, std::string what,
                               std::chrono::milliseconds delay)
    : timer_(ex), what_(std::move(what)), delay_(delay) {}

bool accept_backoff::is_resource_error(const boost::system::error_code& ec) {
  if (ec.category() != boost::system::system_category()) return false;
  switch (ec.value()) {
    case EMFILE:  // per-process descriptor limit (RLIMIT_NOFILE)
    case ENFILE:  // system-wide file table
    case ENOBUFS:
    case ENOMEM:
      return true;
    default:
      return false;
  }
}

bool accept_backoff::on_result(const boost::system::error_code& ec, std::function<void()> retry) {
  if (!ec) {
    if (streak_ > 0)
      spdlog::info("{} listener accepting again after {} attempts refused for resources", what_, streak_);
    streak_ = 0;
    return false;
  }
  if (!is_resource_error(ec)) return false;
  ++refused_;
  if (streak_++ == 0)
    spdlog::warn("{} listener cannot accept: {}; retrying every {} ms (raise the open-files limit, "
                 "`ulimit -n`, or lower the connection limits)",
                 what_, ec.message(), delay_.count());
  timer_.expires_after(delay_);
  timer_.async_wait([retry = std::move(retry)](const boost::system::error_code& e) {
    if (!e) retry();
  });
  return true;
}

void accept_backoff::cancel() { timer_.cancel(); }

}  // namespace onair::net
