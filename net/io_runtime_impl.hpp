#pragma once
/// Private to net/: the Asio side of io_runtime.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "net/io_runtime.hpp"

namespace onair::net {

struct io_runtime::impl {
  boost::asio::io_context ioc;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard;
  std::vector<std::thread> threads;
  unsigned thread_count = 1;
};

}  // namespace onair::net
