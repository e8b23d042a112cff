#pragma once
/// The bounded outbound queue of one chat session, without I/O (the policy of session_sink).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "media/bytes.hpp"
#include "net/chat/chat_handler.hpp"

namespace onair::net::chat {

/// FIFO of shared, already-rendered frames with at most `bound` entries. Storage grows on demand
/// (an idle session holds no buffer) and frames are never copied, only their shared_ptr.
///
/// Policy when full: a new frame first evicts the oldest queued droppable frame; if there is none, a
/// droppable newcomer is itself dropped, and a normal newcomer is an overflow (the caller closes the
/// session as a slow consumer). Every dropped frame is counted.
class send_queue {
 public:
  using priority = session_sink::priority;
  enum class push_result : std::uint8_t { queued, dropped, overflow };

  explicit send_queue(std::size_t bound) : bound_(bound == 0 ? 1 : bound) {}

  /// Appends `frame` under the policy above.
  push_result push(media::shared_bytes frame, priority p);
  /// Removes and returns the oldest frame (null when empty).
  media::shared_bytes pop();
  /// Drops everything queued (not counted as drops: the session is closing).
  void clear();

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  std::size_t bound() const { return bound_; }
  /// Frames dropped by the policy so far.
  std::uint64_t dropped() const { return dropped_; }

 private:
  struct entry {
    media::shared_bytes frame;
    priority prio = priority::normal;
  };
  entry& at(std::size_t i) { return ring_[(head_ + i) % ring_.size()]; }
  void grow();
  bool evict_oldest_droppable();

  std::vector<entry> ring_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  std::size_t bound_;
  std::uint64_t dropped_ = 0;
};

}  // namespace onair::net::chat
