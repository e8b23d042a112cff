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

/// One io_context's members as broadcast jobs see them.
struct snapshot {
  member_list members;
  /// Broadcast jobs posted with this snapshot and not finished yet. A job ends with a releasing
  /// decrement; the owner reads it with acquire before editing in place, so the job's reads of
  /// `members` happen before the owner's writes.
  std::atomic<std::uint32_t> readers{0};
};

struct fanout_group::shard {
  boost::asio::io_context* ctx = nullptr;
  std::shared_ptr<snapshot> current = std::make_shared<snapshot>();

  /// The member list, safe to edit: copied into a new snapshot first if a job still reads this one.
  member_list& edit() {
    if (current->readers.load(std::memory_order_acquire) > 0) {
      auto copy = std::make_shared<snapshot>();
      copy->members = current->members;
      current = std::move(copy);
    }
    return current->members;
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
    if (sh->current->members.empty()) continue;
    if (!wire) wire = encode_ws_frame(ws_opcode::text, std::span<const std::uint8_t>(*text));
    sh->current->readers.fetch_add(1, std::memory_order_relaxed);
    boost::asio::post(*sh->ctx, [snap = sh->current, wire, p] {
      for (const auto& m : snap->members) m->deliver(wire, p);
      snap->readers.fetch_sub(1, std::memory_order_release);
    });
  }
  for (const auto& d : direct_) d->send(text, p);
}

}  // namespace onair::net::chat
