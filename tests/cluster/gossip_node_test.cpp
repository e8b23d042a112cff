// gossip_node over real UDP sockets on 127.0.0.1 (port 0), with a fast swim_config so the test takes
// seconds: join through a seed, graceful leave, a wrong secret, a crash.
#include "cluster/gossip_node.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace onair::cluster {
namespace {

using namespace std::chrono_literals;

swim_config fast() {
  swim_config c;
  c.probe_interval_ms = 200;
  c.probe_timeout_ms = 100;
  c.suspicion_min_mult = 3;
  c.suspicion_max_mult = 6;
  c.gossip_interval_ms = 50;
  c.push_pull_interval_ms = 2000;
  return c;
}

template <class Pred>
bool wait_until(Pred p, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (p()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return p();
}

std::optional<member_state> state_of(const gossip_node& n, const std::string& id) {
  for (const auto& m : n.members())
    if (m.node_id == id) return m.state;
  return std::nullopt;
}

std::size_t alive_count(const gossip_node& n) {
  std::size_t c = 0;
  for (const auto& m : n.members()) c += m.state == member_state::alive;
  return c;
}

struct recorder {
  std::mutex mu;
  std::vector<member_event> events;
  std::function<void(const member_event&)> fn() {
    return [this](const member_event& e) {
      std::lock_guard lk(mu);
      events.push_back(e);
    };
  }
  std::size_t count(member_event::kind k, const std::string& id) {
    std::lock_guard lk(mu);
    return static_cast<std::size_t>(std::count_if(events.begin(), events.end(), [&](auto& e) {
      return e.what == k && e.m.node_id == id;
    }));
  }
};

std::unique_ptr<gossip_node> make(const std::string& id, const std::string& secret, std::vector<std::string> seeds) {
  gossip_options o;
  o.swim = fast();
  o.bind_host = "127.0.0.1";
  o.port = 0;
  o.secret = secret;
  o.seeds = std::move(seeds);
  o.rejoin_interval_ms = 500;
  member self;
  self.node_id = id;
  self.region = "eu";
  self.zone = "eu-a";
  self.ep.host = "127.0.0.1";
  self.ep.http = 8080;
  return std::make_unique<gossip_node>(o, self);
}

struct cluster3 {
  recorder ra, rb, rc;
  std::unique_ptr<gossip_node> a, b, c;
  std::string seed;

  void start() {
    a = make("a", "s3cret", {});
    a->set_event_handler(ra.fn());
    ASSERT_FALSE(a->start());
    ASSERT_NE(a->port(), 0);
    EXPECT_EQ(a->self().ep.gossip, a->port());
    seed = "127.0.0.1:" + std::to_string(a->port());
    b = make("b", "s3cret", {seed});
    b->set_event_handler(rb.fn());
    c = make("c", "s3cret", {seed});
    c->set_event_handler(rc.fn());
    ASSERT_FALSE(b->start());
    ASSERT_FALSE(c->start());
    ASSERT_TRUE(wait_until([&] { return alive_count(*a) == 3 && alive_count(*b) == 3 && alive_count(*c) == 3; }, 5s))
        << alive_count(*a) << " " << alive_count(*b) << " " << alive_count(*c);
  }
};

TEST(GossipNode, ThreeNodesSeeEachOtherAlive) {
  cluster3 cl;
  cl.start();
  EXPECT_EQ(cl.ra.count(member_event::kind::joined, "b"), 1u);
  EXPECT_EQ(cl.rb.count(member_event::kind::joined, "c"), 1u);
  // Load updates travel as `updated`.
  cl.b->update_self(load{5, 1, 300, 42}, true);
  ASSERT_TRUE(wait_until([&] { return cl.ra.count(member_event::kind::updated, "b") >= 1; }, 3s));
  for (const auto& m : cl.a->members()) {
    if (m.node_id != "b") continue;
    EXPECT_EQ(m.ld.viewers, 300u);
    EXPECT_TRUE(m.draining);
  }
  const auto st = cl.a->stats();
  EXPECT_GT(st.packets_in, 0u);
  EXPECT_GT(st.bytes_out, 0u);
  EXPECT_EQ(st.dropped_auth + st.dropped_version + st.dropped_malformed, 0u);
}

TEST(GossipNode, LeaveIsSeenAsLeftNotDead) {
  cluster3 cl;
  cl.start();
  cl.c->leave(500ms);
  ASSERT_TRUE(wait_until([&] { return state_of(*cl.a, "c") == member_state::left && state_of(*cl.b, "c") == member_state::left; }, 3s));
  std::this_thread::sleep_for(1500ms);  // longer than a suspicion would take: still left, never dead
  EXPECT_EQ(state_of(*cl.a, "c"), member_state::left);
  EXPECT_EQ(cl.ra.count(member_event::kind::left, "c"), 1u);
  EXPECT_EQ(cl.ra.count(member_event::kind::dead, "c"), 0u);
  EXPECT_EQ(cl.rb.count(member_event::kind::dead, "c"), 0u);
}

TEST(GossipNode, WrongSecretNeverJoinsAndIsCountedAsAuthDrop) {
  cluster3 cl;
  cl.start();
  auto intruder = make("intruder", "wrong", {cl.seed});
  ASSERT_FALSE(intruder->start());
  std::this_thread::sleep_for(1500ms);
  EXPECT_FALSE(state_of(*cl.a, "intruder"));
  EXPECT_FALSE(state_of(*cl.b, "intruder"));
  EXPECT_EQ(intruder->members().size(), 1u);
  EXPECT_GT(cl.a->stats().dropped_auth, 0u);
}

TEST(GossipNode, GarbageAndOtherVersionsAreDroppedAndCounted) {
  cluster3 cl;
  cl.start();
  // A version-2 datagram and a 5-byte one, from a plain UDP socket.
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(cl.a->port());
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const std::uint8_t version2[40] = {2};
  const std::uint8_t short_one[5] = {1, 2, 3, 4, 5};
  ::sendto(fd, version2, sizeof version2, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  ::sendto(fd, short_one, sizeof short_one, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  ::close(fd);
  ASSERT_TRUE(wait_until([&] { return cl.a->stats().dropped_version == 1 && cl.a->stats().dropped_malformed == 1; }, 2s));
  EXPECT_EQ(alive_count(*cl.a), 3u);
}

TEST(GossipNode, StoppedWithoutLeaveIsDeclaredDead) {
  cluster3 cl;
  cl.start();
  const auto t0 = std::chrono::steady_clock::now();
  cl.b.reset();  // destructor: stops the loop without a leave (a crash, as far as the others can tell)
  ASSERT_TRUE(wait_until([&] { return state_of(*cl.a, "b") == member_state::dead && state_of(*cl.c, "b") == member_state::dead; }, 5s));
  const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[gossip-loopback] n=3 probe 200ms: crash detected by both in %.2fs\n", took);
  EXPECT_EQ(cl.ra.count(member_event::kind::left, "b"), 0u);
}

}  // namespace
}  // namespace onair::cluster
