/// chat_load: WebSocket chat fan-out load client for issue #3 (bench/chat_compare.sh drives it).
///
/// One process simulates N receivers and a publisher on loopback: every receiver joins the room
/// ({"type":"join"}), then P publisher connections together send R msgs/s whose text embeds a send
/// timestamp (steady clock ns; client and server share the machine) and a bench sequence number. Every
/// receiver finds that marker in each msg frame without a JSON parse, records the delivery latency into a
/// per-thread histogram and marks the sequence in a per-receiver bitmap (duplicates, losses).
/// The server's CPU (utime+stime of /proc/PID/stat) and RSS (VmRSS) are sampled around the phases.
///
/// Several publisher connections exist because servers rate-limit each connection (onair: 5 burst,
/// 1 msg/s per anonymous connection); each publisher stays under --per-publisher-rate.
///
/// Everything is bounded: per-connection connect+join timeout, a connect-phase timeout, a drain timeout
/// and a hard deadline after which the process exits no matter what.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/onair_bench/proc_stats.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;
using json = nlohmann::json;

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24  // Linux 4.2+: pick the port at connect() by the full 4-tuple
#endif

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now().time_since_epoch()).count();
}

/// Command-line options (see usage()).
struct options {
  std::string url;
  std::string host;
  unsigned short port = 0;
  std::string target;
  int connections = 1000;
  double rate = 20;
  double per_publisher_rate = 0.5;
  double duration_s = 30;
  double warmup_s = 5;
  double settle_s = 2;
  double drain_s = 5;
  double connect_timeout_s = 10;
  double connect_phase_s = 180;
  int connect_concurrency = 256;
  int threads = 1;
  int source_addrs = 0;  // 0: automatic
  int text_bytes = 80;
  int server_pid = 0;
  std::string json_file;
  std::string label;
};

void usage() {
  std::cerr << "usage: chat_load --url ws://127.0.0.1:PORT/ws/rooms/ID/chat [--connections N] [--rate R msgs/s]\n"
               "       [--duration S] [--warmup S] [--threads T] [--json FILE] [--server-pid PID]\n"
               "       [--per-publisher-rate R] [--text-bytes B] [--connect-concurrency C] [--connect-timeout S]\n"
               "       [--connect-phase S] [--settle S] [--drain S] [--source-addrs K] [--label L]\n";
}

bool parse_args(int argc, char** argv, options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error("missing value for " + a);
      return argv[++i];
    };
    if (a == "--url") o.url = next();
    else if (a == "--connections") o.connections = std::stoi(next());
    else if (a == "--rate") o.rate = std::stod(next());
    else if (a == "--per-publisher-rate") o.per_publisher_rate = std::stod(next());
    else if (a == "--duration") o.duration_s = std::stod(next());
    else if (a == "--warmup") o.warmup_s = std::stod(next());
    else if (a == "--settle") o.settle_s = std::stod(next());
    else if (a == "--drain") o.drain_s = std::stod(next());
    else if (a == "--connect-timeout") o.connect_timeout_s = std::stod(next());
    else if (a == "--connect-phase") o.connect_phase_s = std::stod(next());
    else if (a == "--connect-concurrency") o.connect_concurrency = std::stoi(next());
    else if (a == "--threads") o.threads = std::stoi(next());
    else if (a == "--source-addrs") o.source_addrs = std::stoi(next());
    else if (a == "--text-bytes") o.text_bytes = std::stoi(next());
    else if (a == "--server-pid") o.server_pid = std::stoi(next());
    else if (a == "--json") o.json_file = next();
    else if (a == "--label") o.label = next();
    else if (a == "-h" || a == "--help") return false;
    else throw std::runtime_error("unknown option " + a);
  }
  if (o.url.rfind("ws://", 0) != 0) throw std::runtime_error("--url must start with ws://");
  auto rest = o.url.substr(5);
  auto slash = rest.find('/');
  auto hostport = rest.substr(0, slash);
  o.target = slash == std::string::npos ? "/" : rest.substr(slash);
  auto colon = hostport.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("--url needs an explicit port");
  o.host = hostport.substr(0, colon);
  o.port = static_cast<unsigned short>(std::stoi(hostport.substr(colon + 1)));
  // Loopback only: this tool opens thousands of connections and must never point at someone else's server.
  if (o.host.rfind("127.", 0) != 0) throw std::runtime_error("refusing a non-loopback host " + o.host);
  if (o.connections < 1 || o.connections > 100000) throw std::runtime_error("--connections must be 1..100000");
  if (o.rate <= 0 || o.rate > 100000) throw std::runtime_error("--rate must be in (0, 100000]");
  if (o.per_publisher_rate <= 0) throw std::runtime_error("--per-publisher-rate must be > 0");
  if (o.duration_s <= 0 || o.duration_s > 3600) throw std::runtime_error("--duration must be in (0, 3600]");
  if (o.warmup_s < 0 || o.warmup_s > 600) throw std::runtime_error("--warmup must be in [0, 600]");
  if (o.threads < 1 || o.threads > 64) throw std::runtime_error("--threads must be 1..64");
  if (o.text_bytes < 32 || o.text_bytes > 400) throw std::runtime_error("--text-bytes must be 32..400");
  if (o.connect_concurrency < 1) o.connect_concurrency = 1;
  return true;
}

using onair::bench::sample_proc;  // server CPU and RSS from /proc (bench/onair_bench/proc_stats.hpp)

double self_cpu_s() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/// Latency histogram: 10 µs buckets up to 100 ms, then 1 ms buckets up to 120 s (overflow in the last).
struct histogram {
  static constexpr std::size_t fine = 10000;    // 10 µs × 10000 = 100 ms
  static constexpr std::size_t coarse = 120000;  // 1 ms × 120000 = 120 s
  std::vector<std::uint32_t> fine_b = std::vector<std::uint32_t>(fine);
  std::vector<std::uint32_t> coarse_b = std::vector<std::uint32_t>(coarse);
  std::uint64_t count = 0;
  std::int64_t max_ns = 0;
  double sum_ms = 0;

  void add(std::int64_t ns) {
    if (ns < 0) ns = 0;
    ++count;
    max_ns = std::max(max_ns, ns);
    sum_ms += static_cast<double>(ns) / 1e6;
    auto us = ns / 1000;
    if (us < 100000) ++fine_b[static_cast<std::size_t>(us / 10)];
    else ++coarse_b[std::min<std::size_t>(static_cast<std::size_t>(us / 1000), coarse - 1)];
  }
  void merge(const histogram& o) {
    for (std::size_t i = 0; i < fine; ++i) fine_b[i] += o.fine_b[i];
    for (std::size_t i = 0; i < coarse; ++i) coarse_b[i] += o.coarse_b[i];
    count += o.count;
    max_ns = std::max(max_ns, o.max_ns);
    sum_ms += o.sum_ms;
  }
  /// Upper bound of the bucket holding quantile q, in milliseconds.
  double quantile_ms(double q) const {
    if (count == 0) return -1;
    auto want = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count)));
    if (want == 0) want = 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < fine; ++i)
      if ((seen += fine_b[i]) >= want) return static_cast<double>(i + 1) * 0.01;
    for (std::size_t i = 0; i < coarse; ++i)
      if ((seen += coarse_b[i]) >= want) return static_cast<double>(i + 1);
    return static_cast<double>(max_ns) / 1e6;
  }
};

/// What one io thread observed; written only by that thread, read by main after the threads stop
/// (the atomics are the progress figures main polls while they run).
struct thread_stats {
  histogram hist;
  std::atomic<std::uint64_t> delivered{0};  ///< unique measured msg deliveries to receivers
  std::uint64_t duplicates = 0;
  std::uint64_t out_of_order = 0;           ///< msg frames whose server seq was not above the previous one
  std::uint64_t unmeasured = 0;             ///< warmup msgs delivered
  std::uint64_t other_frames = 0;           ///< welcome, history, presence, ...
  std::uint64_t acks = 0;
  std::uint64_t error_frames = 0;
  std::uint64_t disconnects = 0;            ///< established connections that ended before the end
  std::string first_error_frame;
  std::string first_disconnect;
};

/// Shared, read-only-after-start settings and the cross-thread counters.
struct run_state {
  options opt;
  tcp::endpoint server;
  std::vector<asio::ip::address_v4> sources;  ///< empty: let the kernel choose
  std::vector<std::unique_ptr<asio::io_context>> ios;
  std::vector<std::unique_ptr<thread_stats>> stats;
  int publishers = 0;
  std::atomic<int> next_index{0};      ///< next connection to launch (publishers first)
  std::atomic<int> joined{0};
  std::atomic<int> joined_receivers{0};
  std::atomic<int> failed{0};
  std::mutex err_mu;
  std::string first_connect_error;
  std::size_t bitmap_words = 0;
  // Measurement window, fixed before publishing starts; receivers classify messages by embedded send time.
  std::atomic<std::int64_t> win_start_ns{INT64_MAX};
  std::atomic<std::int64_t> win_end_ns{INT64_MAX};
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> sent_total{0};
  std::atomic<std::uint64_t> sent_measured{0};
  std::atomic<std::uint64_t> send_skipped{0};  ///< ticks whose publisher was not connected
  std::atomic<std::uint64_t> first_measured_seq{UINT64_MAX};  ///< first tick inside the window
  std::atomic<std::uint64_t> end_seq{0};                      ///< one past the last tick
  std::uint64_t max_seq = 0;

  void note_connect_error(const std::string& what) {
    std::lock_guard lk(err_mu);
    if (first_connect_error.empty()) first_connect_error = what;
  }
};

const std::string_view msg_type_marker = "\"type\":\"msg\"";
const std::string_view bench_marker = "bench#";
const std::string_view seq_marker = "\"seq\":";

/// One WebSocket connection: a receiver, or a publisher (which also receives, uncounted).
class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(run_state& rs, int index, int thread) : rs_(rs), index_(index), thread_(thread),
      ws_(rs.ios[static_cast<std::size_t>(thread)]->get_executor()) {
    publisher_ = index < rs.publishers;
    if (!publisher_) seen_.assign(rs.bitmap_words, 0);
  }

  void start() {
    auto& sock = beast::get_lowest_layer(ws_);
    sock.expires_after(std::chrono::milliseconds(static_cast<long>(rs_.opt.connect_timeout_s * 1000)));
    if (!rs_.sources.empty()) {
      // Bind before connect so many source addresses widen the 4-tuple space; with
      // IP_BIND_ADDRESS_NO_PORT the port is chosen at connect() and need not be unique per address.
      beast::error_code ec;
      auto& s = sock.socket();
      s.open(tcp::v4(), ec);
      if (!ec) {
        int one = 1;
        ::setsockopt(s.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        s.bind(tcp::endpoint(rs_.sources[static_cast<std::size_t>(index_) % rs_.sources.size()], 0), ec);
      }
      if (ec) return fail("bind", ec);
    }
    sock.async_connect(rs_.server, [self = shared_from_this()](beast::error_code ec) { self->on_connect(ec); });
  }

  /// Sends one bench message (publishers only); called on this connection's thread.
  void publish(std::uint64_t seq) {
    auto t = now_ns();
    std::string text = "bench#" + std::to_string(seq) + "@" + std::to_string(t) + " ";
    if (text.size() < static_cast<std::size_t>(rs_.opt.text_bytes))
      text.append(static_cast<std::size_t>(rs_.opt.text_bytes) - text.size(), 'x');
    out_.push_back("{\"type\":\"msg\",\"text\":\"" + text + "\",\"client_id\":\"c" + std::to_string(seq) + "\"}");
    if (!writing_) write_next();
  }

  bool is_joined() const { return joined_ && !closed_; }

  /// Measured sequences this receiver never saw, out of [lo, hi).
  std::uint64_t missing(std::uint64_t lo, std::uint64_t hi) const {
    std::uint64_t n = 0;
    for (auto s = lo; s < hi; ++s)
      if (s / 64 >= seen_.size() || !(seen_[s / 64] & (1ull << (s % 64)))) ++n;
    return n;
  }
  bool publisher() const { return publisher_; }

 private:
  void fail(const char* stage, beast::error_code ec) {
    if (done_connecting_) return;
    done_connecting_ = true;
    rs_.failed.fetch_add(1);
    rs_.note_connect_error(std::string(stage) + ": " + ec.message());
    launch_next();
  }

  void on_connect(beast::error_code ec) {
    if (ec) return fail("connect", ec);
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ec);
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
      req.set(beast::http::field::user_agent, "onair-chat-load");
    }));
    ws_.read_message_max(1 << 20);
    ws_.async_handshake(rs_.opt.host + ":" + std::to_string(rs_.opt.port), rs_.opt.target,
                        [self = shared_from_this()](beast::error_code ec) { self->on_handshake(ec); });
  }

  void on_handshake(beast::error_code ec) {
    if (ec) return fail("handshake", ec);
    ws_.text(true);
    out_.push_back("{\"type\":\"join\",\"nick\":\"" + std::string(publisher_ ? "pub" : "rx") +
                   std::to_string(index_) + "\"}");
    write_next();
    read_next();
  }

  void write_next() {
    if (out_.empty() || closed_) {
      writing_ = false;
      return;
    }
    writing_ = true;
    ws_.async_write(asio::buffer(out_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->out_.pop_front();
      if (ec) {
        self->writing_ = false;
        return self->on_lost("write", ec);
      }
      self->write_next();
    });
  }

  void read_next() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        if (!self->joined_) return self->fail("join", ec);
        return self->on_lost("read", ec);
      }
      self->on_frame();
      self->buf_.consume(self->buf_.size());
      self->read_next();
    });
  }

  void on_lost(const char* what, beast::error_code ec) {
    if (closed_) return;
    closed_ = true;
    if (!joined_) return fail(what, ec);
    if (rs_.stopping.load(std::memory_order_relaxed)) return;
    auto& st = *rs_.stats[static_cast<std::size_t>(thread_)];
    ++st.disconnects;
    if (st.first_disconnect.empty()) {
      st.first_disconnect = std::string(what) + ": " + ec.message();
      if (ws_.reason().code != 0) st.first_disconnect += " close " + std::to_string(ws_.reason().code) + " " +
                                                         std::string(ws_.reason().reason.c_str());
    }
  }

  void on_frame() {
    auto d = buf_.cdata();
    std::string_view f(static_cast<const char*>(d.data()), d.size());
    auto& st = *rs_.stats[static_cast<std::size_t>(thread_)];
    if (!joined_) {
      if (f.find("\"type\":\"welcome\"") != std::string_view::npos) {
        joined_ = true;
        done_connecting_ = true;
        beast::get_lowest_layer(ws_).expires_never();
        rs_.joined.fetch_add(1);
        if (!publisher_) rs_.joined_receivers.fetch_add(1);
        launch_next();
      } else if (f.find("\"type\":\"error\"") != std::string_view::npos) {
        ++st.error_frames;
        if (st.first_error_frame.empty()) st.first_error_frame = std::string(f.substr(0, 300));
      }
      return;
    }
    // Cheap classification: onair (nlohmann, sorted keys) and ws (insertion order) differ in key order,
    // so look for the type marker anywhere; our own text never contains it.
    if (f.find(msg_type_marker) == std::string_view::npos) {
      if (f.find("\"type\":\"ack\"") != std::string_view::npos) ++st.acks;
      else if (f.find("\"type\":\"error\"") != std::string_view::npos) {
        ++st.error_frames;
        if (st.first_error_frame.empty()) st.first_error_frame = std::string(f.substr(0, 300));
      } else {
        ++st.other_frames;
      }
      return;
    }
    if (publisher_) return;
    // Order: the server's seq (every server here numbers the room's messages) must rise on each
    // connection, warm-up and drain included.
    if (auto q = f.find(seq_marker); q != std::string_view::npos) {
      std::uint64_t server_seq = 0;
      for (auto i = q + seq_marker.size(); i < f.size() && f[i] >= '0' && f[i] <= '9'; ++i)
        server_seq = server_seq * 10 + static_cast<std::uint64_t>(f[i] - '0');
      if (server_seq <= last_server_seq_) ++st.out_of_order;
      last_server_seq_ = server_seq;
    }
    auto p = f.find(bench_marker);
    if (p == std::string_view::npos) {
      ++st.other_frames;
      return;
    }
    const char* c = f.data() + p + bench_marker.size();
    const char* end = f.data() + f.size();
    std::uint64_t seq = 0;
    while (c < end && *c >= '0' && *c <= '9') seq = seq * 10 + static_cast<std::uint64_t>(*c++ - '0');
    if (c >= end || *c != '@') {
      ++st.other_frames;
      return;
    }
    ++c;
    std::int64_t t = 0;
    while (c < end && *c >= '0' && *c <= '9') t = t * 10 + (*c++ - '0');
    const auto arrived = now_ns();
    if (t < rs_.win_start_ns.load(std::memory_order_relaxed) || t >= rs_.win_end_ns.load(std::memory_order_relaxed)) {
      ++st.unmeasured;
      return;
    }
    if (seq / 64 >= seen_.size()) {
      ++st.other_frames;
      return;
    }
    auto& w = seen_[seq / 64];
    const auto bit = 1ull << (seq % 64);
    if (w & bit) {
      ++st.duplicates;
      return;
    }
    w |= bit;
    st.hist.add(arrived - t);
    st.delivered.fetch_add(1, std::memory_order_relaxed);
  }

  void launch_next();

  run_state& rs_;
  int index_;
  int thread_;
  bool publisher_ = false;
  bool joined_ = false;
  bool closed_ = false;
  bool writing_ = false;
  bool done_connecting_ = false;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::deque<std::string> out_;
  std::vector<std::uint64_t> seen_;
  std::uint64_t last_server_seq_ = 0;  ///< the previous msg frame's seq (order check)
};

/// All connections, per thread (each vector touched only by its thread until the threads stop).
std::vector<std::vector<std::shared_ptr<connection>>> g_conns;
run_state* g_rs = nullptr;

/// Starts the next pending connection on thread `thread`, if any is left: a connection that finishes its
/// join (or fails) starts the next, so at most connect_concurrency connects are in flight.
void launch_on(int thread) {
  auto& rs = *g_rs;
  const int total = rs.opt.connections + rs.publishers;
  int i = rs.next_index.fetch_add(1);
  if (i >= total || rs.stopping.load()) return;
  auto c = std::make_shared<connection>(rs, i, thread);
  g_conns[static_cast<std::size_t>(thread)].push_back(c);
  c->start();
}

void connection::launch_next() { launch_on(thread_); }

/// Publisher clock: R msgs/s on fixed ticks (no drift), round-robin over the publisher connections.
class publisher_clock : public std::enable_shared_from_this<publisher_clock> {
 public:
  publisher_clock(run_state& rs, std::vector<std::shared_ptr<connection>> pubs)
      : rs_(rs), pubs_(std::move(pubs)), timer_(*rs.ios[0]) {}

  void start(steady::time_point first) {
    start_ = first;
    arm();
  }

 private:
  void arm() {
    auto at = start_ + std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(k_) * 1e9 / rs_.opt.rate));
    timer_.expires_at(at);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) { self->tick(ec); });
  }

  void tick(beast::error_code ec) {
    if (ec || rs_.stopping.load()) return;
    const auto t = now_ns();
    if (t >= rs_.win_end_ns.load()) return;  // the window is over: stop sending, let deliveries drain
    if (k_ >= rs_.max_seq) return;
    auto& p = pubs_[static_cast<std::size_t>(k_ % pubs_.size())];
    const bool measured = t >= rs_.win_start_ns.load();
    if (measured && rs_.first_measured_seq.load() == UINT64_MAX) rs_.first_measured_seq = k_;
    if (p->is_joined()) {
      // Connections publish on the thread that owns them; all publishers live on thread 0, like this clock.
      p->publish(k_);
      rs_.sent_total.fetch_add(1);
      if (measured) rs_.sent_measured.fetch_add(1);
    } else {
      rs_.send_skipped.fetch_add(1);
    }
    rs_.end_seq = ++k_;
    arm();
  }

  run_state& rs_;
  std::vector<std::shared_ptr<connection>> pubs_;
  asio::steady_timer timer_;
  steady::time_point start_;
  std::uint64_t k_ = 0;
};

void sleep_until_ns(std::int64_t t) {
  auto d = t - now_ns();
  if (d > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(d));
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  try {
    if (!parse_args(argc, argv, opt)) {
      usage();
      return 2;
    }
  } catch (const std::exception& e) {
    std::cerr << "chat_load: " << e.what() << "\n";
    usage();
    return 2;
  }

  // Hard deadline: whatever happens (a stuck server, a lost wakeup), this process ends by itself.
  const double hard_s = opt.connect_phase_s + opt.settle_s + opt.warmup_s + opt.duration_s + opt.drain_s + 60;
  std::thread([hard_s] {
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<long>(hard_s * 1000)));
    std::cerr << "chat_load: hard deadline reached, exiting\n";
    std::_Exit(3);
  }).detach();

  // Thousands of sockets: raise the soft descriptor limit to the hard one.
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  const int publishers = static_cast<int>(std::ceil(opt.rate / opt.per_publisher_rate));
  const auto total = static_cast<rlim_t>(opt.connections + publishers);
  if (rl.rlim_cur < total + 64) {
    std::cerr << "chat_load: RLIMIT_NOFILE " << rl.rlim_cur << " is too low for " << total << " connections\n";
    return 2;
  }

  run_state rs;
  g_rs = &rs;
  rs.opt = opt;
  rs.publishers = publishers;
  beast::error_code ec;
  auto addr = asio::ip::make_address_v4(opt.host, ec);
  if (ec) {
    std::cerr << "chat_load: host must be an IPv4 literal (127.x.y.z)\n";
    return 2;
  }
  rs.server = tcp::endpoint(addr, opt.port);
  // One source address carries ~28k connections to one server port (ip_local_port_range); past that,
  // spread over 127.0.0.2.. (all of 127/8 is loopback on Linux).
  int nsrc = opt.source_addrs > 0 ? opt.source_addrs : static_cast<int>((total + 19999) / 20000);
  if (nsrc > 1 || opt.source_addrs > 0)
    for (int i = 0; i < nsrc; ++i) rs.sources.push_back(asio::ip::make_address_v4("127.0.0." + std::to_string(2 + i)));
  const double send_span_s = opt.warmup_s + opt.duration_s;
  rs.max_seq = static_cast<std::uint64_t>(std::ceil(opt.rate * send_span_s)) + 16;
  rs.bitmap_words = static_cast<std::size_t>((rs.max_seq + 63) / 64);
  for (int t = 0; t < opt.threads; ++t) {
    rs.ios.push_back(std::make_unique<asio::io_context>(1));
    rs.stats.push_back(std::make_unique<thread_stats>());
  }
  g_conns.resize(static_cast<std::size_t>(opt.threads));

  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& io : rs.ios) guards.push_back(asio::make_work_guard(*io));
  std::vector<std::thread> threads;
  for (auto& io : rs.ios) threads.emplace_back([&io] { io->run(); });

  auto& out = std::cout;
  const auto before = sample_proc(opt.server_pid);
  const double client_cpu0 = self_cpu_s();

  // Phase 1: connect. Publishers first, all on thread 0 (the publisher clock's thread).
  const auto t_connect0 = now_ns();
  asio::post(*rs.ios[0], [&] {
    for (int i = 0; i < publishers; ++i) {
      auto c = std::make_shared<connection>(rs, rs.next_index.fetch_add(1), 0);
      g_conns[0].push_back(c);
      c->start();
    }
  });
  // Wait for the publishers, then open receivers with bounded concurrency spread over the threads.
  const auto connect_deadline = t_connect0 + static_cast<std::int64_t>(opt.connect_phase_s * 1e9);
  while (rs.joined.load() + rs.failed.load() < publishers && now_ns() < connect_deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  for (int k = 0; k < opt.connect_concurrency; ++k) {
    const int t = k % opt.threads;
    asio::post(*rs.ios[static_cast<std::size_t>(t)], [t] { launch_on(t); });
  }
  int last_report = 0;
  while (rs.joined.load() + rs.failed.load() < static_cast<int>(total) && now_ns() < connect_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (rs.joined.load() / 2000 != last_report / 2000) {
      last_report = rs.joined.load();
      std::cerr << "chat_load: " << last_report << " joined, " << rs.failed.load() << " failed\n";
    }
  }
  const auto t_connected = now_ns();
  const double connect_s = static_cast<double>(t_connected - t_connect0) / 1e9;
  const int receivers = rs.joined_receivers.load();
  const int pubs_joined = rs.joined.load() - receivers;
  std::cerr << "chat_load: " << receivers << "/" << opt.connections << " receivers and " << pubs_joined << "/"
            << publishers << " publishers joined in " << connect_s << " s (" << rs.failed.load() << " failed)\n";

  // Phase 2: idle after connect, then the connected RSS.
  sleep_until_ns(t_connected + static_cast<std::int64_t>(opt.settle_s * 1e9));
  const auto idle = sample_proc(opt.server_pid);

  // Phase 3: publish through warmup and the measurement window.
  std::vector<std::shared_ptr<connection>> pubs;
  std::promise<void> got_pubs;
  asio::post(*rs.ios[0], [&] {
    for (auto& c : g_conns[0])
      if (c->publisher()) pubs.push_back(c);
    got_pubs.set_value();
  });
  got_pubs.get_future().wait();
  std::shared_ptr<publisher_clock> clock;
  const auto t_pub = now_ns() + 50'000'000;
  rs.win_start_ns = t_pub + static_cast<std::int64_t>(opt.warmup_s * 1e9);
  rs.win_end_ns = rs.win_start_ns.load() + static_cast<std::int64_t>(opt.duration_s * 1e9);
  if (!pubs.empty() && receivers > 0) {
    clock = std::make_shared<publisher_clock>(rs, pubs);
    asio::post(*rs.ios[0], [&, clock] {
      clock->start(steady::time_point(std::chrono::nanoseconds(t_pub)));
    });
  }
  sleep_until_ns(rs.win_start_ns.load());
  const auto win0 = sample_proc(opt.server_pid);
  const double client_cpu_w0 = self_cpu_s();
  sleep_until_ns(rs.win_end_ns.load());
  const auto win1 = sample_proc(opt.server_pid);
  const double client_cpu_w1 = self_cpu_s();

  // Phase 4: drain until every measured message reached every joined receiver, or the drain timeout.
  auto delivered_now = [&] {
    std::uint64_t d = 0;
    for (auto& s : rs.stats) d += s->delivered.load(std::memory_order_relaxed);
    return d;
  };
  const auto drain_deadline = now_ns() + static_cast<std::int64_t>(opt.drain_s * 1e9);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the last tick may still be in flight
  const std::uint64_t expected_live = rs.sent_measured.load() * static_cast<std::uint64_t>(receivers);
  while (delivered_now() < expected_live && now_ns() < drain_deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const auto end = sample_proc(opt.server_pid);
  const double drain_s = static_cast<double>(end.at_ns - win1.at_ns) / 1e9;

  // Stop: no more callbacks count; then tear down the threads.
  rs.stopping = true;
  for (auto& io : rs.ios) io->stop();
  for (auto& t : threads) t.join();
  guards.clear();

  histogram h;
  std::uint64_t delivered = 0, dups = 0, out_of_order = 0, unmeasured = 0, acks = 0, errors = 0, disconnects = 0, other = 0;
  std::string first_err, first_disc;
  for (auto& s : rs.stats) {
    h.merge(s->hist);
    delivered += s->delivered.load();
    dups += s->duplicates;
    out_of_order += s->out_of_order;
    unmeasured += s->unmeasured;
    acks += s->acks;
    errors += s->error_frames;
    disconnects += s->disconnects;
    other += s->other_frames;
    if (first_err.empty()) first_err = s->first_error_frame;
    if (first_disc.empty()) first_disc = s->first_disconnect;
  }
  // Gaps: which measured sequences some receiver missed, and how many receivers missed any.
  const std::uint64_t sent_measured = rs.sent_measured.load();
  std::uint64_t receivers_with_loss = 0;
  {
    // Ticks are consecutive sequences; those from the first in-window tick on were measured (a tick whose
    // publisher was down counts as missing everywhere, and shows in send_skipped).
    const std::uint64_t lo = rs.first_measured_seq.load(), hi = rs.end_seq.load();
    if (lo < hi)
      for (auto& v : g_conns)
        for (auto& c : v)
          if (!c->publisher() && c->is_joined() && c->missing(lo, hi) > 0) ++receivers_with_loss;
  }
  const double window_cpu = (win1.cpu_s >= 0 && win0.cpu_s >= 0) ? win1.cpu_s - win0.cpu_s : -1;
  const double total_cpu = (end.cpu_s >= 0 && win0.cpu_s >= 0) ? end.cpu_s - win0.cpu_s : -1;
  const double nominal_expected = opt.rate * opt.connections * opt.duration_s;
  const std::uint64_t lost = expected_live > delivered ? expected_live - delivered : 0;

  json r;
  r["label"] = opt.label;
  r["url"] = opt.url;
  r["connections"] = opt.connections;
  r["rate"] = opt.rate;
  r["duration_s"] = opt.duration_s;
  r["warmup_s"] = opt.warmup_s;
  r["threads"] = opt.threads;
  r["text_bytes"] = opt.text_bytes;
  r["publishers"] = publishers;
  r["publishers_joined"] = pubs_joined;
  r["connections_established"] = receivers;
  r["connect_failed"] = rs.failed.load();
  r["first_connect_error"] = rs.first_connect_error;
  r["connect_s"] = connect_s;
  r["source_addrs"] = rs.sources.size();
  r["sent_total"] = rs.sent_total.load();
  r["sent_measured"] = sent_measured;
  r["send_skipped"] = rs.send_skipped.load();
  r["expected_nominal"] = nominal_expected;
  r["expected"] = expected_live;
  r["delivered"] = delivered;
  r["delivered_per_s"] = static_cast<double>(delivered) / opt.duration_s;
  r["lost"] = lost;
  r["lost_fraction"] = expected_live ? static_cast<double>(lost) / static_cast<double>(expected_live) : 0.0;
  r["receivers_with_loss"] = receivers_with_loss;
  r["duplicates"] = dups;
  r["out_of_order"] = out_of_order;
  r["warmup_deliveries"] = unmeasured;
  r["acks"] = acks;
  r["error_frames"] = errors;
  r["first_error_frame"] = first_err;
  r["disconnects"] = disconnects;
  r["first_disconnect"] = first_disc;
  r["other_frames"] = other;
  r["drain_s"] = drain_s;
  r["latency_ms"] = {{"p50", h.quantile_ms(0.50)}, {"p90", h.quantile_ms(0.90)}, {"p99", h.quantile_ms(0.99)},
                     {"p999", h.quantile_ms(0.999)}, {"max", static_cast<double>(h.max_ns) / 1e6},
                     {"mean", h.count ? h.sum_ms / static_cast<double>(h.count) : -1.0}};
  r["server_pid"] = opt.server_pid;
  r["server_cpu_window_s"] = window_cpu;
  r["server_cpu_window_pct"] = window_cpu >= 0 ? 100.0 * window_cpu / opt.duration_s : -1.0;
  r["server_cpu_window_drain_s"] = total_cpu;
  r["delivered_per_cpu_s"] = total_cpu > 0 ? static_cast<double>(delivered) / total_cpu : -1.0;
  r["server_rss_kb"] = {{"before_connect", before.rss_kb}, {"connected_idle", idle.rss_kb}, {"end", end.rss_kb}};
  r["rss_per_connection_kb"] =
      (before.rss_kb >= 0 && idle.rss_kb >= 0 && receivers + pubs_joined > 0)
          ? static_cast<double>(idle.rss_kb - before.rss_kb) / static_cast<double>(receivers + pubs_joined)
          : -1.0;
  r["server_cpu_connect_s"] = (idle.cpu_s >= 0 && before.cpu_s >= 0) ? idle.cpu_s - before.cpu_s : -1.0;
  r["client_cpu_total_s"] = self_cpu_s() - client_cpu0;
  r["client_cpu_window_pct"] = 100.0 * (client_cpu_w1 - client_cpu_w0) / opt.duration_s;

  auto lat = r["latency_ms"];
  out << "chat_load " << (opt.label.empty() ? opt.url : opt.label) << ": " << receivers << "/" << opt.connections
      << " receivers, " << publishers << " publishers, " << opt.rate << " msgs/s for " << opt.duration_s << " s\n"
      << "  delivered " << delivered << " of " << expected_live << " expected (nominal " << nominal_expected
      << "), " << r["delivered_per_s"].get<double>() << "/s, lost " << lost << ", dups " << dups
      << ", receivers with loss " << receivers_with_loss << ", disconnects " << disconnects << "\n"
      << "  latency ms p50 " << lat["p50"] << " p99 " << lat["p99"] << " max " << lat["max"] << "\n"
      << "  server cpu " << window_cpu << " s (" << r["server_cpu_window_pct"].get<double>() << " %), "
      << r["delivered_per_cpu_s"].get<double>() << " deliveries per cpu-s; rss kb before " << before.rss_kb
      << " connected " << idle.rss_kb << " end " << end.rss_kb << " ("
      << r["rss_per_connection_kb"].get<double>() << " kb/conn); client cpu "
      << r["client_cpu_window_pct"].get<double>() << " %\n";
  if (!first_err.empty()) out << "  first error frame: " << first_err << "\n";
  if (!first_disc.empty()) out << "  first disconnect: " << first_disc << "\n";
  if (!rs.first_connect_error.empty()) out << "  first connect error: " << rs.first_connect_error << "\n";
  if (!opt.json_file.empty()) {
    std::ofstream f(opt.json_file);
    f << r.dump(2) << "\n";
  }
  // Sockets close when the connections are destroyed; the io threads are already stopped.
  g_conns.clear();
  return receivers > 0 ? 0 : 1;
}
