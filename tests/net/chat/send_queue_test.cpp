// The session send queue policy, without sockets.
#include <gtest/gtest.h>

#include <string>

#include "net/chat/send_queue.hpp"

namespace onair::net::chat {
namespace {

using prio = session_sink::priority;
using res = send_queue::push_result;

media::shared_bytes frame(const std::string& s) { return media::make_shared_bytes({s.begin(), s.end()}); }
std::string text(const media::shared_bytes& b) { return b ? std::string(b->begin(), b->end()) : "(null)"; }

TEST(chat_send_queue, fifo_below_the_bound_and_no_storage_when_empty) {
  send_queue q(8);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.pop(), nullptr);
  for (int i = 0; i < 20; ++i) {  // wraps the ring several times
    EXPECT_EQ(q.push(frame("a" + std::to_string(i)), prio::normal), res::queued);
    EXPECT_EQ(q.push(frame("b" + std::to_string(i)), prio::droppable), res::queued);
    EXPECT_EQ(text(q.pop()), "a" + std::to_string(i));
    EXPECT_EQ(text(q.pop()), "b" + std::to_string(i));
  }
  EXPECT_EQ(q.dropped(), 0u);
}

TEST(chat_send_queue, shares_frames_instead_of_copying) {
  send_queue q(4);
  auto f = frame("shared");
  q.push(f, prio::normal);
  q.push(f, prio::normal);
  EXPECT_EQ(f.use_count(), 3);
  EXPECT_EQ(q.pop().get(), f.get());
}

TEST(chat_send_queue, full_queue_evicts_oldest_droppable_first) {
  send_queue q(4);
  q.push(frame("d1"), prio::droppable);
  q.push(frame("n1"), prio::normal);
  q.push(frame("d2"), prio::droppable);
  q.push(frame("n2"), prio::normal);
  EXPECT_EQ(q.push(frame("n3"), prio::normal), res::queued);  // evicts d1
  EXPECT_EQ(q.dropped(), 1u);
  EXPECT_EQ(q.push(frame("d3"), prio::droppable), res::queued);  // evicts d2 (newer presence wins)
  EXPECT_EQ(q.dropped(), 2u);
  EXPECT_EQ(q.size(), 4u);
  EXPECT_EQ(text(q.pop()), "n1");
  EXPECT_EQ(text(q.pop()), "n2");
  EXPECT_EQ(text(q.pop()), "n3");
  EXPECT_EQ(text(q.pop()), "d3");
}

TEST(chat_send_queue, full_of_normal_frames_drops_droppable_and_overflows_on_normal) {
  send_queue q(3);
  for (int i = 0; i < 3; ++i) q.push(frame("n"), prio::normal);
  EXPECT_EQ(q.push(frame("d"), prio::droppable), res::dropped);
  EXPECT_EQ(q.dropped(), 1u);
  EXPECT_EQ(q.push(frame("n"), prio::normal), res::overflow);
  EXPECT_EQ(q.size(), 3u);
  q.clear();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.push(frame("again"), prio::normal), res::queued);
}

}  // namespace
}  // namespace onair::net::chat
