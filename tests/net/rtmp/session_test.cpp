// The sans-IO session (net/rtmp/session.hpp): scripted clients and a real ffmpeg capture, fed at
// every split point.
#include "net/rtmp/session.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <optional>
#include <random>

#include <spdlog/spdlog.h>

#include "net/rtmp/errc.hpp"
#include "rtmp_test_util.hpp"

namespace {

using namespace onair::net::rtmp;
using namespace onair::net::rtmp::test;
using onair::media::track_kind;
using bytes = std::vector<std::uint8_t>;

/// A host that records publish requests and answers them now (auto_accept) or when the test says.
struct test_host : session_host {
  void on_publish_request(const std::string& app, const std::string& key) override {
    requests.emplace_back(app, key);
    if (auto_accept && sess) sess->on_publish_decision(publish_decision{sink, {}, {}});
  }
  std::vector<std::pair<std::string, std::string>> requests;
  std::shared_ptr<recording_sink> sink = std::make_shared<recording_sink>();
  bool auto_accept = false;
  session* sess = nullptr;
};

struct fixture {
  test_host host;
  session sess{session_options{}, host, 7, "127.0.0.1:5000"};
  fixture() { host.sess = &sess; }
  feed_result feed(const bytes& b) { return sess.feed(b); }
  std::vector<server_message> output() { return decode_output(sess.output()); }
};

/// A complete scripted publish up to (and including) `publish`.
client publishing_client(const std::string& name = "key") {
  client c;
  c.handshake();
  c.connect("live");
  c.command(0, {s("releaseStream"), n(2), null(), s(name)});  // OBS order: before createStream
  c.command(0, {s("FCPublish"), n(3), null(), s(name)});
  c.command(0, {s("createStream"), n(4), null()});
  c.command(1, {s("publish"), n(5), null(), s(name), s("live")}, 4);
  return c;
}

bytes avc_seq_header() {
  return {0x17, 0x00, 0, 0, 0, 0x01, 0x42, 0xc0, 0x0b, 0xff, 0xe1, 0x00, 0x16,
          0x67, 0x42, 0xc0, 0x0b, 0xd9, 0x02, 0xc4, 0xec, 0x04, 0x40, 0x00, 0x00, 0x03, 0x00,
          0x40, 0x00, 0x00, 0x0f, 0x03, 0xc5, 0x0a, 0x92, 0x01, 0x00, 0x04, 0x68, 0xcb, 0x83, 0xcb};
}

const amf0_value* find_status(const std::vector<server_message>& msgs, const std::string& name) {
  for (const auto& m : msgs)
    if (m.name() == name && m.amf.size() >= 4) return &m.amf[3];
  return nullptr;
}

TEST(rtmp_session, connect_create_publish_accept) {
  fixture f;
  auto c = publishing_client("key?token=abc");  // query stripped from the stream key
  ASSERT_NE(f.feed(c.bytes).status, feed_status::error);
  ASSERT_EQ(f.host.requests.size(), 1u);
  EXPECT_EQ(f.host.requests[0].first, "live");
  EXPECT_EQ(f.host.requests[0].second, "key");
  EXPECT_FALSE(f.sess.publishing());  // the decision is asynchronous

  f.sess.on_publish_decision(publish_decision{f.host.sink, {}, {}});
  EXPECT_TRUE(f.sess.publishing());
  auto msgs = f.output();
  // connect: Window Ack Size, Set Peer Bandwidth, Set Chunk Size, Stream Begin, _result.
  ASSERT_GE(msgs.size(), 5u);
  EXPECT_EQ(msgs[0].type, 5);
  EXPECT_EQ(msgs[1].type, 6);
  EXPECT_EQ(msgs[1].body.size(), 5u);
  EXPECT_EQ(msgs[2].type, 1);
  EXPECT_EQ(msgs[3].type, 4);
  EXPECT_EQ(msgs[4].name(), "_result");
  EXPECT_EQ(msgs[4].amf[3].get_string("code"), "NetConnection.Connect.Success");
  // releaseStream, FCPublish -> _result; createStream -> _result with stream id 1.
  EXPECT_EQ(msgs[5].name(), "_result");
  EXPECT_EQ(msgs[6].name(), "_result");
  EXPECT_EQ(msgs[7].amf[1].number, 4);
  EXPECT_EQ(msgs[7].amf[3].number, 1);
  const auto* st = find_status(msgs, "onStatus");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->get_string("level"), "status");
  EXPECT_EQ(st->get_string("code"), "NetStream.Publish.Start");
  EXPECT_FALSE(f.sess.wants_close());
}

TEST(rtmp_session, media_metadata_and_unpublish) {
  fixture f;
  f.host.auto_accept = true;
  auto c = publishing_client();
  c.message(18, 1, 0, amf({s("@setDataFrame"), s("onMetaData"),
                           obj({{"width", n(176)}, {"height", n(144)}, {"framerate", n(25)},
                                {"videodatarate", n(300)}, {"encoder", s("test")}})}), 4);
  c.message(9, 1, 0, avc_seq_header());
  c.message(8, 1, 0, {0xaf, 0x00, 0x12, 0x10}, 7);  // AAC LC 44.1 kHz stereo
  c.message(9, 1, 0, {0x17, 0x01, 0, 0, 0x28, 0, 0, 0, 1, 0x65}, 6);  // keyframe, cts 40
  c.message(8, 1, 23, {0xaf, 0x01, 0x21, 0x22}, 7);
  c.message(9, 1, 40, {0x27, 0x01, 0, 0, 0, 0, 0, 0, 1, 0x41}, 6);
  c.command(1, {s("FCUnpublish"), n(6), null(), s("key")});
  c.command(1, {s("deleteStream"), n(7), null(), n(1)});
  ASSERT_NE(f.feed(c.bytes).status, feed_status::error);
  auto& sink = *f.host.sink;
  ASSERT_EQ(sink.metadata.size(), 1u);
  EXPECT_EQ(sink.metadata[0].width, 176);
  EXPECT_EQ(sink.metadata[0].frame_rate, 25);
  EXPECT_EQ(sink.metadata[0].video_kbps, 300);
  EXPECT_EQ(sink.metadata[0].encoder, "test");
  ASSERT_EQ(sink.video_configs.size(), 1u);
  EXPECT_EQ(sink.video_configs[0].width, 176);
  EXPECT_EQ(sink.video_configs[0].height, 144);
  EXPECT_EQ(sink.video_configs[0].frame_rate, 25);  // from onMetaData
  ASSERT_EQ(sink.audio_configs.size(), 1u);
  EXPECT_EQ(sink.audio_configs[0].sample_rate, 44100);
  ASSERT_EQ(sink.frames.size(), 3u);
  EXPECT_TRUE(sink.frames[0].keyframe);
  EXPECT_EQ(sink.frames[0].cts_ms, 40);
  EXPECT_EQ(sink.frames[1].kind, track_kind::audio);
  EXPECT_EQ(sink.frames[1].dts_ms, 23);
  EXPECT_EQ(sink.frames[2].dts_ms, 40);
  EXPECT_EQ(sink.ends, 1);  // FCUnpublish ended it; deleteStream and close do not end it again
  f.sess.close();
  EXPECT_EQ(sink.ends, 1);
  const auto msgs = f.output();
  EXPECT_TRUE(find_status(msgs, "onFCUnpublish"));
}

TEST(rtmp_session, unsupported_codecs_are_reported_once_per_track_and_the_rest_flows) {
  fixture f;
  f.host.auto_accept = true;
  auto c = publishing_client();
  c.message(9, 1, 0, {0x12, 0x00, 0x01}, 6);  // FLV codec 2 (Sorenson H.263), inter frame
  c.message(9, 1, 40, {0x22, 0x00, 0x02}, 6);  // and again: reported once
  c.message(8, 1, 0, {0x2f, 0x00, 0x01}, 7);   // sound format 2 (MP3)
  c.message(8, 1, 0, {0xaf, 0x00, 0x12, 0x10}, 7);  // AAC LC config: still accepted
  ASSERT_NE(f.feed(c.bytes).status, feed_status::error);
  auto& sink = *f.host.sink;
  ASSERT_EQ(sink.warnings.size(), 2u);
  EXPECT_EQ(sink.warnings[0].rfind("video dropped: ", 0), 0u) << sink.warnings[0];
  EXPECT_EQ(sink.warnings[1].rfind("audio dropped: ", 0), 0u) << sink.warnings[1];
  EXPECT_EQ(sink.audio_configs.size(), 1u);
  EXPECT_TRUE(sink.frames.empty());
}

TEST(rtmp_session, messages_during_pending_decision_are_replayed_in_order) {
  fixture f;
  auto c = publishing_client();
  c.message(9, 1, 0, avc_seq_header());
  c.message(9, 1, 0, {0x17, 0x01, 0, 0, 0, 0, 0, 0, 1, 0x65});
  ASSERT_NE(f.feed(c.bytes).status, feed_status::error);
  EXPECT_TRUE(f.host.sink->frames.empty());
  f.sess.on_publish_decision(publish_decision{f.host.sink, {}, {}});
  EXPECT_EQ(f.host.sink->video_configs.size(), 1u);
  EXPECT_EQ(f.host.sink->frames.size(), 1u);
}

TEST(rtmp_session, pending_queue_is_bounded) {
  test_host host;
  session_options opts;
  opts.max_pending_messages = 3;
  session sess(opts, host, 1, "peer");
  auto c = publishing_client();
  for (int i = 0; i < 5; ++i) c.message(9, 1, i, {0x27, 0x01, 0, 0, 0, 0, 0, 0, 1, 0x41});
  auto r = sess.feed(c.bytes);
  EXPECT_EQ(r.status, feed_status::error);
  EXPECT_EQ(r.ec, errc::too_many_pending);
  EXPECT_TRUE(sess.wants_close());
}

TEST(rtmp_session, refused_publish_sends_error_status_and_closes) {
  fixture f;
  ASSERT_NE(f.feed(publishing_client("badkey").bytes).status, feed_status::error);
  f.sess.on_publish_decision(publish_decision{nullptr, "NetStream.Publish.BadName", "unknown stream key"});
  EXPECT_TRUE(f.sess.wants_close());
  EXPECT_FALSE(f.sess.publishing());
  const auto msgs = f.output();
  const auto* st = find_status(msgs, "onStatus");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->get_string("level"), "error");  // ffmpeg prints "Server error: <description>"
  EXPECT_EQ(st->get_string("code"), "NetStream.Publish.BadName");
  EXPECT_EQ(st->get_string("description"), "unknown stream key");
}

TEST(rtmp_session, decision_after_close_still_ends_the_sink) {
  fixture f;
  ASSERT_NE(f.feed(publishing_client().bytes).status, feed_status::error);
  f.sess.close();
  f.sess.on_publish_decision(publish_decision{f.host.sink, {}, {}});
  EXPECT_EQ(f.host.sink->ends, 1);
}

TEST(rtmp_session, close_while_publishing_ends_once) {
  fixture f;
  f.host.auto_accept = true;
  ASSERT_NE(f.feed(publishing_client().bytes).status, feed_status::error);
  EXPECT_TRUE(f.sess.publishing());
  f.sess.close();
  f.sess.close();
  EXPECT_EQ(f.host.sink->ends, 1);
}

TEST(rtmp_session, other_app_is_rejected) {
  fixture f;
  client c;
  c.handshake();
  c.connect("admin");
  f.feed(c.bytes);
  EXPECT_TRUE(f.sess.wants_close());
  const auto msgs = f.output();
  const auto* st = find_status(msgs, "_error");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->get_string("code"), "NetConnection.Connect.Rejected");
  EXPECT_TRUE(f.host.requests.empty());
}

TEST(rtmp_session, publish_before_connect_is_a_protocol_error) {
  fixture f;
  client c;
  c.handshake();
  c.command(1, {s("publish"), n(5), null(), s("key"), s("live")});
  auto r = f.feed(c.bytes);
  EXPECT_EQ(r.status, feed_status::error);
  EXPECT_EQ(r.ec, errc::protocol_violation);
  EXPECT_TRUE(f.host.requests.empty());
}

TEST(rtmp_session, timestamps_wrap_to_64_bits) {
  fixture f;
  f.host.auto_accept = true;
  auto c = publishing_client();
  c.message(9, 1, 0xfffffff0u, {0x17, 0x01, 0, 0, 0, 0, 0, 0, 1, 0x65});
  c.message(9, 1, 0x00000010u, {0x27, 0x01, 0, 0, 0, 0, 0, 0, 1, 0x41});  // wrapped
  ASSERT_NE(f.feed(c.bytes).status, feed_status::error);
  ASSERT_EQ(f.host.sink->frames.size(), 2u);
  EXPECT_EQ(f.host.sink->frames[0].dts_ms, 0xfffffff0ll);
  EXPECT_EQ(f.host.sink->frames[1].dts_ms, 0x100000010ll);
}

TEST(rtmp_session, acknowledges_the_client_window_and_answers_ping) {
  fixture f;
  client c;
  c.handshake();
  c.message(5, 0, 0, {0x00, 0x00, 0x10, 0x00}, 2);  // client's Window Ack Size 4096 (5.4.4)
  c.message(4, 0, 0, {0x00, 0x06, 0x00, 0x00, 0x01, 0x02}, 2);  // User Control PingRequest (7.1.7)
  f.feed(c.bytes);  // 3073 handshake bytes + messages: past the 4096-byte window? not yet
  bytes filler;
  client c2;
  c2.message(9, 0, 0, bytes(2000, 0), 6);  // media before publish is ignored, but counted
  f.feed(c2.bytes);
  auto msgs = decode_output(f.sess.output());
  bool ack = false, pong = false;
  for (const auto& m : msgs) {
    if (m.type == 3) {
      ack = true;
      const std::uint32_t seq = (std::uint32_t{m.body[0]} << 24) | (m.body[1] << 16) | (m.body[2] << 8) | m.body[3];
      EXPECT_EQ(seq, c.bytes.size() + c2.bytes.size());  // total bytes received (5.4.3)
    }
    if (m.type == 4 && m.body.size() == 6 && m.body[1] == 7) pong = m.body[5] == 0x02;
  }
  EXPECT_TRUE(ack);
  EXPECT_TRUE(pong);
}

TEST(rtmp_session, aggregate_message_is_split) {
  fixture f;
  f.host.auto_accept = true;
  auto c = publishing_client();
  bytes agg;
  auto tag = [&](std::uint8_t type, std::uint32_t ts, bytes body) {
    // RTMP spec 7.1.6: type(1) size(3) timestamp(3) timestamp-ext(1) stream id(3), body, back pointer(4)
    agg.insert(agg.end(), {type, 0, 0, static_cast<std::uint8_t>(body.size()), static_cast<std::uint8_t>(ts >> 16),
                           static_cast<std::uint8_t>(ts >> 8), static_cast<std::uint8_t>(ts), 0, 0, 0, 0});
    agg.insert(agg.end(), body.begin(), body.end());
    agg.insert(agg.end(), {0, 0, 0, static_cast<std::uint8_t>(11 + body.size())});
  };
  tag(9, 5000, {0x17, 0x01, 0, 0, 0, 0, 0, 0, 1, 0x65});
  tag(8, 5020, {0xaf, 0x01, 0x21});
  c.message(22, 1, 1000, agg);
  ASSERT_NE(f.feed(c.bytes).status, feed_status::error);
  ASSERT_EQ(f.host.sink->frames.size(), 2u);
  EXPECT_EQ(f.host.sink->frames[0].dts_ms, 1000);  // rebased on the aggregate's timestamp
  EXPECT_EQ(f.host.sink->frames[1].dts_ms, 1020);
  EXPECT_EQ(f.host.sink->frames[0].data.size, 5u);
}

// ---- captured ffmpeg publisher -------------------------------------------------------------------

struct quiet_logs {
  spdlog::level::level_enum before = spdlog::get_level();
  quiet_logs() { spdlog::set_level(spdlog::level::warn); }
  ~quiet_logs() { spdlog::set_level(before); }
};

bytes load_capture() {
  std::ifstream in(ONAIR_TEST_DATA_DIR "/rtmp/ffmpeg_publish.bin", std::ios::binary);
  return bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct capture_summary {
  std::vector<std::pair<std::string, std::string>> requests;
  std::size_t metadata = 0, video_configs = 0, audio_configs = 0;
  int width = 0, height = 0, profile = 0, sample_rate = 0, channels = 0;
  std::size_t video = 0, audio = 0, keyframes = 0, video_bytes = 0;
  std::int64_t last_video_dts = -1;
  bool monotonic = true;
  int ends = 0;
  std::size_t output_size = 0;
  bool operator==(const capture_summary&) const = default;
};

/// Feeds the capture cut into the given pieces; answers the publish when it comes.
capture_summary run_capture(const bytes& data, const std::vector<std::size_t>& cuts) {
  const quiet_logs quiet;  // thousands of runs: keep the per-connection info lines out of the output
  test_host host;
  host.auto_accept = true;
  std::optional<session> sess;
  sess.emplace(session_options{}, host, 1, "capture", [](std::span<std::uint8_t> out) {
    std::fill(out.begin(), out.end(), 0x5a);  // deterministic S1/S2
  });
  host.sess = &*sess;
  std::size_t from = 0;
  for (std::size_t i = 0; i <= cuts.size(); ++i) {
    const std::size_t to = i < cuts.size() ? cuts[i] : data.size();
    auto r = sess->feed(std::span<const std::uint8_t>(data.data() + from, to - from));
    EXPECT_NE(r.status, feed_status::error) << r.ec.message();
    from = to;
  }
  capture_summary s;
  s.output_size = sess->output().size();
  sess->close();
  auto& sink = *host.sink;
  s.requests = host.requests;
  s.metadata = sink.metadata.size();
  s.video_configs = sink.video_configs.size();
  s.audio_configs = sink.audio_configs.size();
  if (!sink.video_configs.empty()) {
    s.width = sink.video_configs[0].width;
    s.height = sink.video_configs[0].height;
    s.profile = sink.video_configs[0].profile;
  }
  if (!sink.audio_configs.empty()) {
    s.sample_rate = sink.audio_configs[0].sample_rate;
    s.channels = sink.audio_configs[0].channels;
  }
  for (const auto& fr : sink.frames) {
    if (fr.kind == track_kind::video) {
      ++s.video;
      s.keyframes += fr.keyframe;
      s.video_bytes += fr.data.size;
      if (fr.dts_ms < s.last_video_dts) s.monotonic = false;
      s.last_video_dts = fr.dts_ms;
    } else {
      ++s.audio;
    }
  }
  s.ends = sink.ends;
  return s;
}

TEST(rtmp_session_capture, ffmpeg_publish_whole) {
  const auto data = load_capture();
  ASSERT_GT(data.size(), 10000u);
  const auto s = run_capture(data, {});
  ASSERT_EQ(s.requests.size(), 1u);
  EXPECT_EQ(s.requests[0].first, "live");
  EXPECT_EQ(s.requests[0].second, "key");
  EXPECT_EQ(s.metadata, 1u);
  EXPECT_EQ(s.video_configs, 1u);
  EXPECT_EQ(s.width, 320);
  EXPECT_EQ(s.height, 240);
  EXPECT_EQ(s.profile, 100);  // libx264 default: High
  EXPECT_EQ(s.audio_configs, 1u);
  EXPECT_EQ(s.sample_rate, 44100);
  EXPECT_EQ(s.channels, 1);
  EXPECT_EQ(s.video, 60u);     // 2 s at 30 fps
  EXPECT_EQ(s.keyframes, 2u);  // -g 30
  EXPECT_GE(s.audio, 85u);     // 2 s of 1024-sample AAC frames at 44.1 kHz
  EXPECT_LE(s.audio, 90u);
  EXPECT_TRUE(s.monotonic);
  EXPECT_EQ(s.ends, 1);
}

TEST(rtmp_session_capture, ffmpeg_publish_every_split_point_of_the_first_8k) {
  const auto data = load_capture();
  const auto reference = run_capture(data, {});
  for (std::size_t split = 0; split <= 8192 && split <= data.size(); ++split)
    ASSERT_EQ(run_capture(data, {split}), reference) << "split at " << split;
}

TEST(rtmp_session_capture, ffmpeg_publish_random_splits) {
  const auto data = load_capture();
  const auto reference = run_capture(data, {});
  std::mt19937 rng(2024);
  for (int round = 0; round < 40; ++round) {
    std::vector<std::size_t> cuts;
    std::size_t pos = 0;
    const std::size_t max_piece = round < 10 ? 7 : round < 20 ? 300 : 5000;
    while ((pos += 1 + rng() % max_piece) < data.size()) cuts.push_back(pos);
    ASSERT_EQ(run_capture(data, cuts), reference) << "round " << round;
  }
}

}  // namespace
