#include "bench/onair_bench/publish_scenario.hpp"

#include <boost/asio.hpp>
#include <boost/asio/redirect_error.hpp>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "bench/onair_bench/rtmp_publisher.hpp"

namespace onair::bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// One publisher after its ramp-up delay. A free function, not a lambda: a coroutine lambda's captures
/// live in the closure, which co_spawn does not keep alive.
asio::awaitable<void> publisher_task(asio::io_context& ioc, publish_job job, tcp::resolver::results_type eps,
                                     live_counters& c, std::chrono::nanoseconds delay, std::atomic<int>& running,
                                     std::vector<std::string>& failures) {
  asio::steady_timer t(ioc, delay);
  boost::system::error_code ignored;
  co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  if (auto ec = co_await run_publisher(job, eps, c)) {
    c.errors.fetch_add(1, std::memory_order_relaxed);
    failures.push_back(ec.message());  // written on the io thread only; read after join
  }
  running.fetch_sub(1);
}

}  // namespace

nlohmann::json run_publish(const publish_options& o) {
  const int n = o.publishers > 0 ? o.publishers : static_cast<int>(o.urls.size());
  nlohmann::json params = {{"urls", o.urls}, {"file", o.file}, {"publishers", n}, {"duration_s", o.duration_s},
                           {"ramp_up_s", o.ramp_up_s}};
  std::ifstream f(o.file, std::ios::binary);
  if (!f) return {{"error", "cannot read " + o.file}};
  const std::string file((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<flv_tag> tags;
  if (auto ec = split_flv_tags(file, tags)) return {{"error", o.file + ": " + ec.message()}};

  asio::io_context ioc{1};
  std::vector<url> targets;
  std::vector<tcp::resolver::results_type> eps;
  for (const auto& s : o.urls) {
    auto u = parse_url(s);
    if (!u || u->scheme != "rtmp") return {{"error", "not an rtmp:// URL: " + s}};
    tcp::resolver r(ioc);
    boost::system::error_code ec;
    eps.push_back(r.resolve(u->host, u->port, ec));
    if (ec) return {{"error", "cannot resolve " + u->host + ": " + ec.message()}};
    targets.push_back(*u);
  }
  raise_fd_limit();
  live_counters c;
  const auto deadline = mono_ns() + static_cast<std::int64_t>(o.duration_s * 1e9);
  std::atomic<int> running{n};
  std::vector<std::string> failures;
  for (int i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i) % targets.size();
    publish_job job{targets[k], file, &tags, deadline};
    const auto delay = std::chrono::nanoseconds(n > 1 ? static_cast<std::int64_t>(o.ramp_up_s * 1e9 * i / (n - 1)) : 0);
    asio::co_spawn(ioc, publisher_task(ioc, job, eps[k], c, delay, running, failures), asio::detached);
  }
  std::thread io([&] { ioc.run(); });
  std::vector<second_sample> series;
  supervise(o.duration_s + 1, c, "tags", series, nullptr, [&] { return running.load() == 0; });
  ioc.stop();
  io.join();
  auto j = result_json("publish", params, series, c, latency_histogram{});
  j["failures"] = failures;
  return j;
}

}  // namespace onair::bench
