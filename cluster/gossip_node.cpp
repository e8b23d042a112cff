#include "cluster/gossip_node.hpp"

#include <netdb.h>
#include <uv.h>

#include <array>
#include <atomic>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

#include "cluster/wire.hpp"

namespace onair::cluster {
namespace {

/// Splits "host:port" / "[v6]:port" and resolves it (numeric first; names through getaddrinfo, cached
/// by the caller so the loop thread resolves a seed name once).
bool resolve(const std::string& hostport, sockaddr_storage& out) {
  const auto colon = hostport.rfind(':');
  if (colon == std::string::npos || colon + 1 >= hostport.size()) return false;
  std::string host = hostport.substr(0, colon);
  const std::string port_text = hostport.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  char* end = nullptr;
  const long port = std::strtol(port_text.c_str(), &end, 10);
  if (*end != '\0' || port <= 0 || port > 65535) return false;
  std::memset(&out, 0, sizeof out);
  if (uv_ip4_addr(host.c_str(), static_cast<int>(port), reinterpret_cast<sockaddr_in*>(&out)) == 0) return true;
  if (uv_ip6_addr(host.c_str(), static_cast<int>(port), reinterpret_cast<sockaddr_in6*>(&out)) == 0) return true;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), port_text.c_str(), &hints, &res) != 0 || !res) return false;
  std::memcpy(&out, res->ai_addr, std::min<std::size_t>(res->ai_addrlen, sizeof out));
  ::freeaddrinfo(res);
  return true;
}

std::string name_of(const sockaddr* sa) {
  char buf[INET6_ADDRSTRLEN] = {0};
  std::string out;
  out.reserve(sizeof buf + 8);
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    uv_ip4_name(in, buf, sizeof buf);
    out.append(buf).append(1, ':').append(std::to_string(ntohs(in->sin_port)));
    return out;
  }
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
  uv_ip6_name(in6, buf, sizeof buf);
  out.append(1, '[').append(buf).append("]:").append(std::to_string(ntohs(in6->sin6_port)));
  return out;
}

struct send_req {
  uv_udp_send_t req;
  std::vector<std::uint8_t> data;
};

}  // namespace

struct gossip_node::impl {
  gossip_options opts;
  member self_init;
  std::unique_ptr<swim> core;  ///< touched only on the loop thread once started

  uv_loop_t loop{};
  uv_udp_t udp{};
  uv_timer_t timer{};
  uv_async_t async{};
  std::thread thread;
  bool running = false;  ///< owner thread's view (start/leave/destructor)
  bool closing = false;  ///< loop thread
  std::atomic<std::uint16_t> bound_port{0};

  mutable std::mutex mu;  ///< guards the snapshot and the commands below
  std::vector<member> snapshot;
  member self_snapshot;
  std::optional<std::pair<load, bool>> pending_update;
  std::optional<std::int64_t> pending_leave_grace_ms;
  bool stop_requested = false;

  std::mutex handler_mu;
  std::function<void(const member_event&)> handler;

  struct counters {
    std::atomic<std::uint64_t> packets_in{0}, packets_out{0}, bytes_in{0}, bytes_out{0};
    std::atomic<std::uint64_t> dropped_auth{0}, dropped_version{0}, dropped_malformed{0};
  } st;

  std::array<char, 65536> rbuf{};
  std::unordered_map<std::string, sockaddr_storage> addr_cache;
  std::int64_t leave_deadline_ms = -1;
  std::int64_t last_join_ms = 0;

  std::int64_t now() { return static_cast<std::int64_t>(uv_now(&loop)); }

  // ---- loop thread ------------------------------------------------------------------------------------

  void send_all(std::vector<outgoing> outs) {
    for (auto& o : outs) {
      auto it = addr_cache.find(o.to);
      if (it == addr_cache.end()) {
        sockaddr_storage sa;
        if (!resolve(o.to, sa)) continue;  // unresolvable: the member stays unreachable, SWIM handles it
        it = addr_cache.emplace(o.to, sa).first;
        if (addr_cache.size() > 4096) {  // addresses churn across restarts; keep the cache bounded
          addr_cache.clear();
          it = addr_cache.emplace(o.to, sa).first;
        }
      }
      auto sealed = wire::seal(o.payload, opts.secret);
      const auto* sa = reinterpret_cast<const sockaddr*>(&it->second);
      uv_buf_t b = uv_buf_init(reinterpret_cast<char*>(sealed.data()), static_cast<unsigned>(sealed.size()));
      int r = uv_udp_try_send(&udp, &b, 1, sa);
      if (r == UV_EAGAIN) {  // socket buffer full: queue it on the loop instead of dropping
        auto* req = new send_req{};
        req->data = std::move(sealed);
        b = uv_buf_init(reinterpret_cast<char*>(req->data.data()), static_cast<unsigned>(req->data.size()));
        r = uv_udp_send(&req->req, &udp, &b, 1, sa, [](uv_udp_send_t* q, int) { delete reinterpret_cast<send_req*>(q); });
        if (r != 0) delete req;
        r = r == 0 ? static_cast<int>(b.len) : r;
      }
      if (r >= 0) {
        st.packets_out.fetch_add(1, std::memory_order_relaxed);
        st.bytes_out.fetch_add(b.len, std::memory_order_relaxed);
      }
    }
  }

  void refresh_snapshot() {
    auto ms = core->members();
    std::lock_guard lk(mu);
    self_snapshot = core->self();
    snapshot = std::move(ms);
  }

  void dispatch_events() {
    auto evs = core->drain_events();
    if (evs.empty()) return;
    refresh_snapshot();
    std::function<void(const member_event&)> fn;
    {
      std::lock_guard lk(handler_mu);
      fn = handler;
    }
    if (fn)
      for (const auto& e : evs) fn(e);
  }

  bool knows_others() const {
    std::lock_guard lk(mu);
    for (const auto& m : snapshot)
      if (m.node_id != self_snapshot.node_id && (m.state == member_state::alive || m.state == member_state::suspect))
        return true;
    return false;
  }

  void on_datagram(const std::uint8_t* data, std::size_t n, const sockaddr* from) {
    st.packets_in.fetch_add(1, std::memory_order_relaxed);
    st.bytes_in.fetch_add(n, std::memory_order_relaxed);
    const auto opened = wire::open(std::span(data, n), opts.secret);
    if (opened.ec) {
      if (opened.ec == wire::errc::auth) st.dropped_auth.fetch_add(1, std::memory_order_relaxed);
      else if (opened.ec == wire::errc::version) st.dropped_version.fetch_add(1, std::memory_order_relaxed);
      else st.dropped_malformed.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    const auto before = core->malformed_packets();
    auto outs = core->on_packet(name_of(from), opened.payload.data(), opened.payload.size(), now());
    if (core->malformed_packets() != before) st.dropped_malformed.fetch_add(1, std::memory_order_relaxed);
    send_all(std::move(outs));
    dispatch_events();
  }

  void on_tick() {
    const auto t = now();
    send_all(core->tick(t));
    // Retry the seeds while nobody else is known (memberlist leaves this to the caller; Serf retries).
    if (leave_deadline_ms < 0 && !opts.seeds.empty() && t - last_join_ms >= opts.rejoin_interval_ms &&
        !knows_others()) {
      last_join_ms = t;
      send_all(core->join(opts.seeds, t));
    }
    dispatch_events();
    refresh_snapshot();
    if (leave_deadline_ms >= 0 && (t >= leave_deadline_ms || core->pending_broadcasts() == 0)) close_all();
  }

  void on_async() {
    std::optional<std::pair<load, bool>> upd;
    std::optional<std::int64_t> leave_grace;
    bool stop = false;
    {
      std::lock_guard lk(mu);
      upd = std::exchange(pending_update, std::nullopt);
      leave_grace = std::exchange(pending_leave_grace_ms, std::nullopt);
      stop = stop_requested;
    }
    if (stop) {
      close_all();
      return;
    }
    if (upd) {
      core->update_self(upd->first, upd->second);
      refresh_snapshot();
    }
    if (leave_grace && leave_deadline_ms < 0) {
      const auto t = now();
      send_all(core->leave(t));
      leave_deadline_ms = t + *leave_grace;
      refresh_snapshot();
      if (*leave_grace <= 0) close_all();
    }
  }

  void close_all() {
    if (closing) return;
    closing = true;
    uv_udp_recv_stop(&udp);
    uv_close(reinterpret_cast<uv_handle_t*>(&udp), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&async), nullptr);
  }

  // ---- owner thread -----------------------------------------------------------------------------------

  std::error_code start() {
    if (running) return std::make_error_code(std::errc::operation_in_progress);
    if (int r = uv_loop_init(&loop); r != 0) return {-r, std::generic_category()};
    loop.data = this;
    auto fail = [&](int r) -> std::error_code {
      closing = false;
      close_all();
      uv_run(&loop, UV_RUN_DEFAULT);  // let the close callbacks run
      uv_loop_close(&loop);
      return {-r, std::generic_category()};
    };
    uv_udp_init(&loop, &udp);
    uv_timer_init(&loop, &timer);
    uv_async_init(&loop, &async, [](uv_async_t* a) { static_cast<impl*>(a->data)->on_async(); });
    udp.data = timer.data = async.data = this;
    sockaddr_storage sa;
    if (!resolve(opts.bind_host + ":" + std::to_string(opts.port ? opts.port : 1), sa)) return fail(UV_EINVAL);
    if (opts.port == 0) reinterpret_cast<sockaddr_in*>(&sa)->sin_port = 0;  // same offset in sockaddr_in6
    if (int r = uv_udp_bind(&udp, reinterpret_cast<const sockaddr*>(&sa), 0); r != 0) return fail(r);
    sockaddr_storage bound;
    int len = sizeof bound;
    uv_udp_getsockname(&udp, reinterpret_cast<sockaddr*>(&bound), &len);
    const auto port = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    bound_port.store(port);
    // Generous socket buffers: a push-pull burst to a joining node is many datagrams at once.
    int size = 1 << 20;
    uv_send_buffer_size(reinterpret_cast<uv_handle_t*>(&udp), &size);
    size = 1 << 20;
    uv_recv_buffer_size(reinterpret_cast<uv_handle_t*>(&udp), &size);

    member me = self_init;
    me.ep.gossip = port;
    if (me.ep.host.empty()) me.ep.host = opts.bind_host == "0.0.0.0" || opts.bind_host == "::" ? "127.0.0.1" : opts.bind_host;
    const auto seed = static_cast<std::uint64_t>(std::hash<std::string>{}(me.node_id)) ^
                      static_cast<std::uint64_t>(uv_hrtime());
    core = std::make_unique<swim>(opts.swim, me, seed);
    {
      std::optional<std::pair<load, bool>> upd;
      {
        std::lock_guard lk(mu);
        upd = std::exchange(pending_update, std::nullopt);
      }
      if (upd) core->update_self(upd->first, upd->second);  // set before start()
    }
    refresh_snapshot();

    uv_udp_recv_start(
        &udp,
        [](uv_handle_t* h, std::size_t, uv_buf_t* buf) {
          auto* self = static_cast<impl*>(h->data);
          *buf = uv_buf_init(self->rbuf.data(), static_cast<unsigned>(self->rbuf.size()));
        },
        [](uv_udp_t* h, ssize_t nread, const uv_buf_t* buf, const sockaddr* from, unsigned flags) {
          if (nread <= 0 || !from || (flags & UV_UDP_PARTIAL)) return;  // partial: larger than any packet we send
          static_cast<impl*>(h->data)->on_datagram(reinterpret_cast<const std::uint8_t*>(buf->base),
                                                  static_cast<std::size_t>(nread), from);
        });
    const auto tick_ms = static_cast<std::uint64_t>(std::max<std::int64_t>(1, opts.swim.probe_interval_ms / 4));
    uv_timer_start(&timer, [](uv_timer_t* t) { static_cast<impl*>(t->data)->on_tick(); }, tick_ms, tick_ms);
    uv_update_time(&loop);
    last_join_ms = now();
    send_all(core->join(opts.seeds, last_join_ms));  // the loop is not running yet: safe from this thread
    running = true;
    thread = std::thread([this] {
      uv_run(&loop, UV_RUN_DEFAULT);
      uv_loop_close(&loop);
    });
    return {};
  }

  void stop() {
    if (!running) return;
    {
      std::lock_guard lk(mu);
      stop_requested = true;
    }
    uv_async_send(&async);
    thread.join();
    running = false;
  }
};

gossip_node::gossip_node(gossip_options opts, member self) : impl_(std::make_unique<impl>()) {
  impl_->opts = std::move(opts);
  impl_->self_init = std::move(self);
  impl_->self_snapshot = impl_->self_init;
}

gossip_node::~gossip_node() { impl_->stop(); }

void gossip_node::set_event_handler(std::function<void(const member_event&)> fn) {
  std::lock_guard lk(impl_->handler_mu);
  impl_->handler = std::move(fn);
}

std::error_code gossip_node::start() { return impl_->start(); }

std::uint16_t gossip_node::port() const { return impl_->bound_port.load(); }

std::vector<member> gossip_node::members() const {
  std::lock_guard lk(impl_->mu);
  return impl_->snapshot;
}

member gossip_node::self() const {
  std::lock_guard lk(impl_->mu);
  return impl_->self_snapshot;
}

void gossip_node::update_self(const load& ld, bool draining) {
  {
    std::lock_guard lk(impl_->mu);
    impl_->pending_update = std::make_pair(ld, draining);
  }
  if (impl_->running) uv_async_send(&impl_->async);
}

void gossip_node::leave(std::chrono::milliseconds grace) {
  if (!impl_->running) return;
  {
    std::lock_guard lk(impl_->mu);
    impl_->pending_leave_grace_ms = grace.count();
  }
  uv_async_send(&impl_->async);
  impl_->thread.join();  // the loop closes itself once `left` is out or the grace is over
  impl_->running = false;
}

gossip_stats gossip_node::stats() const {
  const auto& c = impl_->st;
  gossip_stats s;
  s.packets_in = c.packets_in.load();
  s.packets_out = c.packets_out.load();
  s.bytes_in = c.bytes_in.load();
  s.bytes_out = c.bytes_out.load();
  s.dropped_auth = c.dropped_auth.load();
  s.dropped_version = c.dropped_version.load();
  s.dropped_malformed = c.dropped_malformed.load();
  return s;
}

}  // namespace onair::cluster
