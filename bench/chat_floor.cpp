// chat_floor: the least work a chat fan-out server can do per delivery on this machine, as a third
// server for bench/chat_compare.sh next to onair and the Node `ws` reference.
//
// Why it exists: issue #3 asks for >= 3x the ws server's delivered messages per CPU-second. On loopback
// every delivery is one send() whose kernel cost (TCP transmit plus the receiver's softirq, charged to
// the sender) does not depend on the server. This server pays that and almost nothing else: one thread,
// level-triggered epoll, no queues, no storage, no limits, no JSON work per delivery. Its deliveries per
// CPU-second are the ceiling of any server that writes each message to each connection when it arrives,
// so floor/ws bounds the ratio such a server can reach in the same run.
//
// Protocol: the same wire shape as bench/ws_reference/server.js (join -> welcome + empty history;
// msg -> one msg frame built once and sent to every open connection, then an ack to the sender).
// Usage: chat_floor [--port P] [--ready-file F]. Listens on 127.0.0.1 only.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/beast/core/string.hpp>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "net/chat/ws_frame.hpp"
#include "net/chat/ws_handshake.hpp"

namespace {

using onair::net::chat::ws_event;
using onair::net::chat::ws_frame_parser;
using onair::net::chat::ws_opcode;

volatile std::sig_atomic_t stop_requested = 0;

/// Handshakes larger than this are refused (a bench peer, not a web server).
constexpr std::size_t max_request_bytes = 8192;

struct connection {
  int fd = -1;
  bool open = false;          ///< the 101 went out: WebSocket frames from here on
  bool joined = false;
  std::string request;        ///< the HTTP upgrade request, until its blank line
  ws_frame_parser parser{4096};
  std::string pending;        ///< bytes a full socket buffer did not take; sent on EPOLLOUT
  bool dead = false;          ///< a write failed: dropped once the current event is handled
};

class floor_server {
 public:
  explicit floor_server(int listen_fd) : listen_fd_(listen_fd), ep_(epoll_create1(EPOLL_CLOEXEC)) {
    watch(listen_fd_, EPOLLIN);
  }

  void run() {
    std::vector<epoll_event> events(256);
    while (!stop_requested) {
      const int n = epoll_wait(ep_, events.data(), static_cast<int>(events.size()), 200);
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == listen_fd_) accept_all();
        else on_event(fd, events[i].events);
        // Connections a write failed on go now, not inside the loops that were using them.
        for (int d : dead_) drop(d);
        dead_.clear();
      }
    }
    for (auto& [fd, c] : conns_) ::close(fd);
  }

 private:
  void watch(int fd, std::uint32_t what) {
    epoll_event e{};
    e.events = what;
    e.data.fd = fd;
    epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &e);
  }
  void rewatch(int fd, std::uint32_t what) {
    epoll_event e{};
    e.events = what;
    e.data.fd = fd;
    epoll_ctl(ep_, EPOLL_CTL_MOD, fd, &e);
  }

  void accept_all() {
    for (;;) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // as onair and Node do
      auto c = std::make_unique<connection>();
      c->fd = fd;
      conns_.emplace(fd, std::move(c));
      watch(fd, EPOLLIN);
    }
  }

  void drop(int fd) {
    auto it = conns_.find(fd);
    if (it == conns_.end()) return;
    if (it->second->joined) joined_.erase(std::find(joined_.begin(), joined_.end(), it->second.get()));
    epoll_ctl(ep_, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    conns_.erase(it);
  }

  void on_event(int fd, std::uint32_t what) {
    auto it = conns_.find(fd);
    if (it == conns_.end()) return;
    connection& c = *it->second;
    if (what & EPOLLOUT) {
      if (!send_pending(c)) return drop(fd);
    }
    if (!(what & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
    char buf[16384];
    const ssize_t r = ::read(fd, buf, sizeof buf);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) return drop(fd);
    if (r < 0) return;
    if (!c.open) return on_request(c, std::string_view(buf, static_cast<std::size_t>(r)));
    on_frames(c, {reinterpret_cast<const std::uint8_t*>(buf), static_cast<std::size_t>(r)});
  }

  void on_request(connection& c, std::string_view in) {
    c.request.append(in);
    const auto end = c.request.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (c.request.size() > max_request_bytes) drop(c.fd);
      return;
    }
    const std::string key = header(c.request.substr(0, end), "sec-websocket-key");
    if (key.empty()) return drop(c.fd);
    const std::string rest = c.request.substr(end + 4);
    c.request.clear();
    c.request.shrink_to_fit();
    c.open = true;
    write(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Accept: " + onair::net::chat::ws_accept_key(key) + "\r\n\r\n");
    if (!rest.empty()) on_frames(c, {reinterpret_cast<const std::uint8_t*>(rest.data()), rest.size()});
  }

  static std::string header(std::string_view head, std::string_view name) {
    std::size_t pos = 0;
    while ((pos = head.find("\r\n", pos)) != std::string_view::npos) {
      pos += 2;
      const auto eol = std::min(head.find("\r\n", pos), head.size());
      const auto line = head.substr(pos, eol - pos);
      const auto colon = line.find(':');
      const auto field = line.substr(0, colon);
      if (colon != std::string_view::npos &&
          boost::beast::iequals({field.data(), field.size()}, {name.data(), name.size()})) {
        auto v = line.substr(colon + 1);
        while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
        return std::string(v);
      }
    }
    return {};
  }

  void on_frames(connection& c, std::span<const std::uint8_t> in) {
    while (!in.empty()) {
      const ws_event ev = c.parser.feed(in);
      in = in.subspan(ev.consumed);
      switch (ev.what) {
        case ws_event::kind::need_more: return;
        case ws_event::kind::message: on_message(c, ev.payload); break;
        case ws_event::kind::ping: send_frame(c, ws_opcode::pong, ev.payload); break;
        case ws_event::kind::pong: break;
        case ws_event::kind::close:
        case ws_event::kind::error: return drop(c.fd);
      }
    }
  }

  void on_message(connection& c, std::string_view text) {
    // Only publishers' msg frames and each connection's one join are parsed: no per-delivery JSON.
    auto f = nlohmann::json::parse(text, nullptr, false);
    if (!f.is_object()) return;
    const std::string type = f.value("type", "");
    if (type == "join" && !c.joined) {
      c.joined = true;
      joined_.push_back(&c);
      const std::string user = "anon:" + std::to_string(next_user_++);
      send_frame(c, ws_opcode::text,
                 nlohmann::json{{"type", "welcome"}, {"room", "bench"},
                                {"you", {{"id", user}, {"name", f.value("nick", "guest")}, {"role", "viewer"}}},
                                {"last_seq", seq_}, {"viewers", joined_.size()}, {"slow_mode", 0}}
                     .dump());
      send_frame(c, ws_opcode::text, R"({"type":"history","replay":false,"messages":[]})");
    } else if (type == "msg" && c.joined && f.contains("text") && f["text"].is_string()) {
      const auto s = ++seq_;
      const auto frame = onair::net::chat::encode_ws_frame(
          ws_opcode::text, nlohmann::json{{"type", "msg"}, {"seq", s}, {"text", f["text"]}}.dump());
      const std::string_view bytes(reinterpret_cast<const char*>(frame->data()), frame->size());
      // The fan-out: one send() per open connection, the cost this server exists to show.
      for (connection* m : joined_) write(*m, bytes);
      send_frame(c, ws_opcode::text,
                 nlohmann::json{{"type", "ack"}, {"client_id", f.value("client_id", "")}, {"seq", s}}.dump());
    }
  }

  void send_frame(connection& c, ws_opcode op, std::string_view payload) {
    const auto frame = onair::net::chat::encode_ws_frame(op, payload);
    write(c, {reinterpret_cast<const char*>(frame->data()), frame->size()});
  }

  /// Sends now; what the socket buffer does not take waits in `pending` for EPOLLOUT (in order).
  void write(connection& c, std::string_view bytes) {
    if (c.dead) return;
    if (!c.pending.empty()) {
      c.pending.append(bytes);
      return;
    }
    const ssize_t n = ::send(c.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN) {
      c.dead = true;
      dead_.push_back(c.fd);
      return;
    }
    const std::size_t sent = n < 0 ? 0 : static_cast<std::size_t>(n);
    if (sent == bytes.size()) return;
    c.pending.assign(bytes.substr(sent));
    rewatch(c.fd, EPOLLIN | EPOLLOUT);
  }

  bool send_pending(connection& c) {
    while (!c.pending.empty()) {
      const ssize_t n = ::send(c.fd, c.pending.data(), c.pending.size(), MSG_NOSIGNAL);
      if (n < 0) return errno == EAGAIN;
      c.pending.erase(0, static_cast<std::size_t>(n));
    }
    rewatch(c.fd, EPOLLIN);
    return true;
  }

  int listen_fd_;
  int ep_;
  std::unordered_map<int, std::unique_ptr<connection>> conns_;
  std::vector<connection*> joined_;
  std::vector<int> dead_;
  std::uint64_t seq_ = 0;
  std::uint64_t next_user_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  std::string ready_file;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--port" && i + 1 < argc) port = std::atoi(argv[++i]);
    else if (a == "--ready-file" && i + 1 < argc) ready_file = argv[++i];
    else {
      std::fprintf(stderr, "usage: chat_floor [--port P] [--ready-file F]\n");
      return 2;
    }
  }
  std::signal(SIGTERM, [](int) { stop_requested = 1; });
  std::signal(SIGINT, [](int) { stop_requested = 1; });

  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // a bench peer: loopback only
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 4096) != 0) {
    std::perror("chat_floor: bind/listen");
    return 1;
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int bound = ntohs(addr.sin_port);
  std::printf("chat_floor listening on 127.0.0.1:%d (pid %d)\n", bound, static_cast<int>(getpid()));
  std::fflush(stdout);
  if (!ready_file.empty()) {
    const std::string tmp = ready_file + ".tmp";
    std::ofstream(tmp) << nlohmann::json{{"http_port", bound}, {"pid", getpid()}}.dump();
    std::rename(tmp.c_str(), ready_file.c_str());
  }
  floor_server(fd).run();
  return 0;
}
