// The cluster paths between directories, deterministically (replication_fixture.hpp). CAF links
// between processes are covered by tests/integration/test_cluster_rooms.py.
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include "replication_fixture.hpp"

namespace onair::actors::testing {
namespace {

TEST_F(Replication, ACreatedRoomReachesEveryPeerAndItsStore) {
  auto& a = add_node("a");
  auto& b = add_node("b");
  link(a, b);
  auto v = create(a, "Friday");
  auto on_b = get(b, v.id);
  ASSERT_TRUE(on_b);
  EXPECT_EQ(on_b->title, "Friday");
  auto rec = stored(b, v.id);
  EXPECT_EQ(rec.owner_node, "a");  // no gossip members in this test: the creating node owns it
  EXPECT_EQ(rec.version, 1u);
  EXPECT_EQ(rec.owner_epoch, 1u);
  EXPECT_EQ(rec.home_region, "eu");
  // The stream key works on b: it finds the room in b's replica.
  EXPECT_EQ(rec.stream_key_hash, media::sha256_hex(*v.stream_key));
}

TEST_F(Replication, ChangesThroughAnotherNodeAreMadeByTheOwnerAndReplicated) {
  auto& a = add_node("a");
  auto& b = add_node("b");
  link(a, b);
  auto v = create(a, "Old title");
  net::api::patch_room_request patch;
  patch.title = "New title";
  auto changed = ask<room_view>(b.directory, nullptr, patch_atom::value, dj("alice"), v.id, patch);
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->title, "New title");
  EXPECT_EQ(stored(a, v.id).version, 2u);
  EXPECT_EQ(stored(b, v.id).title, "New title");
  EXPECT_EQ(stored(b, v.id).version, 2u);
  // The owner still checks permissions for a forwarded request.
  EXPECT_EQ(code_of(ask_error(b.directory, patch_atom::value, dj("mallory"), v.id, patch)), api_errc::forbidden);
}

TEST_F(Replication, AnUnreachableOwnerIsUnavailableNotAWrongAnswer) {
  auto& a = add_node("a");
  auto& b = add_node("b");
  link(a, b);
  auto v = create(a, "Room");
  caf::anon_send(b.directory, peer_down_atom::value, std::string("a"));
  sched_->run();
  EXPECT_EQ(code_of(ask_error(b.directory, end_atom::value, dj("alice"), v.id)), api_errc::unavailable);
  EXPECT_EQ(get(b, v.id)->status, room_status::ready);  // reads keep working from the replica
}

TEST_F(Replication, PublishingOnANonOwnerRecordsItAsOriginEverywhere) {
  auto& a = add_node("a");
  auto& b = add_node("b");
  link(a, b);
  auto v = create(a, "Show");
  publish_attempt attempt;
  attempt.connection_id = 7;
  int kicks = 0;
  attempt.kick = [&kicks] { ++kicks; };
  auto stream = ask<caf::actor>(b.directory, nullptr, publish_atom::value, media::sha256_hex(*v.stream_key), attempt);
  ASSERT_TRUE(stream);
  for (auto* n : {&a, &b}) {
    auto rec = stored(*n, v.id);
    EXPECT_EQ(rec.status, 1) << n->id;
    EXPECT_EQ(rec.origin_node, "b") << n->id;
  }
  // The publisher leaves: the owner clears the origin and the room is ready again everywhere.
  caf::anon_send(*stream, end_atom::value);
  sched_->run();
  for (auto* n : {&a, &b}) {
    EXPECT_EQ(stored(*n, v.id).status, 0) << n->id;
    EXPECT_TRUE(stored(*n, v.id).origin_node.empty()) << n->id;
  }
  EXPECT_EQ(kicks, 0);
}

TEST_F(Replication, EndingOnTheOwnerCutsThePublisherOnTheOrigin) {
  auto& a = add_node("a");
  auto& b = add_node("b");
  link(a, b);
  auto v = create(a, "Show");
  publish_attempt attempt;
  int kicks = 0;
  attempt.kick = [&kicks] { ++kicks; };
  ASSERT_TRUE(ask<caf::actor>(b.directory, nullptr, publish_atom::value, media::sha256_hex(*v.stream_key), attempt));
  ASSERT_TRUE(ask<room_view>(a.directory, nullptr, end_atom::value, dj("alice"), v.id));
  EXPECT_EQ(kicks, 1);
  EXPECT_EQ(stored(b, v.id).status, 2);
}

TEST_F(Replication, DeletionIsATombstoneThatAnOlderCopyCannotUndo) {
  auto& a = add_node("a");
  auto& b = add_node("b");
  link(a, b);
  auto v = create(a, "Doomed");
  auto old_copy = stored(b, v.id);
  caf::anon_send(b.directory, delete_atom::value, dj("alice"), v.id);  // forwarded to the owner, a
  sched_->run();
  EXPECT_FALSE(get(b, v.id));
  EXPECT_TRUE(stored(b, v.id).deleted);
  // A stale copy (version 1) arriving late, e.g. from a node that was partitioned, is ignored.
  caf::anon_send(a.directory, replicate_atom::value, std::vector<storage::room_record>{old_copy});
  sched_->run();
  EXPECT_FALSE(get(a, v.id));
  EXPECT_TRUE(stored(a, v.id).deleted);
}

TEST_F(Replication, ALateNodeConvergesThroughTheDigestWhenItsLinkComesUp) {
  auto& a = add_node("a");
  auto& b = add_node("b");
  link(a, b);
  auto kept = create(a, "Kept");
  auto gone = create(b, "Gone");
  caf::anon_send(a.directory, delete_atom::value, dj("alice"), gone.id);
  sched_->run();
  // c has an old copy of `kept` (as if it had been down since version 1) and never heard of `gone`.
  auto& c = add_node("c");
  link(c, a);
  EXPECT_TRUE(get(c, kept.id));
  EXPECT_FALSE(get(c, gone.id));
  EXPECT_TRUE(stored(c, gone.id).deleted);
  // And what c creates reaches a the same way.
  auto from_c = create(c, "From c");
  EXPECT_TRUE(get(a, from_c.id));
}

TEST_F(Replication, ViewerCountsAreSummedOverNodes) {
  auto& a = add_node("a");
  auto& b = add_node("b");
  link(a, b);
  auto v = create(a, "Popular");
  caf::anon_send(a.directory, viewer_atom::value, v.id, 2);
  caf::anon_send(b.directory, viewer_atom::value, v.id, 3);
  sched_->run();
  sched_->advance_time(std::chrono::seconds(1));  // one directory tick: counts go to peers
  sched_->run();
  EXPECT_EQ(get(a, v.id)->viewers, 5u);
  EXPECT_EQ(get(b, v.id)->viewers, 5u);
}

TEST_F(Replication, ChatThroughARelayReachesTheOwnersChannelOncePerMessage) {
  auto& a = add_node("a");
  auto& b = add_node("b");
  link(a, b);
  auto v = create(a, "Chatty");
  auto on_a = chat_of(a, v.id);  // the owner's channel
  auto on_b = chat_of(b, v.id);  // b's relay
  EXPECT_NE(on_a, on_b);
  auto join = [&](const caf::actor& ch, std::uint64_t conn, const std::string& user) {
    auto sink = std::make_shared<recording_sink>();
    caf::anon_send(ch, join_atom::value, conn, net::chat::user_info{user, user, "viewer"},
                   std::static_pointer_cast<net::chat::session_sink>(sink), std::optional<std::uint64_t>{});
    sched_->run();
    return sink;
  };
  auto x = join(on_a, 1, "anon:x");
  auto y = join(on_b, 1, "anon:y");  // same connection id on another node: no clash
  auto z = join(on_b, 2, "anon:z");
  caf::anon_send(on_b, cframe_atom::value, std::uint64_t{1},
                 net::chat::client_frame{net::chat::msg_frame{"from y", "c1"}});
  sched_->run();
  caf::anon_send(on_a, cframe_atom::value, std::uint64_t{1}, net::chat::client_frame{net::chat::msg_frame{"from x", ""}});
  sched_->run();
  for (auto* s : {x.get(), y.get(), z.get()}) EXPECT_EQ(s->texts(), (std::vector<std::string>{"from y", "from x"}));
  // The ack went to y only.
  auto acks = [](const recording_sink& s) {
    return std::count_if(s.frames.begin(), s.frames.end(), [](auto& f) { return f.value("type", "") == "ack"; });
  };
  EXPECT_EQ(acks(*y), 1);
  EXPECT_EQ(acks(*z), 0);
  EXPECT_EQ(acks(*x), 1);
  // Presence counts people on both nodes, not relays.
  sched_->advance_time(std::chrono::seconds(2));
  sched_->run();
  auto last_presence = [](const recording_sink& s) {
    std::int64_t n = -1;
    for (auto& f : s.frames)
      if (f.value("type", "") == "presence") n = f["viewers"];
    return n;
  };
  EXPECT_EQ(last_presence(*x), 3);
  EXPECT_EQ(last_presence(*z), 3);
}

// A connection resuming with `since` through a relay gets its replay before any live message, and every
// message once: the relay holds broadcasts back from it until the channel says it is live (rlive).
TEST_F(Replication, SinceThroughARelayGetsTheReplayBeforeLiveMessages) {
  auto& a = add_node("a");
  auto& b = add_node("b");
  link(a, b);
  auto v = create(a, "Resume");
  auto on_a = chat_of(a, v.id);
  auto on_b = chat_of(b, v.id);
  auto x = std::make_shared<recording_sink>();
  caf::anon_send(on_a, join_atom::value, std::uint64_t{1}, net::chat::user_info{"anon:x", "x", "viewer"},
                 std::static_pointer_cast<net::chat::session_sink>(x), std::optional<std::uint64_t>{});
  sched_->run();
  auto say = [&](const std::string& text) {
    caf::anon_send(on_a, cframe_atom::value, std::uint64_t{1}, net::chat::client_frame{net::chat::msg_frame{text, ""}});
  };
  for (auto t : {"m1", "m2", "m3"}) {
    say(t);
    sched_->run();
  }
  // y had seen m1; it resumes on node b while m4 is being stored.
  auto y = std::make_shared<recording_sink>();
  say("m4");
  caf::anon_send(on_b, join_atom::value, std::uint64_t{7}, net::chat::user_info{"anon:y", "y", "viewer"},
                 std::static_pointer_cast<net::chat::session_sink>(y), std::optional<std::uint64_t>{1});
  sched_->run();
  say("m5");
  sched_->run();
  EXPECT_EQ(y->seqs(), (std::vector<std::int64_t>{2, 3, 4, 5}));
}

TEST(HlsEdge, UpdatesCarryOnlyNewFilesAndRebuildTheSnapshot) {
  auto file = [](const std::string& s) {
    return media::whole(media::make_shared_bytes(std::vector<std::uint8_t>(s.begin(), s.end())));
  };
  media::rendition_snapshot s1;
  s1.name = "source";
  s1.playlist = "#EXTM3U\n1";
  s1.next_msn = 3;
  s1.next_part = 1;
  s1.files = {{"init0.mp4", file("init")}, {"part3.0.m4s", file("p30")}};
  auto full = make_hls_update("r", nullptr, s1, "master");
  EXPECT_TRUE(full.full);
  EXPECT_EQ(full.added_names.size(), 2u);
  auto edge1 = apply_hls_update(nullptr, full);
  EXPECT_EQ(edge1->playlist, s1.playlist);
  EXPECT_TRUE(edge1->has(3, 0));
  EXPECT_FALSE(edge1->has(3, 1));

  media::rendition_snapshot s2 = s1;
  s2.playlist = "#EXTM3U\n2";
  s2.next_part = 2;
  s2.files.erase("init0.mp4");
  s2.files["part3.1.m4s"] = file("p31");
  auto delta = make_hls_update("r", &s1, s2, "");
  EXPECT_FALSE(delta.full);
  EXPECT_EQ(delta.added_names, std::vector<std::string>{"part3.1.m4s"});
  EXPECT_EQ(delta.removed, std::vector<std::string>{"init0.mp4"});
  auto edge2 = apply_hls_update(edge1.get(), delta);
  EXPECT_EQ(edge2->files.size(), 2u);
  auto p31 = edge2->files.at("part3.1.m4s").span();
  EXPECT_EQ(std::string(p31.begin(), p31.end()), "p31");
  EXPECT_TRUE(edge2->has(3, 1));
  // The buffer of an unchanged file is shared with the previous edge snapshot, not copied.
  EXPECT_EQ(edge2->files.at("part3.0.m4s").owner, edge1->files.at("part3.0.m4s").owner);
}

/// Every cross-node type survives CAF's binary serializer (what BASP sends between nodes).
template <class T>
T round_trip(caf::actor_system& sys, T x) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  EXPECT_FALSE(sink(x));
  T y;
  caf::binary_deserializer source{sys, buf};
  EXPECT_FALSE(source(y));
  return y;
}

TEST_F(Replication, CrossNodeTypesRoundTripThroughCafSerialization) {
  storage::room_record r;
  r.id = "r";
  r.tags = {"a", "b"};
  r.version = 9;
  r.owner_node = "n1";
  r.deleted = true;
  EXPECT_EQ(round_trip(*sys_, r), r);
  net::api::patch_room_request p;
  p.title = "t";
  p.tags = std::vector<std::string>{};
  auto p2 = round_trip(*sys_, p);
  EXPECT_EQ(p2.title, std::optional<std::string>("t"));
  EXPECT_FALSE(p2.description);
  EXPECT_TRUE(p2.tags && p2.tags->empty());
  room_view v;
  v.kind = net::api::room_kind::audio;
  v.status = room_status::ended;
  v.stream_key = "sk";
  auto v2 = round_trip(*sys_, v);
  EXPECT_EQ(v2.kind, net::api::room_kind::audio);
  EXPECT_EQ(v2.status, room_status::ended);
  EXPECT_EQ(v2.stream_key, std::optional<std::string>("sk"));
  net::chat::client_frame join = net::chat::join_frame{"nick", "tok", 42};
  auto j2 = std::get<net::chat::join_frame>(round_trip(*sys_, join));
  EXPECT_EQ(j2.nick, "nick");
  EXPECT_EQ(j2.since, std::optional<std::uint64_t>(42));
  net::chat::client_frame mute = net::chat::mute_frame{"u", 60};
  EXPECT_EQ(std::get<net::chat::mute_frame>(round_trip(*sys_, mute)).seconds, 60u);
  EXPECT_TRUE(std::holds_alternative<net::chat::clear_frame>(round_trip(*sys_, net::chat::client_frame{net::chat::clear_frame{}})));
  hls_update u;
  u.added_names = {"a"};
  u.added_bytes = {std::string("\0\1\2", 3)};
  EXPECT_EQ(round_trip(*sys_, u).added_bytes[0], std::string("\0\1\2", 3));
}

}  // namespace
}  // namespace onair::actors::testing
