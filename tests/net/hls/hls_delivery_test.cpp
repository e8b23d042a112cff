// LL-HLS delivery over real HTTP: playlists, files, blocking reload (RFC 8216bis 6.2.5.2),
// preload-hint parking, content types, cache headers, viewer activity throttling.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <regex>
#include <thread>

#include "tests/net/hls/sample_master.hpp"
#include "tests/net/http/http_test_support.hpp"

namespace onair::net::http::testing {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

/// A snapshot whose window holds complete segments [first, next_msn) and parts [0, next_part) of next_msn.
media::rendition_snapshot_ptr make_snap(const std::string& name, std::uint64_t first, std::uint64_t next_msn,
                                        std::uint32_t next_part, double target = 0.5, bool ended = false,
                                        bool audio = false) {
  auto s = std::make_shared<media::rendition_snapshot>();
  s->name = name;
  s->first_msn = first;
  s->next_msn = next_msn;
  s->next_part = next_part;
  s->target_duration_s = target;
  s->part_target_s = target / 4;
  s->ended = ended;
  s->audio_only = audio;
  s->playlist = "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:" + std::to_string(first) + "\n# next " + std::to_string(next_msn) +
                "." + std::to_string(next_part) + (ended ? "\n#EXT-X-ENDLIST\n" : "\n");
  s->files["init0.mp4"] = media::whole(media::make_shared_bytes({'i', 'n', 'i', 't'}));
  for (auto m = first; m < next_msn; ++m)
    s->files["seg" + std::to_string(m) + ".m4s"] =
        media::whole(media::make_shared_bytes({'s', static_cast<std::uint8_t>(m)}));
  for (std::uint32_t p = 0; p < next_part; ++p)
    s->files["part" + std::to_string(next_msn) + "." + std::to_string(p) + ".m4s"] =
        media::whole(media::make_shared_bytes({'p', static_cast<std::uint8_t>(p)}));
  return s;
}

class hls_delivery : public server_fixture {
 protected:
  void SetUp() override {
    server_fixture::SetUp();
    index_.publish("room1", make_snap("source", 3, 5, 1));
    index_.publish("room1", make_snap("audio", 3, 5, 1, 0.5, false, true));
    index_.publish_master("room1", std::string(onair::net::testing::sample_master));
  }

  /// Publishes `s` from another thread after `delay`.
  std::future<void> publish_later(media::rendition_snapshot_ptr s, std::chrono::milliseconds delay) {
    return std::async(std::launch::async, [this, s, delay] {
      std::this_thread::sleep_for(delay);
      index_.publish("room1", s);
    });
  }

  static void expect_playlist(const client_response& r) {
    EXPECT_EQ(r.result_int(), 200u) << r.body();
    EXPECT_EQ(header(r, bhttp::field::content_type), "application/vnd.apple.mpegurl");
    EXPECT_EQ(header(r, bhttp::field::cache_control), "no-cache");
    EXPECT_EQ(header(r, bhttp::field::access_control_allow_origin), "*");
  }

  static void expect_json_error(const client_response& r, unsigned status, const std::string& code) {
    EXPECT_EQ(r.result_int(), status) << r.body();
    EXPECT_EQ(header(r, bhttp::field::content_type), "application/json");
    EXPECT_NE(r.body().find("\"code\":\"" + code + "\""), std::string::npos) << r.body();
    EXPECT_EQ(header(r, bhttp::field::access_control_allow_origin), "*");
  }
};

TEST_F(hls_delivery, master_playlist_gets_a_session_id_on_every_uri) {
  auto r = get("/hls/room1/master.m3u8");
  expect_playlist(r);
  const std::regex sid_re("sid=([0-9a-f]{32})");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.body(), m, sid_re)) << r.body();
  const std::string sid = m[1];
  EXPECT_NE(r.body().find("URI=\"audio/index.m3u8?sid=" + sid + "\""), std::string::npos) << r.body();
  EXPECT_NE(r.body().find("\nsource/index.m3u8?sid=" + sid + "\r\n"), std::string::npos) << r.body();
  EXPECT_NE(r.body().find("\naudio/index.m3u8?sid=" + sid + "\n"), std::string::npos) << r.body();
  EXPECT_NE(r.body().find("CODECS=\"avc1.64001f,mp4a.40.2\""), std::string::npos);  // tags untouched

  // Two viewers get two sessions; a request that already carries a sid keeps it.
  auto r2 = get("/hls/room1/master.m3u8");
  ASSERT_TRUE(std::regex_search(r2.body(), m, sid_re));
  EXPECT_NE(m[1], sid);
  auto r3 = get("/hls/room1/master.m3u8?sid=keep-me_1");
  EXPECT_NE(r3.body().find("source/index.m3u8?sid=keep-me_1"), std::string::npos) << r3.body();
}

TEST_F(hls_delivery, unknown_room_rendition_and_file_are_404_json) {
  expect_json_error(get("/hls/nope/master.m3u8"), 404, "not_found");
  expect_json_error(get("/hls/nope/source/index.m3u8"), 404, "not_found");
  expect_json_error(get("/hls/room1/720p/index.m3u8"), 404, "not_found");
  expect_json_error(get("/hls/room1/source/seg1.m4s"), 404, "not_found");       // expired
  expect_json_error(get("/hls/room1/source/part9.0.m4s"), 404, "not_found");    // not the hint
  expect_json_error(get("/hls/room1/source/../audio/index.m3u8"), 404, "not_found");
  expect_json_error(get("/hls/room1/a/b/c"), 404, "not_found");
}

TEST_F(hls_delivery, media_playlist_is_served_as_published) {
  auto r = get("/hls/room1/source/index.m3u8");
  expect_playlist(r);
  EXPECT_EQ(r.body(), index_.find("room1", "source")->playlist);
}

TEST_F(hls_delivery, files_have_media_types_and_immutable_caching) {
  auto r = get("/hls/room1/source/part5.0.m4s");
  ASSERT_EQ(r.result_int(), 200u);
  EXPECT_EQ(r.body(), std::string("p\0", 2));
  EXPECT_EQ(header(r, bhttp::field::content_type), "video/mp4");
  EXPECT_EQ(header(r, bhttp::field::cache_control), "public, max-age=31536000, immutable");
  EXPECT_EQ(header(r, bhttp::field::access_control_allow_origin), "*");
  r = get("/hls/room1/source/init0.mp4");
  EXPECT_EQ(r.body(), "init");
  EXPECT_EQ(header(r, bhttp::field::content_type), "video/mp4");
  r = get("/hls/room1/source/seg4.m4s");
  EXPECT_EQ(r.result_int(), 200u);
  r = get("/hls/room1/audio/seg4.m4s");
  EXPECT_EQ(header(r, bhttp::field::content_type), "audio/mp4");
}

TEST_F(hls_delivery, head_returns_length_without_body) {
  client c(port_);
  auto r = c.request(bhttp::verb::head, "/hls/room1/source/init0.mp4");
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_EQ(header(r, bhttp::field::content_length), "4");
  // The connection is still in sync: the next response is read correctly.
  EXPECT_EQ(c.request(bhttp::verb::get, "/hls/room1/source/init0.mp4").body(), "init");
}

TEST_F(hls_delivery, non_get_is_405) {
  auto r = call(bhttp::verb::post, "/hls/room1/source/index.m3u8", "{}");
  expect_json_error(r, 405, "method_not_allowed");
  EXPECT_EQ(header(r, bhttp::field::allow), "GET, HEAD, OPTIONS");
}

TEST_F(hls_delivery, blocking_reload_already_satisfied_answers_at_once) {
  const auto t0 = clock_type::now();
  expect_playlist(get("/hls/room1/source/index.m3u8?_HLS_msn=5&_HLS_part=0"));
  expect_playlist(get("/hls/room1/source/index.m3u8?_HLS_msn=4"));
  expect_playlist(get("/hls/room1/source/index.m3u8?_HLS_msn=1"));  // older than the window
  EXPECT_LT(clock_type::now() - t0, 300ms);
}

TEST_F(hls_delivery, blocking_reload_waits_for_the_next_part) {
  auto later = publish_later(make_snap("source", 3, 5, 2), 150ms);
  const auto t0 = clock_type::now();
  auto r = get("/hls/room1/source/index.m3u8?_HLS_msn=5&_HLS_part=1");
  const auto waited = clock_type::now() - t0;
  expect_playlist(r);
  EXPECT_NE(r.body().find("# next 5.2"), std::string::npos) << r.body();
  EXPECT_GE(waited, 100ms);
  EXPECT_LT(waited, 1400ms);  // before the 3 x 0.5 s timeout
  later.get();
  EXPECT_EQ(index_.waiter_count(), 0u);
}

TEST_F(hls_delivery, blocking_reload_keeps_waiting_through_unrelated_publishes) {
  auto f = std::async(std::launch::async, [this] {
    std::this_thread::sleep_for(80ms);
    index_.publish("room1", make_snap("source", 3, 5, 2));  // not yet msn 6
    std::this_thread::sleep_for(80ms);
    index_.publish("room1", make_snap("source", 4, 7, 0));  // segment 6 complete
  });
  auto r = get("/hls/room1/source/index.m3u8?_HLS_msn=6");
  expect_playlist(r);
  EXPECT_NE(r.body().find("# next 7.0"), std::string::npos) << r.body();
  f.get();
}

TEST_F(hls_delivery, blocking_reload_times_out_with_503) {
  index_.publish("room1", make_snap("source", 3, 5, 1, 0.2));
  const auto t0 = clock_type::now();
  auto r = get("/hls/room1/source/index.m3u8?_HLS_msn=5&_HLS_part=3");
  const auto waited = clock_type::now() - t0;
  expect_json_error(r, 503, "service_unavailable");
  EXPECT_GE(waited, 500ms);  // 3 x target duration (0.2 s)
  EXPECT_LT(waited, 2s);
  EXPECT_EQ(index_.waiter_count(), 0u);
}

TEST_F(hls_delivery, blocking_reload_bad_requests) {
  expect_json_error(get("/hls/room1/source/index.m3u8?_HLS_part=1"), 400, "bad_request");
  expect_json_error(get("/hls/room1/source/index.m3u8?_HLS_msn=abc"), 400, "bad_request");
  expect_json_error(get("/hls/room1/source/index.m3u8?_HLS_msn=5&_HLS_part=-1"), 400, "bad_request");
  // Last complete segment is 4: 6 is two beyond (allowed), 7 is more than two beyond.
  expect_json_error(get("/hls/room1/source/index.m3u8?_HLS_msn=7"), 400, "bad_request");
  expect_json_error(get("/hls/room1/source/index.m3u8?_HLS_msn=5&_HLS_part=100"), 400, "bad_request");
}

TEST_F(hls_delivery, ended_playlist_answers_blocking_reload_at_once) {
  index_.publish("room1", make_snap("source", 3, 6, 0, 5.0, true));
  const auto t0 = clock_type::now();
  auto r = get("/hls/room1/source/index.m3u8?_HLS_msn=7");
  expect_playlist(r);
  EXPECT_NE(r.body().find("#EXT-X-ENDLIST"), std::string::npos);
  EXPECT_LT(clock_type::now() - t0, 300ms);
}

TEST_F(hls_delivery, removed_room_wakes_parked_request_with_404) {
  auto f = std::async(std::launch::async, [this] {
    std::this_thread::sleep_for(100ms);
    index_.remove("room1");
  });
  expect_json_error(get("/hls/room1/source/index.m3u8?_HLS_msn=5&_HLS_part=1"), 404, "not_found");
  f.get();
}

TEST_F(hls_delivery, preload_hinted_part_is_parked_until_published) {
  auto later = publish_later(make_snap("source", 3, 5, 2), 150ms);
  const auto t0 = clock_type::now();
  auto r = get("/hls/room1/source/part5.1.m4s");
  const auto waited = clock_type::now() - t0;
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  EXPECT_EQ(r.body(), std::string("p\1", 2));
  EXPECT_EQ(header(r, bhttp::field::cache_control), "public, max-age=31536000, immutable");
  EXPECT_GE(waited, 100ms);
  later.get();
}

TEST_F(hls_delivery, preload_hinted_part_times_out_with_503) {
  index_.publish("room1", make_snap("source", 3, 5, 1, 0.2));
  const auto t0 = clock_type::now();
  expect_json_error(get("/hls/room1/source/part5.1.m4s"), 503, "service_unavailable");
  EXPECT_GE(clock_type::now() - t0, 500ms);
}

TEST_F(hls_delivery, hinted_part_that_never_comes_is_404) {
  // The segment was cut at a keyframe: part 5.1 is never produced, 6.0 follows.
  auto later = publish_later(make_snap("source", 3, 6, 0), 100ms);
  expect_json_error(get("/hls/room1/source/part5.1.m4s"), 404, "not_found");
  later.get();
}

TEST_F(hls_delivery, parked_requests_keep_the_connection_usable) {
  client c(port_);
  auto later = publish_later(make_snap("source", 3, 5, 2), 100ms);
  auto r = c.request(bhttp::verb::get, "/hls/room1/source/index.m3u8?_HLS_msn=5&_HLS_part=1");
  expect_playlist(r);
  later.get();
  r = c.request(bhttp::verb::get, "/hls/room1/source/part5.1.m4s");
  EXPECT_EQ(r.result_int(), 200u);
}

TEST_F(hls_delivery, viewer_activity_is_throttled_per_session) {
  for (int i = 0; i < 5; ++i) get("/hls/room1/source/index.m3u8?sid=abc");
  get("/hls/room1/master.m3u8?sid=abc");
  get("/hls/room1/audio/index.m3u8?sid=def");
  for (int i = 0; i < 3; ++i) get("/hls/room1/source/index.m3u8");
  get("/hls/room1/source/part5.0.m4s");  // parts are not activity
  auto calls = viewers_.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0], std::make_pair(std::string("room1"), std::string("abc")));
  EXPECT_EQ(calls[1], std::make_pair(std::string("room1"), std::string("def")));
  EXPECT_EQ(calls[2], std::make_pair(std::string("room1"), std::string("127.0.0.1|test-agent")));
  // A master fetch without sid reports the fresh session.
  get("/hls/room1/master.m3u8");
  EXPECT_EQ(viewers_.calls().size(), 4u);
}

TEST_F(hls_delivery, many_parked_viewers_share_one_publish) {
  std::vector<std::future<client_response>> viewers;
  for (int i = 0; i < 20; ++i)
    viewers.push_back(std::async(std::launch::async, [this] {
      return get("/hls/room1/source/index.m3u8?_HLS_msn=5&_HLS_part=1");
    }));
  std::this_thread::sleep_for(150ms);
  index_.publish("room1", make_snap("source", 3, 5, 2));
  for (auto& v : viewers) expect_playlist(v.get());
}

}  // namespace
}  // namespace onair::net::http::testing
