#include "actors/node_metrics.hpp"

#include <gtest/gtest.h>

namespace onair::actors {
namespace {

TEST(LatencyHistogram, PutsSamplesInTheirBucketsIncludingBoundaries) {
  latency_histogram h;
  h.add(0.005);   // (0, 0.01]
  h.add(0.01);    // boundary stays in (0, 0.01]
  h.add(0.333);   // (0.33, 0.34]
  h.add(1.1);     // (1.0, 1.25]
  h.add(42.0);    // +Inf
  EXPECT_EQ(h.bucket(0), 2u);
  EXPECT_EQ(h.bucket(33), 1u);
  EXPECT_DOUBLE_EQ(latency_histogram::upper(33), 0.34);
  EXPECT_EQ(h.bucket(latency_histogram::fine_buckets), 1u);
  EXPECT_EQ(h.bucket(latency_histogram::bucket_count), 1u);
  EXPECT_EQ(h.count(), 5u);
  EXPECT_NEAR(h.sum(), 0.005 + 0.01 + 0.333 + 1.1 + 42.0, 1e-5);
}

TEST(LatencyHistogram, PrometheusBucketsAreCumulative) {
  node_metrics m;
  m.ingest_to_part.add(0.2);
  m.ingest_to_part.add(0.3);
  auto text = render_prometheus(m, 3, 1, 7);
  EXPECT_NE(text.find("onair_ingest_to_part_seconds_bucket{le=\"0.2\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("onair_ingest_to_part_seconds_bucket{le=\"0.3\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("onair_ingest_to_part_seconds_bucket{le=\"+Inf\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("onair_viewers 7\n"), std::string::npos);
  EXPECT_NE(text.find("onair_live_streams 1\n"), std::string::npos);
}

TEST(NodeMetrics, ChatTransportTotalsAreExportedWhenASourceIsSet) {
  node_metrics m;
  EXPECT_EQ(render_prometheus(m, 0, 0, 0).find("onair_chat_upgrades_refused_total"), std::string::npos);
  m.chat_transport = [] {
    net::chat::ws_stats s;
    s.dropped_frames = 11;
    s.slow_consumer_closes = 2;
    s.refused_node_full = 3;
    s.refused_address_full = 4;
    return s;
  };
  const auto text = render_prometheus(m, 0, 0, 0);
  EXPECT_NE(text.find("onair_chat_frames_dropped_total 11\n"), std::string::npos) << text;
  EXPECT_NE(text.find("onair_chat_slow_consumer_closes_total 2\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE onair_chat_upgrades_refused_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("onair_chat_upgrades_refused_total{reason=\"node_full\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("onair_chat_upgrades_refused_total{reason=\"address_full\"} 4\n"), std::string::npos);
}

}  // namespace
}  // namespace onair::actors
