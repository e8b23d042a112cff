#include "bench/onair_bench/chat_clients.hpp"

#include <boost/asio.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <cmath>
#include <future>
#include <optional>

#include <nlohmann/json.hpp>

#include "bench/onair_bench/http_url.hpp"

namespace onair::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ws = beast::websocket;
using tcp = asio::ip::tcp;

struct chat_clients::context {
  url target;
  tcp::resolver::results_type endpoints;
  asio::io_context ioc{1};
  /// Keeps run() going after every client ended, so take_latency() can still post to the thread.
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  live_counters counters;
  latency_histogram latency;  // io thread only
  std::atomic<std::int64_t> sent{0}, lost{0}, gap_frames{0}, gap_mark_ns{0};
  std::int64_t deadline_ns = 0;
  int senders = 0;
  double rate = 0;
};

namespace {

using chat_ctx = chat_clients::context;

asio::awaitable<void> pause(std::chrono::nanoseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  beast::error_code ec;
  co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

/// Connects and upgrades; errors as values.
asio::awaitable<beast::error_code> open(chat_ctx& ctx, ws::stream<beast::tcp_stream>& s) {
  beast::error_code ec;
  beast::get_lowest_layer(s).expires_after(std::chrono::seconds(5));
  co_await beast::get_lowest_layer(s).async_connect(ctx.endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return ec;
  beast::get_lowest_layer(s).socket().set_option(tcp::no_delay(true), ec);
  co_await s.async_handshake(ctx.target.host + ":" + ctx.target.port, ctx.target.target,
                             asio::redirect_error(asio::use_awaitable, ec));
  beast::get_lowest_layer(s).expires_never();
  co_return ec;
}

/// A delivered message: counted once, latency from the send time the sender wrote into the text.
void delivered(chat_ctx& ctx, unit_clock& w, const nlohmann::json& m, std::int64_t& last_seq) {
  const auto seq = m.value("seq", std::int64_t{-1});
  if (seq <= last_seq) return;  // a duplicate (replay overlap) is not a delivery
  if (last_seq >= 0 && seq > last_seq + 1) ctx.lost.fetch_add(seq - last_seq - 1, std::memory_order_relaxed);
  last_seq = seq;
  auto& c = ctx.counters;
  c.units.fetch_add(1, std::memory_order_relaxed);
  const auto text = m.value("text", std::string{});
  if (auto at = text.find("bench@"); at != std::string::npos)
    ctx.latency.add_ms(static_cast<double>(wall_ms() - std::stoll(text.substr(at + 6))));
  w.record_unit(mono_ns(), ctx.gap_mark_ns.load(std::memory_order_relaxed));
}

asio::awaitable<void> receiver(chat_ctx& ctx, unit_clock& w, int id, std::chrono::nanoseconds delay) {
  co_await pause(delay);
  std::int64_t last_seq = -1;
  while (mono_ns() < ctx.deadline_ns) {
    ws::stream<beast::tcp_stream> s(ctx.ioc);
    if (co_await open(ctx, s)) {
      ctx.counters.errors.fetch_add(1, std::memory_order_relaxed);
      co_await pause(std::chrono::milliseconds(500));
      continue;
    }
    nlohmann::json join = {{"type", "join"}, {"nick", "bench" + std::to_string(id)}};
    if (last_seq >= 0) join["since"] = last_seq;  // recovery after a reconnect (chat-protocol.md section 2)
    beast::error_code ec;
    s.text(true);
    co_await s.async_write(asio::buffer(join.dump()), asio::redirect_error(asio::use_awaitable, ec));
    bool joined = false;
    beast::flat_buffer buf;
    while (!ec) {
      // A read wakes up at least once a second so the deadline ends the loop.
      beast::get_lowest_layer(s).expires_at(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ctx.deadline_ns)));
      co_await s.async_read(buf, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      ctx.counters.bytes.fetch_add(static_cast<std::int64_t>(buf.size()), std::memory_order_relaxed);
      auto m = nlohmann::json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
      buf.consume(buf.size());
      if (!m.is_object()) continue;
      const auto type = m.value("type", std::string{});
      if (type == "msg") {
        delivered(ctx, w, m, last_seq);
      } else if (type == "welcome") {
        joined = true;
        ctx.counters.active.fetch_add(1, std::memory_order_relaxed);
        if (last_seq < 0) last_seq = m.value("last_seq", std::int64_t{0});
        if (w.last_unit_ns.load(std::memory_order_relaxed) == 0) w.last_unit_ns.store(mono_ns());
      } else if (type == "history" && m.value("replay", false) && m.contains("messages")) {
        for (const auto& x : m["messages"]) delivered(ctx, w, x, last_seq);
      } else if (type == "gap") {
        ctx.gap_frames.fetch_add(1, std::memory_order_relaxed);
      } else if (type == "error") {
        ctx.counters.errors.fetch_add(1, std::memory_order_relaxed);
      }
    }
    if (joined) ctx.counters.active.fetch_sub(1, std::memory_order_relaxed);
    if (mono_ns() >= ctx.deadline_ns) break;
    ctx.counters.errors.fetch_add(1, std::memory_order_relaxed);  // the connection was lost
    co_await pause(std::chrono::milliseconds(500));
  }
}

using ws_stream = ws::stream<beast::tcp_stream>;

/// Reads and drops whatever a sender is sent (welcome, acks, everyone's messages) until the socket
/// closes; owns the stream with the sender so neither outlives it.
asio::awaitable<void> drain_replies(std::shared_ptr<ws_stream> s, std::shared_ptr<bool> open) {
  beast::flat_buffer b;
  beast::error_code e;
  while (*open && !e) {
    co_await s->async_read(b, asio::redirect_error(asio::use_awaitable, e));
    b.consume(b.size());
  }
  *open = false;
}

asio::awaitable<void> sender(chat_ctx& ctx, int id, std::chrono::nanoseconds phase) {
  const auto period = std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 * ctx.senders / ctx.rate));
  co_await pause(phase);
  std::int64_t n = 0;
  // The send schedule is fixed from the start (phase + k * period): after a reconnect the sender skips
  // the ticks it missed instead of starting a new schedule in step with every other reconnecting sender.
  auto next = std::chrono::steady_clock::now();
  while (mono_ns() < ctx.deadline_ns) {
    auto s = std::make_shared<ws_stream>(ctx.ioc);
    beast::error_code ec = co_await open(ctx, *s);
    s->text(true);
    if (!ec) {
      nlohmann::json join = {{"type", "join"}, {"nick", "sender" + std::to_string(id)}};
      co_await s->async_write(asio::buffer(join.dump()), asio::redirect_error(asio::use_awaitable, ec));
    }
    auto reading = std::make_shared<bool>(true);
    if (!ec) asio::co_spawn(ctx.ioc, drain_replies(s, reading), asio::detached);
    asio::steady_timer tick(ctx.ioc);
    // Ticks missed while disconnected are skipped (a tick a moment ago, e.g. the connect time, is kept).
    while (std::chrono::steady_clock::now() - next > period / 2) next += period;
    while (!ec && *reading) {
      tick.expires_at(next);
      beast::error_code ignored;
      co_await tick.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      if (!*reading || mono_ns() >= ctx.deadline_ns) break;
      nlohmann::json msg = {{"type", "msg"}, {"text", "bench@" + std::to_string(wall_ms()) + "#" + std::to_string(n++)}};
      co_await s->async_write(asio::buffer(msg.dump()), asio::redirect_error(asio::use_awaitable, ec));
      if (!ec) ctx.sent.fetch_add(1, std::memory_order_relaxed);
      next += period;
    }
    *reading = false;
    beast::get_lowest_layer(*s).close();
    if (mono_ns() >= ctx.deadline_ns) break;
    co_await pause(std::chrono::milliseconds(500));
  }
}

}  // namespace

chat_clients::chat_clients(const std::string& u, int receivers, double rate, std::int64_t deadline_ns)
    : watches_(static_cast<std::size_t>(std::max(0, receivers))), ctx_(std::make_unique<context>()) {
  auto t = parse_url(u);
  if (!t || t->scheme != "ws") {
    error_ = "chat URL must be ws://HOST:PORT/ws/rooms/ID/chat";
    return;
  }
  ctx_->target = *t;
  ctx_->deadline_ns = deadline_ns;
  ctx_->rate = rate;
  ctx_->senders = rate > 0 ? static_cast<int>(std::ceil(rate / 0.5)) : 0;
  tcp::resolver r(ctx_->ioc);
  beast::error_code ec;
  ctx_->endpoints = r.resolve(t->host, t->port, ec);
  if (ec) error_ = "cannot resolve " + t->host + ": " + ec.message();
  raise_fd_limit();
}

chat_clients::~chat_clients() { stop(); }

void chat_clients::start() {
  if (!error_.empty() || thread_.joinable()) return;
  const auto n = watches_.size();
  // Receivers join at about 1,000 a second (at least over one second); senders start a second after the
  // last join and spread their phases so the total rate is even.
  const double join_s = std::max(1.0, static_cast<double>(n) / 1000.0);
  for (std::size_t i = 0; i < n; ++i)
    asio::co_spawn(ctx_->ioc,
                   receiver(*ctx_, watches_[i], static_cast<int>(i),
                            std::chrono::nanoseconds(static_cast<std::int64_t>(join_s * 1e9 * static_cast<double>(i) /
                                                                               static_cast<double>(n)))),
                   asio::detached);
  for (int i = 0; i < ctx_->senders; ++i)
    asio::co_spawn(ctx_->ioc,
                   sender(*ctx_, i, std::chrono::nanoseconds(static_cast<std::int64_t>((join_s + 1) * 1e9 + 1e9 * i / ctx_->rate))),
                   asio::detached);
  ctx_->work.emplace(asio::make_work_guard(ctx_->ioc));
  thread_ = std::thread([this] { ctx_->ioc.run(); });
}

live_counters& chat_clients::counters() { return ctx_->counters; }
std::int64_t chat_clients::sent() const { return ctx_->sent.load(); }
std::int64_t chat_clients::lost() const { return ctx_->lost.load(); }
std::int64_t chat_clients::gap_frames() const { return ctx_->gap_frames.load(); }

latency_histogram chat_clients::take_latency() {
  if (!thread_.joinable()) return std::exchange(ctx_->latency, latency_histogram{});
  std::promise<latency_histogram> p;
  auto f = p.get_future();
  asio::post(ctx_->ioc, [this, &p] { p.set_value(std::exchange(ctx_->latency, latency_histogram{})); });
  return f.get();
}

void chat_clients::mark_gaps() {
  ctx_->gap_mark_ns.store(mono_ns());
  for (auto& w : watches_) w.max_gap_ns.store(0);
}

gap_report chat_clients::gaps(std::int64_t end_ns) const {
  gap_report r;
  for (auto& w : watches_) r.add(w, ctx_->gap_mark_ns.load(), end_ns);
  return r;
}

nlohmann::json chat_clients::result(const nlohmann::json& params, const std::vector<second_sample>& series) {
  auto j = result_json("chat", params, series, counters(), take_latency());
  j["totals"]["sent"] = sent();
  j["totals"]["lost"] = lost();
  j["totals"]["gap_frames"] = gap_frames();
  return j;
}

void chat_clients::stop() {
  if (!thread_.joinable()) return;
  ctx_->ioc.stop();
  thread_.join();
}

}  // namespace onair::bench
