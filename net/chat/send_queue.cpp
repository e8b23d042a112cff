#include "net/chat/send_queue.hpp"

#include <algorithm>
#include <utility>

namespace onair::net::chat {

void send_queue::grow() {
  // Doubling from 4, capped at the bound: a session that only ever sees a few frames in flight keeps
  // a tiny ring, which matters at 10,000+ idle connections.
  const std::size_t cap = std::min(bound_, std::max<std::size_t>(4, ring_.size() * 2));
  std::vector<entry> next(cap);
  for (std::size_t i = 0; i < size_; ++i) next[i] = std::move(at(i));
  ring_ = std::move(next);
  head_ = 0;
}

bool send_queue::evict_oldest_droppable() {
  for (std::size_t i = 0; i < size_; ++i) {
    if (at(i).prio != priority::droppable) continue;
    // Shift the younger entries down one place to keep FIFO order.
    for (std::size_t j = i; j + 1 < size_; ++j) at(j) = std::move(at(j + 1));
    at(size_ - 1) = entry{};
    --size_;
    ++dropped_;
    return true;
  }
  return false;
}

send_queue::push_result send_queue::push(media::shared_bytes frame, priority p) {
  if (size_ >= bound_ && !evict_oldest_droppable()) {
    if (p == priority::droppable) {
      ++dropped_;
      return push_result::dropped;
    }
    return push_result::overflow;
  }
  if (size_ == ring_.size()) grow();
  at(size_) = entry{std::move(frame), p};
  ++size_;
  return push_result::queued;
}

media::shared_bytes send_queue::pop() {
  if (size_ == 0) return nullptr;
  auto f = std::move(at(0).frame);
  head_ = (head_ + 1) % ring_.size();
  --size_;
  if (size_ == 0) {
    head_ = 0;
    // An emptied queue that had grown past the initial size gives its storage back (idle memory).
    if (ring_.size() > 4) std::vector<entry>().swap(ring_);
  }
  return f;
}

void send_queue::clear() {
  std::vector<entry>().swap(ring_);
  head_ = size_ = 0;
}

}  // namespace onair::net::chat
