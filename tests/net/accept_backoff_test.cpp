// accept_backoff with synthetic accept results on a real io_context (the EMFILE case end to end is
// tests/integration/test_fd_exhaustion.py).
#include "net/accept_backoff.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/error.hpp>
#include <cerrno>

namespace onair::net {
namespace {

using namespace std::chrono_literals;
using boost::system::error_code;
using boost::system::system_category;

TEST(AcceptBackoff, OnlyErrorsThatLeaveTheConnectionQueuedAreResourceErrors) {
  for (int e : {EMFILE, ENFILE, ENOBUFS, ENOMEM}) EXPECT_TRUE(accept_backoff::is_resource_error(error_code(e, system_category()))) << e;
  for (int e : {ECONNABORTED, EPROTO, EPERM, EINTR})
    EXPECT_FALSE(accept_backoff::is_resource_error(error_code(e, system_category()))) << e;
  EXPECT_FALSE(accept_backoff::is_resource_error(error_code()));
  EXPECT_FALSE(accept_backoff::is_resource_error(boost::asio::error::operation_aborted));
}

TEST(AcceptBackoff, ResourceErrorsRetryAfterTheDelayOthersAtOnce) {
  boost::asio::io_context io;
  accept_backoff b(io.get_executor(), "test", 30ms);
  int retries = 0;
  // Success and a transient error: the caller accepts again itself, nothing is scheduled.
  EXPECT_FALSE(b.on_result(error_code(), [&] { ++retries; }));
  EXPECT_FALSE(b.on_result(error_code(ECONNABORTED, system_category()), [&] { ++retries; }));
  // EMFILE: the retry is scheduled, not run now.
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(b.on_result(error_code(EMFILE, system_category()), [&] { ++retries; }));
  EXPECT_EQ(retries, 0);
  io.run_for(2s);  // returns once the timer's handler ran (no other work)
  EXPECT_EQ(retries, 1);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 25ms);  // it waited (the delay is 30 ms)
  EXPECT_EQ(b.refused(), 1u);
}

TEST(AcceptBackoff, CancelDropsThePendingRetry) {
  boost::asio::io_context io;
  accept_backoff b(io.get_executor(), "test", 30ms);
  int retries = 0;
  EXPECT_TRUE(b.on_result(error_code(ENFILE, system_category()), [&] { ++retries; }));
  b.cancel();
  io.run_for(200ms);
  EXPECT_EQ(retries, 0);
}

}  // namespace
}  // namespace onair::net
