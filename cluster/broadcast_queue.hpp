#pragma once
/// Piggyback dissemination queue (SWIM section 4.1 "infection-style dissemination"; memberlist
/// TransmitLimitedQueue): one pending update per member — a newer claim about a member replaces the
/// older one — sent least-transmitted and newest first, each at most `limit` times.
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace onair::cluster {

class broadcast_queue {
 public:
  using bytes = std::shared_ptr<const std::vector<std::uint8_t>>;

  /// Queues an encoded update about `node_id`, replacing any pending one about the same member.
  void push(const std::string& node_id, std::vector<std::uint8_t> encoded);
  /// Picks updates that fit in `budget` bytes; each pick counts one transmission and is dropped after
  /// `limit` of them (limit = retransmit_mult × ceil(log10(n + 1))).
  std::vector<bytes> take(std::size_t budget, std::size_t limit);
  /// Updates still to be sent.
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  void clear();

 private:
  struct entry {
    std::size_t transmits = 0;
    std::uint64_t seq = 0;
    bytes data;
  };
  // Order: fewest transmits, then newest (highest seq).
  using key = std::tuple<std::size_t, std::uint64_t, std::string>;  // transmits, ~seq, node id
  std::map<std::string, entry> entries_;
  std::set<key> order_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace onair::cluster
