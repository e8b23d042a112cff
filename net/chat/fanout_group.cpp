// One post per io thread per broadcast (see fanout_group.hpp). The cost per recipient on the io thread
// is a queue push and a flag: no allocation, no executor copy, no post.
#include "net/chat/fanout_group.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <atomic>

#include "net/chat/fanout_member.hpp"
#include "net/chat/ws_frame.hpp"

namespace onair::net::chat {

using member_list = std::vector<std::shared_ptr<fanout_member>>;

struct fanout_group::shard {
  boost::asio::io_context* ctx = nullptr;
  std::shared_ptr<member_list> members = std::make_shared<member_list>();

  /// The snapshot, safe to edit: copied first if a broadcast job still holds it.
  member_list& edit() {
    if (members.use_count() > 1) {
      members = std::make_shared<member_list>(*members);
    } else {
      // use_count() is a relaxed load; pair it with the job's releasing decrement so its reads of the
      // vector happen before our writes.
      std::atomic_thread_fence(std::memory_order_acquire);
    }
    return *members;
  }
};

fanout_group::fanout_group() = default;
fanout_group::~fanout_group() = default;

void fanout_group::add(const std::shared_ptr<session_sink>& sink) {
  if (!sink || where_.count(sink.get())) return;
  auto member = std::dynamic_pointer_cast<fanout_member>(sink);
  if (!member) {
    where_[sink.get()] = {direct_shard, static_cast<std::uint32_t>(direct_.size())};
    direct_.push_back(sink);
    return;
  }
  auto* ctx = &member->context();
  std::uint32_t s = 0;
  while (s < shards_.size() && shards_[s]->ctx != ctx) ++s;
  if (s == shards_.size()) {
    shards_.push_back(std::make_unique<shard>());
    shards_.back()->ctx = ctx;
  }
  auto& list = shards_[s]->edit();
  where_[sink.get()] = {s, static_cast<std::uint32_t>(list.size())};
  list.push_back(std::move(member));
}

void fanout_group::remove(const session_sink* sink) {
  const auto it = where_.find(sink);
  if (it == where_.end()) return;
  const auto [s, i] = it->second;
  where_.erase(it);
  // Swap with the last and pop: order within a group does not matter (each session has its own queue).
  if (s == direct_shard) {
    if (i + 1 != direct_.size()) {
      direct_[i] = std::move(direct_.back());
      where_[direct_[i].get()].index = i;
    }
    direct_.pop_back();
    return;
  }
  auto& list = shards_[s]->edit();
  if (i + 1 != list.size()) {
    list[i] = std::move(list.back());
    where_[static_cast<session_sink*>(list[i].get())].index = i;
  }
  list.pop_back();
}

void fanout_group::send_all(const media::shared_bytes& text, session_sink::priority p) {
  if (!text) return;
  media::shared_bytes wire;
  for (auto& sh : shards_) {
    if (sh->members->empty()) continue;
    if (!wire) wire = encode_ws_frame(ws_opcode::text, std::span<const std::uint8_t>(*text));
    boost::asio::post(*sh->ctx, [members = sh->members, wire, p] {
      for (const auto& m : *members) m->deliver(wire, p);
    });
  }
  for (const auto& d : direct_) d->send(text, p);
}

}  // namespace onair::net::chat
