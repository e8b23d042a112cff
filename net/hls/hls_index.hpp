#pragma once
/// The node's table of live HLS snapshots: packagers publish into it, HTTP threads read from it.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "media/hls_snapshot.hpp"

namespace onair::net::hls {

/// Thread-safe. Readers take a shared_ptr to the current snapshot and never wait for a writer longer
/// than a map lookup; parked blocking-reload requests are woken by publish().
class index {
 public:
  /// Called with the new snapshot (or nullptr when the room is removed). Must not block: net/ posts
  /// the work into the waiting connection's strand.
  using waiter = std::function<void(media::rendition_snapshot_ptr)>;

  /// Replaces the snapshot of one rendition of a room and wakes that rendition's waiters.
  void publish(const std::string& room_id, media::rendition_snapshot_ptr snap);
  /// Replaces the room's master playlist (variant URIs are relative: "source/index.m3u8").
  void publish_master(const std::string& room_id, std::string master_playlist);
  /// Replaces the room's thumbnail (a JPEG, GET /api/rooms/{id}/thumbnail.jpg).
  void publish_thumbnail(const std::string& room_id, media::shared_bytes jpeg);
  /// The room's latest thumbnail, or nullptr.
  media::shared_bytes thumbnail(const std::string& room_id) const;
  /// Drops a room (deleted): later requests get 404; waiters are woken with nullptr.
  void remove(const std::string& room_id);

  /// Current snapshot of a rendition, or nullptr.
  media::rendition_snapshot_ptr find(const std::string& room_id, const std::string& rendition) const;
  /// Current master playlist, or nullptr.
  std::shared_ptr<const std::string> master(const std::string& room_id) const;
  /// Registers a one-shot waiter for the next publish of (room, rendition). Returns an id for cancel().
  std::uint64_t wait(const std::string& room_id, const std::string& rendition, waiter w);
  /// Cancels a waiter (timeout or client gone). Returns false if it already ran.
  bool cancel(std::uint64_t id);

  /// True when the room has a master playlist or any rendition (lets HTTP tell an unknown room from
  /// an unknown rendition).
  bool has_room(const std::string& room_id) const;
  /// Number of parked waiters (observability and tests).
  std::size_t waiter_count() const;

 private:
  struct room_entry {
    std::shared_ptr<const std::string> master;
    media::shared_bytes thumbnail;
    std::unordered_map<std::string, media::rendition_snapshot_ptr> renditions;
  };
  struct waiting {
    std::string room;
    std::string rendition;
    waiter fn;
  };
  mutable std::mutex mutex_;
  std::unordered_map<std::string, room_entry> rooms_;
  std::unordered_map<std::uint64_t, waiting> waiters_;
  /// Waiter ids per "room\0rendition", so publish() wakes its waiters without scanning all of them.
  std::unordered_map<std::string, std::vector<std::uint64_t>> by_key_;
  std::uint64_t next_waiter_ = 1;
};

}  // namespace onair::net::hls
