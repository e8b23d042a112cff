#include "net/hls/hls_index.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace onair::net::hls {
namespace {

media::rendition_snapshot_ptr snap(const std::string& name, std::uint64_t next_msn) {
  auto s = std::make_shared<media::rendition_snapshot>();
  s->name = name;
  s->next_msn = next_msn;
  return s;
}

TEST(hls_index, publish_find_master_remove) {
  index idx;
  EXPECT_EQ(idx.find("r", "source"), nullptr);
  EXPECT_EQ(idx.master("r"), nullptr);
  EXPECT_FALSE(idx.has_room("r"));
  idx.publish("r", snap("source", 3));
  idx.publish_master("r", "#EXTM3U\n");
  ASSERT_NE(idx.find("r", "source"), nullptr);
  EXPECT_EQ(idx.find("r", "source")->next_msn, 3u);
  EXPECT_EQ(idx.find("r", "720p"), nullptr);
  EXPECT_EQ(*idx.master("r"), "#EXTM3U\n");
  EXPECT_TRUE(idx.has_room("r"));
  idx.remove("r");
  EXPECT_EQ(idx.find("r", "source"), nullptr);
  EXPECT_FALSE(idx.has_room("r"));
}

TEST(hls_index, waiter_fires_once_for_its_rendition_only) {
  index idx;
  int calls = 0;
  std::uint64_t seen = 0;
  const auto id = idx.wait("r", "source", [&](media::rendition_snapshot_ptr s) {
    ++calls;
    seen = s->next_msn;
  });
  idx.publish("r", snap("720p", 1));
  idx.publish("other", snap("source", 1));
  EXPECT_EQ(calls, 0);
  idx.publish("r", snap("source", 7));
  idx.publish("r", snap("source", 8));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen, 7u);
  EXPECT_FALSE(idx.cancel(id));
  EXPECT_EQ(idx.waiter_count(), 0u);
}

TEST(hls_index, cancel_prevents_the_call) {
  index idx;
  bool called = false;
  const auto id = idx.wait("r", "source", [&](media::rendition_snapshot_ptr) { called = true; });
  EXPECT_TRUE(idx.cancel(id));
  EXPECT_FALSE(idx.cancel(id));
  idx.publish("r", snap("source", 1));
  EXPECT_FALSE(called);
  EXPECT_EQ(idx.waiter_count(), 0u);
}

TEST(hls_index, remove_wakes_waiters_with_null) {
  index idx;
  idx.publish("r", snap("source", 1));
  int nulls = 0;
  idx.wait("r", "source", [&](media::rendition_snapshot_ptr s) { nulls += s == nullptr; });
  idx.wait("r", "audio", [&](media::rendition_snapshot_ptr s) { nulls += s == nullptr; });
  idx.wait("rr", "source", [&](media::rendition_snapshot_ptr s) { nulls += s == nullptr; });
  idx.remove("r");
  EXPECT_EQ(nulls, 2);
  EXPECT_EQ(idx.waiter_count(), 1u);
}

TEST(hls_index, waiters_run_outside_the_mutex) {
  index idx;
  int rounds = 0;
  std::function<void(media::rendition_snapshot_ptr)> again = [&](media::rendition_snapshot_ptr s) {
    // Re-entering the index from a waiter must not deadlock.
    EXPECT_NE(idx.find("r", "source"), nullptr);
    if (++rounds < 3) idx.wait("r", "source", again);
    (void)s;
  };
  idx.wait("r", "source", again);
  for (int i = 0; i < 5; ++i) idx.publish("r", snap("source", i));
  EXPECT_EQ(rounds, 3);
}

TEST(hls_index, concurrent_publish_wait_cancel) {
  index idx;
  std::atomic<int> fired{0};
  std::atomic<bool> stop{false};
  std::thread publisher([&] {
    for (std::uint64_t i = 0; !stop; ++i) idx.publish("r", snap("source", i));
  });
  std::vector<std::thread> waiters;
  for (int t = 0; t < 3; ++t)
    waiters.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        const auto id = idx.wait("r", "source", [&](media::rendition_snapshot_ptr) { ++fired; });
        if (i % 2) idx.cancel(id);
        (void)idx.find("r", "source");
      }
    });
  for (auto& w : waiters) w.join();
  stop = true;
  publisher.join();
  idx.publish("r", snap("source", 0));  // flush the rest
  EXPECT_EQ(idx.waiter_count(), 0u);
  EXPECT_GE(fired.load(), 3000);
}

}  // namespace
}  // namespace onair::net::hls
