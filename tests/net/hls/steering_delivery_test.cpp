// Content steering over real HTTP (docs/hls-steering.md): the master of a lone node stays as it was, a
// cluster's master carries pathways, /hls/{room}/steering.json, and a draining node's 307 for new viewers.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/net/http/http_test_support.hpp"
#include "tests/net/hls/sample_master.hpp"

namespace onair::net::http::testing {
namespace {

hls::steering_member node(std::string id, std::string region, std::uint16_t port, bool alive = true,
                          bool draining = false) {
  return hls::steering_member{std::move(id), std::move(region), "127.0.0.1", port, alive, draining};
}

media::rendition_snapshot_ptr snap(const std::string& name) {
  auto s = std::make_shared<media::rendition_snapshot>();
  s->name = name;
  s->first_msn = 3;
  s->next_msn = 5;
  s->target_duration_s = 0.5;
  s->part_target_s = 0.125;
  s->playlist = "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:3\n";
  return s;
}

constexpr std::string_view master = onair::net::testing::sample_master;

// What a lone node answers for sid "keep": the packager's bytes, line endings included, plus sids.
constexpr std::string_view lone_master =
    "#EXTM3U\n"
    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"en\",URI=\"audio/index.m3u8?sid=keep\"\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=3000000,CODECS=\"avc1.64001f,mp4a.40.2\",AUDIO=\"a\"\n"
    "source/index.m3u8?sid=keep\r\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=128000,CODECS=\"mp4a.40.2\"\n"
    "audio/index.m3u8?sid=keep\n";

/// The server with a steering table, set before listen() as node.cpp does.
class steering_delivery : public server_fixture {
 protected:
  void SetUp() override {
    srv_ = std::make_unique<server>(io_, options(), api_, index_, viewers_);
    srv_->set_steering(table_);
    ASSERT_FALSE(srv_->listen("127.0.0.1", 0));
    port_ = srv_->port();
    io_.start();
    index_.publish("room1", snap("source"));
    index_.publish("room1", snap("audio"));
    index_.publish_master("room1", std::string(master));
  }

  void cluster(bool self_draining, std::vector<hls::steering_member> others) {
    table_->update(node("node-b", "eu", port_, true, self_draining), others);
  }

  std::shared_ptr<hls::steering_table> table_ = std::make_shared<hls::steering_table>();
};

TEST_F(steering_delivery, lone_node_master_is_unchanged) {
  // Before the cluster actor's first update, with only this node, and with every other node dead.
  EXPECT_EQ(get("/hls/room1/master.m3u8?sid=keep").body(), lone_master);
  cluster(false, {});
  EXPECT_EQ(get("/hls/room1/master.m3u8?sid=keep").body(), lone_master);
  cluster(false, {node("node-a", "eu", 8080, false), node("node-c", "us", 8082, true, true)});
  auto r = get("/hls/room1/master.m3u8?sid=keep");
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_EQ(r.body(), lone_master);
}

TEST_F(steering_delivery, cluster_master_lists_a_pathway_per_node) {
  cluster(false, {node("node-c", "us", 8082), node("node-a", "eu", 8080)});
  auto r = get("/hls/room1/master.m3u8?sid=keep");
  ASSERT_EQ(r.result_int(), 200u);
  EXPECT_EQ(header(r, bhttp::field::content_type), "application/vnd.apple.mpegurl");
  EXPECT_EQ(header(r, bhttp::field::cache_control), "no-cache");
  // Same bytes as the pure function (steering_test.cpp checks those line by line).
  EXPECT_EQ(r.body(), hls::steer_master(master, "keep", *table_->view(), "/hls/room1/"));
  EXPECT_EQ(r.body().find("#EXTM3U\n#EXT-X-CONTENT-STEERING:SERVER-URI=\"steering.json?sid=keep\",PATHWAY-ID=\"node-b\"\n"),
            0u)
      << r.body();
  EXPECT_NE(r.body().find("\nhttp://127.0.0.1:8080/hls/room1/source/index.m3u8?sid=keep\n"), std::string::npos);
  EXPECT_NE(r.body().find("\nhttp://127.0.0.1:8082/hls/room1/source/index.m3u8?sid=keep\n"), std::string::npos);
  // A viewer that comes without a sid gets one, on every pathway.
  auto fresh = get("/hls/room1/master.m3u8").body();
  const auto at = fresh.find("steering.json?sid=");
  ASSERT_NE(at, std::string::npos);
  const auto sid = fresh.substr(at + 18, 32);
  EXPECT_NE(fresh.find("8082/hls/room1/audio/index.m3u8?sid=" + sid + "\""), std::string::npos) << fresh;
}

TEST_F(steering_delivery, steering_manifest) {
  cluster(false, {node("node-c", "us", 8082), node("node-a", "eu", 8080), node("dead", "eu", 8083, false),
                  node("leaving", "eu", 8084, true, true)});
  // hls.js appends the pathway it plays and its throughput estimate.
  auto r = get("/hls/room1/steering.json?sid=keep&_HLS_pathway=node-a&_HLS_throughput=2500000");
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  EXPECT_EQ(header(r, bhttp::field::content_type), "application/json");
  EXPECT_EQ(header(r, bhttp::field::cache_control), "no-cache");
  EXPECT_EQ(header(r, bhttp::field::access_control_allow_origin), "*");
  auto j = nlohmann::json::parse(r.body());
  EXPECT_EQ(j["VERSION"], 1);
  EXPECT_GE(j["TTL"].get<int>(), 1);
  EXPECT_LE(j["TTL"].get<int>(), 10);
  EXPECT_EQ(j["PATHWAY-PRIORITY"], (nlohmann::json{"node-b", "node-a", "node-c"}));
  EXPECT_EQ(j["RELOAD-URI"], "steering.json?sid=keep");
  // Quoted pathway (some players quote it) and no parameters at all are fine too.
  EXPECT_EQ(get("/hls/room1/steering.json?_HLS_pathway=%22node-a%22").result_int(), 200u);
  EXPECT_EQ(get("/hls/room1/steering.json").result_int(), 200u);

  auto missing = get("/hls/nope/steering.json");
  EXPECT_EQ(missing.result_int(), 404u);
  EXPECT_EQ(header(missing, bhttp::field::content_type), "application/json");
  EXPECT_NE(missing.body().find("\"code\":\"not_found\""), std::string::npos);
  EXPECT_EQ(header(missing, bhttp::field::access_control_allow_origin), "*");
}

TEST_F(steering_delivery, steering_is_not_viewer_activity) {
  cluster(false, {node("node-a", "eu", 8080)});
  get("/hls/room1/steering.json?sid=abc");
  EXPECT_TRUE(viewers_.calls().empty());
}

TEST_F(steering_delivery, draining_node_redirects_new_viewers_and_keeps_serving_old_ones) {
  cluster(true, {node("node-c", "us", 8082), node("node-a", "eu", 8080)});
  auto r = get("/hls/room1/master.m3u8?sid=keep&x=1");
  EXPECT_EQ(r.result_int(), 307u);
  // Same path and query on the first healthy node (same region first).
  EXPECT_EQ(header(r, bhttp::field::location), "http://127.0.0.1:8080/hls/room1/master.m3u8?sid=keep&x=1");
  EXPECT_EQ(header(r, bhttp::field::access_control_allow_origin), "*");
  EXPECT_EQ(header(r, bhttp::field::cache_control), "no-store");
  EXPECT_TRUE(viewers_.calls().empty());  // counted where it lands
  // Viewers already here keep their media playlists.
  auto media = get("/hls/room1/source/index.m3u8?sid=keep");
  EXPECT_EQ(media.result_int(), 200u);
  EXPECT_EQ(media.body(), index_.find("room1", "source")->playlist);
  // The manifest sends them away.
  auto j = nlohmann::json::parse(get("/hls/room1/steering.json?sid=keep").body());
  EXPECT_EQ(j["PATHWAY-PRIORITY"], (nlohmann::json{"node-a", "node-c"}));
  EXPECT_EQ(j["RELOAD-URI"], "http://127.0.0.1:8080/hls/room1/steering.json?sid=keep");
  // Unknown rooms are still 404 (not redirected somewhere that does not know them either).
  EXPECT_EQ(get("/hls/nope/master.m3u8").result_int(), 404u);
}

TEST_F(steering_delivery, draining_node_with_nobody_to_send_to_serves_as_usual) {
  cluster(true, {node("node-a", "eu", 8080, false)});
  auto r = get("/hls/room1/master.m3u8?sid=keep");
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_EQ(r.body(), lone_master);
}

}  // namespace
}  // namespace onair::net::http::testing
