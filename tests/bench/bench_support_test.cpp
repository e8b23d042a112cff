// onair-bench's URL resolution, result maths and FLV tag reader.
#include <gtest/gtest.h>

#include <string>

#include "bench/onair_bench/flv_tags.hpp"
#include "bench/onair_bench/http_url.hpp"
#include "bench/onair_bench/result_stats.hpp"

namespace onair::bench {
namespace {

TEST(bench_url, parse_and_resolve) {
  auto u = parse_url("http://127.0.0.1:8080/hls/r1/master.m3u8");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, "8080");
  EXPECT_EQ(resolve_target(*u, "source/index.m3u8"), "/hls/r1/source/index.m3u8");
  EXPECT_EQ(resolve_target(*u, "/abs/x.m4s"), "/abs/x.m4s");
  EXPECT_EQ(resolve_target(*u, "http://127.0.0.1:8080/y.m4s"), "/y.m4s");
  url media = *u;
  media.target = "/hls/r1/source/index.m3u8?_HLS_msn=3";
  EXPECT_EQ(resolve_target(media, "part3.1.m4s"), "/hls/r1/source/part3.1.m4s");
  EXPECT_EQ(resolve_target(media, "../720p/index.m3u8"), "/hls/r1/720p/index.m3u8");
  EXPECT_EQ(with_query("/a.m3u8", "_HLS_msn=1"), "/a.m3u8?_HLS_msn=1");
  EXPECT_EQ(with_query("/a.m3u8?x=1", "_HLS_part=0"), "/a.m3u8?x=1&_HLS_part=0");
  auto r = parse_url("rtmp://127.0.0.1/live/sk_abc");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->port, "1935");
  EXPECT_EQ(r->target, "/live/sk_abc");
  EXPECT_FALSE(parse_url("ftp://x/y"));
  EXPECT_FALSE(parse_url("http://:80/"));
}

TEST(latency_histogram, nearest_rank_percentiles) {
  latency_histogram h;
  EXPECT_EQ(h.percentile_ms(0.5), 0);
  for (int i = 1; i <= 100; ++i) h.add_ms(i - 0.5);  // 0.5, 1.5, ... 99.5 ms: one per 1 ms bucket
  EXPECT_EQ(h.count(), 100u);
  EXPECT_DOUBLE_EQ(h.mean_ms(), 50.0);
  EXPECT_DOUBLE_EQ(h.percentile_ms(0.5), 50);   // 50th sample, 49.5 ms, bucket [49, 50)
  EXPECT_DOUBLE_EQ(h.percentile_ms(0.99), 99);
  EXPECT_DOUBLE_EQ(h.percentile_ms(1.0), 99.5); // capped at the true maximum
  EXPECT_DOUBLE_EQ(h.percentile_ms(0.0), 1);
  auto cdf = h.cdf();
  ASSERT_EQ(cdf.size(), 100u);
  EXPECT_DOUBLE_EQ(cdf.front().second, 0.01);
  EXPECT_DOUBLE_EQ(cdf.back().second, 1.0);
}

TEST(latency_histogram, merge_negative_and_overflow) {
  latency_histogram a, b;
  a.add_ms(-5);  // a clock step counts as 0
  b.add_ms(1e9); // beyond 120 s lands in the last bucket
  a.merge(b);
  EXPECT_EQ(a.count(), 2u);
  EXPECT_DOUBLE_EQ(a.percentile_ms(0.5), 1);
  EXPECT_DOUBLE_EQ(a.max_ms(), 1e9);
  EXPECT_DOUBLE_EQ(a.percentile_ms(1.0), static_cast<double>(latency_histogram::buckets));
}

TEST(delta_sample, per_second_rates_from_cumulative_counters) {
  counters_snapshot p{.active = 3, .units = 10, .bytes = 1000, .stalls = 1, .errors = 0};
  counters_snapshot n{.active = 5, .units = 25, .bytes = 4000, .stalls = 3, .errors = 1};
  auto s = delta_sample(7, p, n);
  EXPECT_EQ(s.t_s, 7);
  EXPECT_EQ(s.active, 5);
  EXPECT_EQ(s.units, 15);
  EXPECT_EQ(s.bytes, 3000);
  EXPECT_EQ(s.stalls, 2);
  EXPECT_EQ(s.errors, 1);
}

std::string flv_bytes() {
  std::string f("FLV\x01\x05\x00\x00\x00\x09", 9);  // signature, version 1, audio+video flags, DataOffset 9
  f += std::string(4, '\0');                          // PreviousTagSize0
  // Audio tag: type 8, DataSize 2, Timestamp 0x000010 (16 ms), extended 0x01 (-> 0x01000010), StreamID 0.
  f += std::string("\x08\x00\x00\x02\x00\x00\x10\x01\x00\x00\x00", 11) + std::string("\xaf\x00", 2);
  f += std::string("\x00\x00\x00\x0d", 4);            // PreviousTagSize = 11 + 2
  // Video tag: type 9, DataSize 3, Timestamp 33 ms.
  f += std::string("\x09\x00\x00\x03\x00\x00\x21\x00\x00\x00\x00", 11) + std::string("\x17\x00\x00", 3);
  f += std::string("\x00\x00\x00\x0e", 4);
  return f;
}

TEST(flv_tags, splits_tags_with_extended_timestamps) {
  std::vector<flv_tag> tags;
  const auto f = flv_bytes();
  ASSERT_FALSE(split_flv_tags(f, tags));
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[0].type, 8);
  EXPECT_EQ(tags[0].timestamp_ms, 0x01000010u);
  EXPECT_EQ(tags[0].size, 2u);
  EXPECT_EQ(f.substr(tags[0].offset, tags[0].size), std::string("\xaf\x00", 2));
  EXPECT_EQ(tags[1].type, 9);
  EXPECT_EQ(tags[1].timestamp_ms, 33u);
  // Cut inside the second tag: the first survives (a capture cut short).
  ASSERT_FALSE(split_flv_tags(std::string_view(f).substr(0, f.size() - 6), tags));
  EXPECT_EQ(tags.size(), 1u);
  EXPECT_EQ(split_flv_tags("FLV", tags), flv_errc::not_flv);
  EXPECT_EQ(split_flv_tags(std::string_view(f).substr(0, 20), tags), flv_errc::truncated);
}

}  // namespace
}  // namespace onair::bench
