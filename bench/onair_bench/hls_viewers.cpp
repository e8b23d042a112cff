#include "bench/onair_bench/hls_viewers.hpp"

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <future>
#include <map>
#include <mutex>
#include <memory>
#include <thread>
#include <vector>

#include "bench/onair_bench/http_url.hpp"
#include "bench/onair_bench/playlist_parser.hpp"
#include "bench/onair_bench/run_common.hpp"

namespace onair::bench {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;

/// One io_context and its thread's private latency histogram.
struct shard {
  asio::io_context ioc{1};
  latency_histogram latency;
};

}  // namespace

struct hls_viewers::context {
  url base;
  tcp::resolver::results_type endpoints;
  live_counters counters;
  std::int64_t deadline_ns = 0;
  int variant = 0;
  std::atomic<std::int64_t> gap_mark_ns{0};  ///< 0: gaps not measured yet
  std::mutex errors_mutex;                   ///< errors are rare next to units: a lock is fine
  std::map<std::string, std::int64_t> errors_by_kind;
  std::vector<std::unique_ptr<shard>> shards;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
};

namespace {

using shared_ctx = hls_viewers::context;

/// One keep-alive HTTP/1.1 connection of a viewer, reconnected on demand.
class http_conn {
 public:
  http_conn(asio::io_context& ioc, shared_ctx& ctx) : stream_(ioc), ctx_(ctx) {}

  /// GETs `target`; on success fills status and body. Errors are values; the connection is dropped on
  /// any of them so the next call reconnects.
  awaitable<beast::error_code> get(const std::string& target, std::chrono::milliseconds timeout, unsigned& status,
                                   std::string& body) {
    beast::error_code ec;
    if (!open_) {
      stream_.expires_after(std::chrono::seconds(5));
      co_await stream_.async_connect(ctx_.endpoints, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return ec;
      stream_.socket().set_option(tcp::no_delay(true), ec);
      open_ = true;
    }
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, ctx_.base.host + ":" + ctx_.base.port);
    req.set(http::field::user_agent, "onair-bench");
    stream_.expires_after(timeout);
    co_await http::async_write(stream_, req, asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) {
      http::response_parser<http::string_body> parser;
      parser.body_limit(256 * 1024 * 1024);
      co_await http::async_read(stream_, buf_, parser, asio::redirect_error(asio::use_awaitable, ec));
      if (!ec) {
        auto res = parser.release();
        status = res.result_int();
        body = std::move(res.body());
        if (!res.keep_alive()) close();
        co_return ec;
      }
    }
    close();
    co_return ec;
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
    buf_.clear();
    open_ = false;
  }

 private:
  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  shared_ctx& ctx_;
  bool open_ = false;
};

/// Position of the last part (or segment, for playlists without parts) this viewer fetched.
struct cursor {
  std::int64_t msn = -1;
  std::int64_t part = -1;       ///< -1: whole segments (not low-latency)
  bool segment_complete = false;
};

bool after(std::int64_t msn, std::int64_t part, const cursor& c) {
  return msn > c.msn || (msn == c.msn && part > c.part);
}

/// The cursor at the live edge of `pl`: the last listed part, or the last complete segment.
cursor live_edge(const playlist& pl) {
  cursor c;
  if (pl.part_target_s > 0) {
    for (auto it = pl.segments.rbegin(); it != pl.segments.rend(); ++it)
      if (!it->parts.empty()) {
        c.msn = it->msn;
        c.part = static_cast<std::int64_t>(it->parts.size()) - 1;
        c.segment_complete = !it->uri.empty();
        return c;
      }
  }
  for (auto it = pl.segments.rbegin(); it != pl.segments.rend(); ++it)
    if (!it->uri.empty()) {
      c.msn = it->msn;
      c.part = pl.part_target_s > 0 ? static_cast<std::int64_t>(it->parts.size()) - 1 : -1;
      c.segment_complete = true;
      return c;
    }
  return c;
}

/// Counts an error under what went wrong: a transport error by name (timeout, refused, reset, end of
/// stream), an HTTP status other than 200, or a body that is not a media playlist.
void count_error(shared_ctx& ctx, const beast::error_code& ec, unsigned status, const char* what) {
  ctx.counters.errors.fetch_add(1, std::memory_order_relaxed);
  std::string kind = std::string(what) + ": ";
  if (ec == beast::error::timeout) kind += "timeout";
  else if (ec) kind += ec.message();
  else if (status != 200) kind += "HTTP " + std::to_string(status);
  else kind += "not a media playlist";
  std::lock_guard lock(ctx.errors_mutex);
  ++ctx.errors_by_kind[kind];
}

awaitable<void> sleep_for(std::chrono::nanoseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  t.expires_after(d);
  beast::error_code ec;
  co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

awaitable<void> viewer(shard& sh, shared_ctx& ctx, viewer_watch& w, std::chrono::nanoseconds start_delay) {
  co_await sleep_for(start_delay);
  auto& c = ctx.counters;
  http_conn conn(sh.ioc, ctx);
  unsigned status = 0;
  std::string body;
  const auto retry = std::chrono::milliseconds(500);

  // Find the media playlist: the URL itself, or a variant of a multivariant playlist.
  std::string media_target = ctx.base.target;
  playlist pl;
  for (;;) {
    if (mono_ns() >= ctx.deadline_ns) co_return;
    auto ec = co_await conn.get(media_target, std::chrono::seconds(10), status, body);
    if (!ec && status == 200 && !parse_playlist(body, pl)) {
      if (!pl.is_multivariant) break;
      if (pl.variants.empty()) co_return;
      auto& v = pl.variants[std::min<std::size_t>(static_cast<std::size_t>(ctx.variant), pl.variants.size() - 1)];
      media_target = resolve_target(ctx.base, v.uri);
      continue;
    }
    count_error(ctx, ec, status, "playlist");
    co_await sleep_for(retry);
  }
  url media_base = ctx.base;
  media_base.target = media_target;
  c.active.fetch_add(1, std::memory_order_relaxed);

  const bool ll = pl.part_target_s > 0 && pl.can_block_reload;
  const double unit_s = ll ? pl.part_target_s : std::max<double>(1, static_cast<double>(pl.target_duration_s));
  w.window_ns.store(static_cast<std::int64_t>(3 * unit_s * 1e9), std::memory_order_relaxed);
  w.last_unit_ns.store(mono_ns(), std::memory_order_relaxed);

  // The init segment once, as a player does before the first part (RFC 8216bis 4.4.4.5).
  if (!pl.map_uri.empty()) {
    auto ec = co_await conn.get(resolve_target(media_base, pl.map_uri), std::chrono::seconds(10), status, body);
    if (!ec && status == 200) c.bytes.fetch_add(static_cast<std::int64_t>(body.size()), std::memory_order_relaxed);
    else count_error(ctx, ec, status, "init segment");
  }

  // Start at the live edge: what is already listed was produced before this viewer arrived.
  cursor cur = live_edge(pl);
  // RFC 8216bis 6.2.5.2: the server holds a blocking request up to three target durations.
  const auto block_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(
      3000 * std::max<std::int64_t>(1, pl.target_duration_s) + 2000));

  while (mono_ns() < ctx.deadline_ns && !pl.endlist) {
    std::string target = media_target;
    if (ll && cur.msn >= 0) {
      // Ask for the part after the cursor; after a segment's last part that is part 0 of the next
      // segment (RFC 8216bis 6.2.5.2).
      auto msn = cur.segment_complete ? cur.msn + 1 : cur.msn;
      auto part = cur.segment_complete ? 0 : cur.part + 1;
      target = with_query(with_query(target, "_HLS_msn=" + std::to_string(msn)), "_HLS_part=" + std::to_string(part));
    } else {
      // A plain HLS player reloads about every target duration (RFC 8216bis 6.3.4); half keeps up.
      co_await sleep_for(std::chrono::nanoseconds(static_cast<std::int64_t>(unit_s * 0.5e9)));
    }
    auto ec = co_await conn.get(target, block_timeout, status, body);
    playlist next;
    if (ec || status != 200 || parse_playlist(body, next) || next.is_multivariant) {
      count_error(ctx, ec, status, ll ? "blocking reload" : "playlist reload");
      co_await sleep_for(retry);
      // A refused request (400: too far ahead after a restart) or a lost connection: rejoin at the edge.
      auto ec2 = co_await conn.get(media_target, std::chrono::seconds(10), status, body);
      if (!ec2 && status == 200 && !parse_playlist(body, next) && !next.is_multivariant) cur = live_edge(next);
      continue;
    }
    pl = std::move(next);
    // The cursor fell out of the window (the viewer was too slow): jump to the live edge.
    if (!pl.segments.empty() && cur.msn < pl.segments.front().msn) cur = live_edge(pl);
    // A part or segment arrived whole: count it and end any stall episode.
    auto got_unit = [&] {
      c.units.fetch_add(1, std::memory_order_relaxed);
      c.bytes.fetch_add(static_cast<std::int64_t>(body.size()), std::memory_order_relaxed);
      w.record_unit(mono_ns(), ctx.gap_mark_ns.load(std::memory_order_relaxed));
      w.stalled.store(false, std::memory_order_relaxed);
    };
    for (const auto& seg : pl.segments) {
      if (mono_ns() >= ctx.deadline_ns) break;
      if (ll) {
        for (std::size_t i = 0; i < seg.parts.size(); ++i) {
          if (!after(seg.msn, static_cast<std::int64_t>(i), cur)) continue;
          const auto& p = seg.parts[i];
          auto pec = co_await conn.get(resolve_target(media_base, p.uri), std::chrono::seconds(10), status, body);
          if (pec || status != 200) {
            count_error(ctx, pec, status, "part");
            break;
          }
          got_unit();
          // Latency: how far behind real time this part's first sample is when its bytes are in
          // (EXT-X-PROGRAM-DATE-TIME of the segment plus the durations of the earlier parts, 4.4.4.6).
          if (seg.pdt_ms) sh.latency.add_ms(static_cast<double>(wall_ms() - *seg.pdt_ms) - p.offset_s * 1000.0);
          cur.msn = seg.msn;
          cur.part = static_cast<std::int64_t>(i);
        }
        if (seg.msn == cur.msn && !seg.uri.empty() && cur.part + 1 >= static_cast<std::int64_t>(seg.parts.size()))
          cur.segment_complete = true;
        else if (seg.msn == cur.msn)
          cur.segment_complete = false;
      } else if (!seg.uri.empty() && seg.msn > cur.msn) {
        auto sec = co_await conn.get(resolve_target(media_base, seg.uri), std::chrono::seconds(30), status, body);
        if (sec || status != 200) {
          count_error(ctx, sec, status, "segment");
          break;
        }
        got_unit();
        if (seg.pdt_ms) sh.latency.add_ms(static_cast<double>(wall_ms() - *seg.pdt_ms));
        cur.msn = seg.msn;
        cur.segment_complete = true;
      }
    }
  }
  conn.close();
  c.active.fetch_sub(1, std::memory_order_relaxed);
  w.finished.store(true, std::memory_order_relaxed);
}

}  // namespace

hls_viewers::hls_viewers(const std::string& u, int variant, int threads, std::int64_t deadline_ns)
    : ctx_(std::make_unique<context>()) {
  auto base = parse_url(u);
  if (!base || base->scheme != "http") {
    error_ = "--url must be an http:// playlist URL";
    return;
  }
  ctx_->base = *base;
  ctx_->variant = variant;
  ctx_->deadline_ns = deadline_ns;
  {
    asio::io_context tmp;
    tcp::resolver r(tmp);
    beast::error_code ec;
    ctx_->endpoints = r.resolve(base->host, base->port, ec);
    if (ec) {
      error_ = "cannot resolve " + base->host + ": " + ec.message();
      return;
    }
  }
  raise_fd_limit();
  for (int i = 0; i < std::max(1, threads); ++i) {
    ctx_->shards.push_back(std::make_unique<shard>());
    ctx_->work.push_back(asio::make_work_guard(ctx_->shards.back()->ioc));
  }
  for (auto& sh : ctx_->shards) threads_.emplace_back([&ioc = sh->ioc] { ioc.run(); });
}

hls_viewers::~hls_viewers() { stop(); }

void hls_viewers::add(int n, double ramp_s) {
  if (!error_.empty()) return;
  for (int i = 0; i < n; ++i) {
    auto delay = std::chrono::nanoseconds(n > 1 ? static_cast<std::int64_t>(ramp_s * 1e9 * i / (n - 1)) : 0);
    auto& sh = *ctx_->shards[next_shard_++ % ctx_->shards.size()];
    auto& w = watches_.emplace_back();
    // Spawned on the shard's own thread: the coroutine frame and its sockets belong to that io_context.
    asio::post(sh.ioc, [&sh, &w, delay, ctx = ctx_.get()] {
      asio::co_spawn(sh.ioc, viewer(sh, *ctx, w, delay), asio::detached);
    });
  }
}

void hls_viewers::check_stalls() {
  const auto now = mono_ns();
  for (auto& w : watches_) {
    auto last = w.last_unit_ns.load(std::memory_order_relaxed);
    if (last == 0 || w.finished.load(std::memory_order_relaxed) || w.stalled.load(std::memory_order_relaxed)) continue;
    if (now - last > w.window_ns.load(std::memory_order_relaxed)) {
      w.stalled.store(true, std::memory_order_relaxed);
      ctx_->counters.stalls.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

bool hls_viewers::all_finished() const {
  return std::all_of(watches_.begin(), watches_.end(), [](auto& w) { return w.finished.load(); });
}

live_counters& hls_viewers::counters() { return ctx_->counters; }

latency_histogram hls_viewers::take_latency() {
  latency_histogram out;
  for (auto& sh : ctx_->shards) {
    if (threads_.empty()) {
      out.merge(sh->latency);
      sh->latency = latency_histogram{};
      continue;
    }
    // The histogram belongs to the shard's thread: swap it out there.
    std::promise<latency_histogram> p;
    auto f = p.get_future();
    asio::post(sh->ioc, [&sh, &p] { p.set_value(std::exchange(sh->latency, latency_histogram{})); });
    out.merge(f.get());
  }
  return out;
}

std::map<std::string, std::int64_t> hls_viewers::errors_by_kind() const {
  std::lock_guard lock(ctx_->errors_mutex);
  return ctx_->errors_by_kind;
}

void hls_viewers::mark_gaps() {
  const auto now = mono_ns();
  ctx_->gap_mark_ns.store(now, std::memory_order_relaxed);
  for (auto& w : watches_) w.max_gap_ns.store(0, std::memory_order_relaxed);
}

gap_report hls_viewers::gaps(std::int64_t end_ns) const {
  gap_report r;
  for (auto& w : watches_) r.add(w, ctx_->gap_mark_ns.load(std::memory_order_relaxed), end_ns);
  return r;
}

void hls_viewers::stop() {
  if (threads_.empty()) return;
  for (auto& sh : ctx_->shards) sh->ioc.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

}  // namespace onair::bench
