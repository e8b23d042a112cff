// Content steering as pure functions (net/hls/steering.hpp, docs/hls-steering.md): who is a pathway and
// in which order, the steered master byte for byte, the steering manifest.
#include "net/hls/steering.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include "tests/net/hls/sample_master.hpp"

namespace onair::net::hls {
namespace {

steering_member node(std::string id, std::string region, std::uint16_t port, bool alive = true, bool draining = false) {
  return steering_member{std::move(id), std::move(region), "127.0.0.1", port, alive, draining};
}

std::vector<std::string> ids(const steering_view& v) {
  std::vector<std::string> out;
  for (const auto& p : v.pathways) out.push_back(p.id);
  return out;
}

constexpr std::string_view master = onair::net::testing::sample_master;

TEST(steering_table, empty_before_the_first_update) {
  steering_table t;
  auto v = t.view();
  ASSERT_NE(v, nullptr);
  EXPECT_TRUE(v->pathways.empty());
  EXPECT_FALSE(v->steered());
  EXPECT_EQ(v->self(), nullptr);
}

TEST(steering_table, this_node_first_then_its_region_then_the_rest) {
  steering_table t;
  t.update(node("node-b", "eu", 8081),
           {node("node-z", "us", 8090), node("node-c", "ap", 8082), node("node-a", "eu", 8080), node("node-y", "eu", 8089)});
  auto v = t.view();
  EXPECT_EQ(ids(*v), (std::vector<std::string>{"node-b", "node-a", "node-y", "node-c", "node-z"}));
  ASSERT_NE(v->self(), nullptr);
  EXPECT_EQ(v->self()->base_url, "http://127.0.0.1:8081");
  EXPECT_EQ(v->first_other()->node_id, "node-a");
  EXPECT_TRUE(v->steered());
}

TEST(steering_table, drops_dead_suspect_draining_and_portless_nodes) {
  steering_table t;
  t.update(node("node-b", "eu", 8081),
           {node("dead", "eu", 8083, false), node("draining", "eu", 8084, true, true), node("starting", "eu", 0),
            node("node-a", "eu", 8080), node("node-b", "eu", 9999) /* itself, as gossip may echo it */});
  auto v = t.view();
  EXPECT_EQ(ids(*v), (std::vector<std::string>{"node-b", "node-a"}));
  EXPECT_EQ(v->self()->base_url, "http://127.0.0.1:8081");
}

TEST(steering_table, a_draining_node_is_no_pathway_of_its_own) {
  steering_table t;
  t.update(node("node-b", "eu", 8081, true, true), {node("node-c", "us", 8082), node("node-a", "eu", 8080)});
  auto v = t.view();
  EXPECT_TRUE(v->self_draining);
  EXPECT_EQ(v->self(), nullptr);
  EXPECT_EQ(ids(*v), (std::vector<std::string>{"node-a", "node-c"}));
  EXPECT_EQ(v->first_other()->base_url, "http://127.0.0.1:8080");
}

TEST(steering_table, a_view_taken_stays_valid_across_updates) {
  steering_table t;
  t.update(node("node-b", "eu", 8081), {node("node-a", "eu", 8080)});
  auto before = t.view();
  t.update(node("node-b", "eu", 8081), {});
  EXPECT_EQ(before->pathways.size(), 2u);
  EXPECT_EQ(t.view()->pathways.size(), 1u);
}

TEST(steering, pathway_ids_are_legal) {
  EXPECT_EQ(pathway_id("node-Ab_9.x"), "node-Ab_9.x");
  EXPECT_EQ(pathway_id("nöde 1/\"x\""), "n__de_1__x_");  // RFC 8216bis: [A-Za-z0-9._-] only
  EXPECT_EQ(pathway_id(""), "_");
}

TEST(steering, master_with_three_pathways_byte_for_byte) {
  steering_table t;
  t.update(node("node-b", "eu", 8081),
           {node("node-c", "us", 8082), node("node-a", "eu", 8080), node("gone", "eu", 8083, false)});
  const auto out = steer_master(master, "s1", *t.view(), "/hls/room1/");
  EXPECT_EQ(out,
            "#EXTM3U\n"
            "#EXT-X-CONTENT-STEERING:SERVER-URI=\"steering.json?sid=s1\",PATHWAY-ID=\"node-b\"\n"
            // This node: relative URIs, as a lone node serves them.
            "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a-node-b\",NAME=\"en\",URI=\"audio/index.m3u8?sid=s1\"\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=3000000,CODECS=\"avc1.64001f,mp4a.40.2\",AUDIO=\"a-node-b\","
            "STABLE-VARIANT-ID=\"source\",PATHWAY-ID=\"node-b\"\n"
            "source/index.m3u8?sid=s1\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=128000,CODECS=\"mp4a.40.2\",STABLE-VARIANT-ID=\"audio\",PATHWAY-ID=\"node-b\"\n"
            "audio/index.m3u8?sid=s1\n"
            // Same region next, absolute URIs on that node, its own rendition group.
            "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a-node-a\",NAME=\"en\","
            "URI=\"http://127.0.0.1:8080/hls/room1/audio/index.m3u8?sid=s1\"\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=3000000,CODECS=\"avc1.64001f,mp4a.40.2\",AUDIO=\"a-node-a\","
            "STABLE-VARIANT-ID=\"source\",PATHWAY-ID=\"node-a\"\n"
            "http://127.0.0.1:8080/hls/room1/source/index.m3u8?sid=s1\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=128000,CODECS=\"mp4a.40.2\",STABLE-VARIANT-ID=\"audio\",PATHWAY-ID=\"node-a\"\n"
            "http://127.0.0.1:8080/hls/room1/audio/index.m3u8?sid=s1\n"
            // Then the other region.
            "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a-node-c\",NAME=\"en\","
            "URI=\"http://127.0.0.1:8082/hls/room1/audio/index.m3u8?sid=s1\"\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=3000000,CODECS=\"avc1.64001f,mp4a.40.2\",AUDIO=\"a-node-c\","
            "STABLE-VARIANT-ID=\"source\",PATHWAY-ID=\"node-c\"\n"
            "http://127.0.0.1:8082/hls/room1/source/index.m3u8?sid=s1\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=128000,CODECS=\"mp4a.40.2\",STABLE-VARIANT-ID=\"audio\",PATHWAY-ID=\"node-c\"\n"
            "http://127.0.0.1:8082/hls/room1/audio/index.m3u8?sid=s1\n");
}

TEST(steering, master_as_the_packager_writes_it) {
  // media/playlist_writer.cpp's shape: session tags, then variants without rendition groups.
  constexpr std::string_view packaged =
      "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n"
      "#EXT-X-STREAM-INF:BANDWIDTH=2500000,CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=1280x720,FRAME-RATE=30.000\n"
      "720p/index.m3u8\n"
      "#EXT-X-STREAM-INF:BANDWIDTH=4000000,CODECS=\"avc1.640028,mp4a.40.2\",RESOLUTION=1920x1080\n"
      "source/index.m3u8\n";
  steering_table t;
  t.update(node("b", "eu", 2), {node("a", "us", 1)});
  EXPECT_EQ(steer_master(packaged, "x", *t.view(), "/hls/r%20ed/"),
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n"
            "#EXT-X-CONTENT-STEERING:SERVER-URI=\"steering.json?sid=x\",PATHWAY-ID=\"b\"\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=2500000,CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=1280x720,FRAME-RATE=30.000,"
            "STABLE-VARIANT-ID=\"720p\",PATHWAY-ID=\"b\"\n"
            "720p/index.m3u8?sid=x\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=4000000,CODECS=\"avc1.640028,mp4a.40.2\",RESOLUTION=1920x1080,"
            "STABLE-VARIANT-ID=\"source\",PATHWAY-ID=\"b\"\n"
            "source/index.m3u8?sid=x\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=2500000,CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=1280x720,FRAME-RATE=30.000,"
            "STABLE-VARIANT-ID=\"720p\",PATHWAY-ID=\"a\"\n"
            "http://127.0.0.1:1/hls/r%20ed/720p/index.m3u8?sid=x\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=4000000,CODECS=\"avc1.640028,mp4a.40.2\",RESOLUTION=1920x1080,"
            "STABLE-VARIANT-ID=\"source\",PATHWAY-ID=\"a\"\n"
            "http://127.0.0.1:1/hls/r%20ed/source/index.m3u8?sid=x\n");
}

TEST(steering, master_that_already_steers_only_gets_sids) {
  constexpr std::string_view steered =
      "#EXTM3U\n#EXT-X-CONTENT-STEERING:SERVER-URI=\"https://s.example/m.json\"\n"
      "#EXT-X-STREAM-INF:BANDWIDTH=1,PATHWAY-ID=\"cdn\"\nhttps://cdn.example/v.m3u8\n";
  steering_table t;
  t.update(node("b", "eu", 2), {node("a", "us", 1)});
  EXPECT_EQ(steer_master(steered, "x", *t.view(), "/hls/r/"),
            "#EXTM3U\n#EXT-X-CONTENT-STEERING:SERVER-URI=\"https://s.example/m.json\"\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=1,PATHWAY-ID=\"cdn\"\nhttps://cdn.example/v.m3u8?sid=x\n");
}

TEST(steering, manifest_priority_ttl_and_reload_uri) {
  steering_table t;
  t.update(node("node-b", "eu", 8081), {node("node-c", "us", 8082), node("node-a", "eu", 8080), node("x", "eu", 1, false)});
  auto j = nlohmann::json::parse(steering_manifest(*t.view(), "/hls/room1/", "s1"));
  EXPECT_EQ(j["VERSION"], 1);
  EXPECT_EQ(j["TTL"], steering_ttl_s);
  EXPECT_EQ(j["PATHWAY-PRIORITY"], (nlohmann::json{"node-b", "node-a", "node-c"}));
  EXPECT_EQ(j["RELOAD-URI"], "steering.json?sid=s1");  // this node heads: reload here
  EXPECT_FALSE(j.contains("PATHWAY-CLONES"));
}

TEST(steering, manifest_of_a_draining_node_points_away) {
  steering_table t;
  t.update(node("node-b", "eu", 8081, true, true), {node("node-c", "us", 8082), node("node-a", "eu", 8080)});
  auto j = nlohmann::json::parse(steering_manifest(*t.view(), "/hls/room1/", ""));
  EXPECT_EQ(j["PATHWAY-PRIORITY"], (nlohmann::json{"node-a", "node-c"}));
  // Player and steering server move together.
  EXPECT_EQ(j["RELOAD-URI"], "http://127.0.0.1:8080/hls/room1/steering.json");
}

TEST(steering, manifest_with_nobody_healthy_names_this_node) {
  steering_table t;
  t.update(node("node-b", "eu", 8081, true, true), {node("node-a", "eu", 8080, false)});
  auto j = nlohmann::json::parse(steering_manifest(*t.view(), "/hls/r/", ""));
  EXPECT_EQ(j["PATHWAY-PRIORITY"], (nlohmann::json{"node-b"}));
  EXPECT_EQ(j["RELOAD-URI"], "steering.json");
  EXPECT_EQ(nlohmann::json::parse(steering_manifest(steering_view{}, "/hls/r/", ""))["PATHWAY-PRIORITY"],
            (nlohmann::json{"."}));
}

}  // namespace
}  // namespace onair::net::hls
