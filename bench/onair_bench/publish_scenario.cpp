#include "bench/onair_bench/publish_scenario.hpp"

#include <boost/asio.hpp>
#include <boost/asio/redirect_error.hpp>
#include <fstream>
#include <iterator>

#include "bench/onair_bench/rtmp_publisher.hpp"

namespace onair::bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct publisher_set::state {
  publish_options opt;
  std::int64_t deadline_ns = 0;
  std::string file;
  std::vector<flv_tag> tags;
  std::vector<url> targets;
  std::vector<tcp::resolver::results_type> eps;
  asio::io_context ioc{1};
  std::mutex failures_mutex;
  std::vector<std::string> failures;
};

namespace {

/// One publisher after its ramp-up delay; with `reconnect`, publishes again after every lost session.
/// A free function, not a lambda: a coroutine lambda's captures live in the closure, which co_spawn
/// does not keep alive.
asio::awaitable<void> publisher_task(publisher_set::state& st, std::size_t k, live_counters& c,
                                     std::chrono::nanoseconds delay, std::atomic<int>& running) {
  asio::steady_timer t(st.ioc, delay);
  boost::system::error_code ignored;
  co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  for (std::size_t attempt = 0;; ++attempt) {
    const auto t_i = st.opt.next_url_on_reconnect ? (k + attempt) % st.targets.size() : k;
    publish_job job{st.targets[t_i], st.file, &st.tags, st.deadline_ns};
    auto ec = co_await run_publisher(job, st.eps[t_i], c);
    if (!ec) break;
    c.errors.fetch_add(1, std::memory_order_relaxed);
    {
      std::lock_guard lock(st.failures_mutex);
      st.failures.push_back(ec.message());
    }
    if (!st.opt.reconnect || mono_ns() + 1'000'000'000 >= st.deadline_ns) break;
    t.expires_after(std::chrono::seconds(1));
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  running.fetch_sub(1);
}

}  // namespace

publisher_set::publisher_set(const publish_options& o, std::int64_t deadline_ns) : st_(std::make_unique<state>()) {
  st_->opt = o;
  st_->deadline_ns = deadline_ns;
  std::ifstream f(o.file, std::ios::binary);
  if (!f) {
    error_ = "cannot read " + o.file;
    return;
  }
  st_->file.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  if (auto ec = split_flv_tags(st_->file, st_->tags)) {
    error_ = o.file + ": " + ec.message();
    return;
  }
  if (st_->tags.empty()) {
    error_ = o.file + ": no FLV tags";
    return;
  }
  if (o.urls.empty()) {
    error_ = "no rtmp:// URL";
    return;
  }
  for (const auto& s : o.urls) {
    auto u = parse_url(s);
    if (!u || u->scheme != "rtmp") {
      error_ = "not an rtmp:// URL: " + s;
      return;
    }
    tcp::resolver r(st_->ioc);
    boost::system::error_code ec;
    st_->eps.push_back(r.resolve(u->host, u->port, ec));
    if (ec) {
      error_ = "cannot resolve " + u->host + ": " + ec.message();
      return;
    }
    st_->targets.push_back(*u);
  }
  raise_fd_limit();
}

publisher_set::~publisher_set() { stop(); }

void publisher_set::start() {
  if (!error_.empty() || thread_.joinable()) return;
  const auto& o = st_->opt;
  const int n = o.publishers > 0 ? o.publishers : static_cast<int>(o.urls.size());
  running_ = n;
  for (int i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i) % st_->targets.size();
    const auto delay = std::chrono::nanoseconds(n > 1 ? static_cast<std::int64_t>(o.ramp_up_s * 1e9 * i / (n - 1)) : 0);
    asio::co_spawn(st_->ioc, publisher_task(*st_, k, counters_, delay, running_), asio::detached);
  }
  thread_ = std::thread([this] { st_->ioc.run(); });
}

void publisher_set::stop() {
  if (!thread_.joinable()) return;
  st_->ioc.stop();
  thread_.join();
}

std::vector<std::string> publisher_set::failures() {
  std::lock_guard lock(st_->failures_mutex);
  return st_->failures;
}

nlohmann::json run_publish(const publish_options& o) {
  const int n = o.publishers > 0 ? o.publishers : static_cast<int>(o.urls.size());
  nlohmann::json params = {{"urls", o.urls},         {"file", o.file},           {"publishers", n},
                           {"duration_s", o.duration_s}, {"ramp_up_s", o.ramp_up_s}, {"reconnect", o.reconnect},
                           {"server_pids", o.server_pids}};
  publisher_set pubs(o, mono_ns() + static_cast<std::int64_t>(o.duration_s * 1e9));
  if (!pubs.error().empty()) return {{"error", pubs.error()}};
  server_sampler server(o.server_pids);
  pubs.start();
  track tr{"publish", "tags", &pubs.counters(), {}};
  supervision sv;
  sv.duration_s = o.duration_s + 1;
  sv.tracks = {&tr};
  sv.server = &server;
  sv.done = [&] { return pubs.all_done(); };
  supervise(sv);
  pubs.stop();
  auto j = result_json("publish", params, tr.series, pubs.counters(), latency_histogram{});
  j["failures"] = pubs.failures();
  return j;
}

}  // namespace onair::bench
