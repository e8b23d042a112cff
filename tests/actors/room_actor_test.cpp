#include <gtest/gtest.h>

#include "actor_fixture.hpp"
#include "actors/viewer_session_actor.hpp"
#include "media/digest.hpp"

namespace onair::actors::testing {
namespace {

using net::api::room_view;

class RoomActor : public actor_fixture {
 protected:
  room_view create(const principal& who) {
    start_directory();
    net::api::create_room_request req;
    req.title = "Live room";
    auto v = ask<room_view>(directory_, nullptr, create_atom::value, who, req);
    EXPECT_TRUE(v && v->stream_key);
    return *v;
  }

  std::optional<caf::actor> publish(const std::string& key, int* kicks, caf::error* err = nullptr) {
    publish_attempt a;
    a.connection_id = 1;
    a.peer = "127.0.0.1:5000";
    a.kick = [kicks] { ++*kicks; };
    return ask<caf::actor>(directory_, err, publish_atom::value, media::sha256_hex(key), a);
  }

  net::api::room_status status(const std::string& id) {
    return ask<room_view>(directory_, nullptr, get_atom::value, id)->status;
  }
};

TEST_F(RoomActor, PublishMakesRoomLiveAndUnpublishMakesItReady) {
  auto v = create(dj("alice"));
  int kicks = 0;
  auto stream = publish(*v.stream_key, &kicks);
  ASSERT_TRUE(stream);
  EXPECT_EQ(status(v.id), net::api::room_status::live);
  caf::anon_send(*stream, end_atom::value);  // the publisher left
  sched_->run();
  EXPECT_EQ(status(v.id), net::api::room_status::ready);
  storage::room_record stored;
  ASSERT_FALSE(db_->get_room(v.id, stored));
  EXPECT_EQ(stored.status, 0);
  EXPECT_EQ(kicks, 0);
}

TEST_F(RoomActor, WrongKeyIsNotFound) {
  create(dj("alice"));
  int kicks = 0;
  caf::error err;
  EXPECT_FALSE(publish("sk_wrong", &kicks, &err));
  EXPECT_EQ(code_of(err), api_errc::not_found);
  EXPECT_EQ(metrics_->publishes_refused.load(), 1u);
}

TEST_F(RoomActor, SecondPublisherKicksTheFirstAndStaysLive) {
  auto v = create(dj("alice"));
  int first_kicks = 0, second_kicks = 0;
  auto first = publish(*v.stream_key, &first_kicks);
  auto second = publish(*v.stream_key, &second_kicks);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first_kicks, 1);
  EXPECT_EQ(second_kicks, 0);
  // The kicked connection's end arrives late: it must not turn the room back to ready.
  caf::anon_send(*first, end_atom::value);
  sched_->run();
  EXPECT_EQ(status(v.id), net::api::room_status::live);
  EXPECT_EQ(metrics_->publishers_replaced.load(), 1u);
}

TEST_F(RoomActor, EndedRoomRefusesPublishAndEndingTwiceConflicts) {
  auto v = create(dj("alice"));
  int kicks = 0;
  ASSERT_TRUE(publish(*v.stream_key, &kicks));
  auto ended = ask<room_view>(directory_, nullptr, end_atom::value, dj("alice"), v.id);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->status, net::api::room_status::ended);
  EXPECT_EQ(kicks, 1) << "ending a live room disconnects its publisher";
  caf::error err;
  EXPECT_FALSE(publish(*v.stream_key, &kicks, &err));
  EXPECT_EQ(code_of(err), api_errc::conflict);
  EXPECT_EQ(code_of(ask_error(directory_, end_atom::value, dj("alice"), v.id)), api_errc::conflict);
}

TEST_F(RoomActor, RotateKeyMovesTheLease) {
  auto v = create(dj("alice"));
  auto rotated = ask<room_view>(directory_, nullptr, rotate_atom::value, dj("alice"), v.id);
  ASSERT_TRUE(rotated && rotated->stream_key);
  int kicks = 0;
  caf::error err;
  EXPECT_FALSE(publish(*v.stream_key, &kicks, &err));
  EXPECT_TRUE(publish(*rotated->stream_key, &kicks));
}

TEST_F(RoomActor, DeleteRemovesRoomEverywhere) {
  auto v = create(dj("alice"));
  caf::scoped_actor self{*sys_};
  self->send(directory_, delete_atom::value, dj("alice"), v.id);
  sched_->run();
  // A tombstone stays (so replicas and anti-entropy never bring the room back); its key is gone.
  storage::room_record stored;
  ASSERT_FALSE(db_->get_room(v.id, stored));
  EXPECT_TRUE(stored.deleted);
  EXPECT_EQ(stored.version, 2u);
  EXPECT_EQ(db_->find_room_by_key_hash(media::sha256_hex(*v.stream_key), stored), storage::errc::not_found);
  EXPECT_EQ(code_of(ask_error(directory_, get_atom::value, v.id)), api_errc::not_found);
  int kicks = 0;
  caf::error err;
  EXPECT_FALSE(publish(*v.stream_key, &kicks, &err));
}

TEST_F(RoomActor, ShutdownPersistsLiveRoomAsReady) {
  auto v = create(dj("alice"));
  int kicks = 0;
  ASSERT_TRUE(publish(*v.stream_key, &kicks));
  caf::scoped_actor self{*sys_};
  self->send(directory_, shutdown_atom::value);
  sched_->run();
  storage::room_record stored;
  ASSERT_FALSE(db_->get_room(v.id, stored));
  EXPECT_EQ(stored.status, 0);
  EXPECT_EQ(kicks, 1);
}

TEST_F(RoomActor, ViewerSessionsCountPeopleNotRequestsAndExpire) {
  auto v = create(dj("alice"));
  auto registry = spawn_viewer_registry(*sys_, directory_, std::chrono::milliseconds(5000));
  for (int i = 0; i < 3; ++i) caf::anon_send(registry, activity_atom::value, v.id, std::string("sid-a"));
  caf::anon_send(registry, activity_atom::value, v.id, std::string("sid-b"));
  sched_->run();
  EXPECT_EQ(ask<room_view>(directory_, nullptr, get_atom::value, v.id)->viewers, 2u);
  // sid-a keeps fetching, sid-b goes quiet.
  for (int step = 0; step < 4; ++step) {
    sched_->advance_time(std::chrono::milliseconds(2000));
    caf::anon_send(registry, activity_atom::value, v.id, std::string("sid-a"));
    sched_->run();
  }
  EXPECT_EQ(ask<room_view>(directory_, nullptr, get_atom::value, v.id)->viewers, 1u);
  sched_->advance_time(std::chrono::milliseconds(6000));
  sched_->run();
  sched_->advance_time(std::chrono::milliseconds(6000));
  sched_->run();
  EXPECT_EQ(ask<room_view>(directory_, nullptr, get_atom::value, v.id)->viewers, 0u);
  caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
  sched_->run();
}

}  // namespace
}  // namespace onair::actors::testing
