#pragma once
/// Our own RTMP publishing client (RTMP spec 5.2 handshake, 7.2.1.1 connect, 7.2.1.3 createStream,
/// 7.2.2.6 publish), built on net/rtmp's sans-IO chunk writer, chunk parser and AMF0 codec.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "bench/onair_bench/flv_tags.hpp"
#include "bench/onair_bench/http_url.hpp"
#include "bench/onair_bench/run_common.hpp"

namespace onair::bench {

/// What one publisher sends: the FLV file's bytes and tags, looped at real time until the deadline.
struct publish_job {
  url target;                      ///< rtmp://host:port/app/stream_key
  std::string_view file;           ///< the FLV file
  const std::vector<flv_tag>* tags = nullptr;
  std::int64_t deadline_ns = 0;    ///< mono_ns() at which to stop
};

/// Connects, publishes, and streams until the deadline; returns the first error (none on a clean stop).
/// Counts tags and wire bytes into `c` (units, bytes) and itself into `c.active` while publishing.
boost::asio::awaitable<std::error_code> run_publisher(publish_job job, boost::asio::ip::tcp::resolver::results_type eps,
                                                      live_counters& c);

}  // namespace onair::bench
