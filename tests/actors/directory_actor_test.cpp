#include <gtest/gtest.h>

#include "actor_fixture.hpp"
#include "media/digest.hpp"

namespace onair::actors::testing {
namespace {

using net::api::create_room_request;
using net::api::list_rooms_request;
using net::api::room_page;
using net::api::room_view;

class DirectoryActor : public actor_fixture {
 protected:
  room_view create(const principal& who, std::string title, std::vector<std::string> tags = {}) {
    create_room_request req;
    req.title = std::move(title);
    req.tags = std::move(tags);
    auto v = ask<room_view>(directory_, nullptr, create_atom::value, who, req);
    EXPECT_TRUE(v);
    return v.value_or(room_view{});
  }
};

TEST_F(DirectoryActor, CreateStoresRoomDurablyAndShowsKeyOnce) {
  start_directory();
  auto v = create(dj("alice"), "Friday set");
  ASSERT_TRUE(v.stream_key);
  EXPECT_EQ(v.owner, "alice");
  EXPECT_EQ(v.status, net::api::room_status::ready);
  storage::room_record stored;
  ASSERT_FALSE(db_->get_room(v.id, stored));
  EXPECT_EQ(stored.title, "Friday set");
  EXPECT_EQ(stored.stream_key_hash, media::sha256_hex(*v.stream_key));  // only the hash is kept
  auto got = ask<room_view>(directory_, nullptr, get_atom::value, v.id);
  ASSERT_TRUE(got);
  EXPECT_FALSE(got->stream_key);
}

TEST_F(DirectoryActor, AnonymousCannotCreateAndUnknownRoleIsForbidden) {
  start_directory();
  create_room_request req;
  req.title = "x";
  EXPECT_EQ(code_of(ask_error(directory_, create_atom::value, principal{}, req)), api_errc::unauthorized);
  EXPECT_EQ(code_of(ask_error(directory_, create_atom::value, principal{"v", "viewer"}, req)), api_errc::forbidden);
}

TEST_F(DirectoryActor, ListSearchesCaseInsensitivelyAndPagesWithoutDuplicates) {
  start_directory();
  for (int i = 0; i < 5; ++i) create(dj("alice"), "Techno night " + std::to_string(i), {"Berlin"});
  create(dj("bob"), "Jazz brunch");
  list_rooms_request req;
  req.q = "berlin";
  req.limit = 2;
  std::set<std::string> seen;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = ask<room_page>(directory_, nullptr, list_atom::value, req);
    ASSERT_TRUE(page);
    for (auto& r : page->rooms) EXPECT_TRUE(seen.insert(r.id).second) << "duplicate " << r.id;
    if (page->next_cursor.empty()) break;
    req.cursor = page->next_cursor;
  }
  EXPECT_EQ(seen.size(), 5u);
}

TEST_F(DirectoryActor, OnlyOwnerOrAdminMayModify) {
  start_directory();
  auto v = create(dj("alice"), "Mine");
  net::api::patch_room_request patch;
  patch.title = "Stolen";
  EXPECT_EQ(code_of(ask_error(directory_, patch_atom::value, dj("bob"), v.id, patch)), api_errc::forbidden);
  auto by_admin = ask<room_view>(directory_, nullptr, patch_atom::value, admin(), v.id, patch);
  ASSERT_TRUE(by_admin);
  EXPECT_EQ(by_admin->title, "Stolen");
  EXPECT_EQ(code_of(ask_error(directory_, get_atom::value, std::string("nope"))), api_errc::not_found);
}

TEST_F(DirectoryActor, ShutdownOfANodeWithoutRoomsIsConfirmedAtOnce) {
  start_directory();
  caf::scoped_actor self{*sys_};
  auto pending = self->request(directory_, caf::infinite, shutdown_atom::value);
  sched_->run();
  bool confirmed = false;
  pending.receive([&]() { confirmed = true; },
                  [&](caf::error& err) { ADD_FAILURE() << caf::to_string(err); });
  EXPECT_TRUE(confirmed);
}

TEST_F(DirectoryActor, RoomsLoadedAtStartAreServed) {
  storage::room_record r;
  r.id = "preloaded";
  r.title = "From disk";
  r.owner = "alice";
  r.stream_key_hash = media::sha256_hex("sk_test");
  r.status = 1;  // the node died while it was live
  ASSERT_FALSE(db_->put_room(r));
  start_directory({r});
  auto got = ask<room_view>(directory_, nullptr, get_atom::value, std::string("preloaded"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, net::api::room_status::ready) << "nobody publishes after a restart";
  storage::room_record stored;
  ASSERT_FALSE(db_->get_room("preloaded", stored));
  EXPECT_EQ(stored.status, 0);
}

}  // namespace
}  // namespace onair::actors::testing
