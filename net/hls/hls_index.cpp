#include "net/hls/hls_index.hpp"

#include <utility>

namespace onair::net::hls {

namespace {

// Waiters are filed under "room\0rendition": room ids and rendition names never contain NUL.
std::string waiter_key(const std::string& room, const std::string& rendition) {
  std::string key;
  key.reserve(room.size() + 1 + rendition.size());
  key.append(room).push_back('\0');
  key.append(rendition);
  return key;
}

}  // namespace

void index::publish(const std::string& room_id, media::rendition_snapshot_ptr snap) {
  if (!snap) return;  // removal goes through remove(); a null snapshot would only hide the rendition
  std::vector<waiter> wake;
  {
    std::lock_guard lock(mutex_);
    rooms_[room_id].renditions[snap->name] = snap;
    auto it = by_key_.find(waiter_key(room_id, snap->name));
    if (it != by_key_.end()) {
      for (auto id : it->second) {
        auto w = waiters_.find(id);
        if (w == waiters_.end()) continue;
        wake.push_back(std::move(w->second.fn));
        waiters_.erase(w);
      }
      by_key_.erase(it);
    }
  }
  // Outside the mutex: a waiter may call back into the index (wait() again, find()).
  for (auto& fn : wake) fn(snap);
}

void index::publish_master(const std::string& room_id, std::string master_playlist) {
  auto text = std::make_shared<const std::string>(std::move(master_playlist));
  std::lock_guard lock(mutex_);
  rooms_[room_id].master = std::move(text);
}

void index::publish_thumbnail(const std::string& room_id, media::shared_bytes jpeg) {
  std::lock_guard lock(mutex_);
  rooms_[room_id].thumbnail = std::move(jpeg);
}

media::shared_bytes index::thumbnail(const std::string& room_id) const {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room_id);
  return it == rooms_.end() ? nullptr : it->second.thumbnail;
}

void index::remove(const std::string& room_id) {
  std::vector<waiter> wake;
  {
    std::lock_guard lock(mutex_);
    rooms_.erase(room_id);
    const std::string prefix = room_id + '\0';
    for (auto it = by_key_.begin(); it != by_key_.end();) {
      if (it->first.compare(0, prefix.size(), prefix) != 0) {
        ++it;
        continue;
      }
      for (auto id : it->second) {
        auto w = waiters_.find(id);
        if (w == waiters_.end()) continue;
        wake.push_back(std::move(w->second.fn));
        waiters_.erase(w);
      }
      it = by_key_.erase(it);
    }
  }
  for (auto& fn : wake) fn(nullptr);
}

media::rendition_snapshot_ptr index::find(const std::string& room_id, const std::string& rendition) const {
  std::lock_guard lock(mutex_);
  auto r = rooms_.find(room_id);
  if (r == rooms_.end()) return nullptr;
  auto s = r->second.renditions.find(rendition);
  return s == r->second.renditions.end() ? nullptr : s->second;
}

std::shared_ptr<const std::string> index::master(const std::string& room_id) const {
  std::lock_guard lock(mutex_);
  auto r = rooms_.find(room_id);
  return r == rooms_.end() ? nullptr : r->second.master;
}

bool index::has_room(const std::string& room_id) const {
  std::lock_guard lock(mutex_);
  return rooms_.count(room_id) != 0;
}

std::uint64_t index::wait(const std::string& room_id, const std::string& rendition, waiter w) {
  std::lock_guard lock(mutex_);
  const auto id = next_waiter_++;
  waiters_.emplace(id, waiting{room_id, rendition, std::move(w)});
  by_key_[waiter_key(room_id, rendition)].push_back(id);
  return id;
}

bool index::cancel(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto w = waiters_.find(id);
  if (w == waiters_.end()) return false;
  auto k = by_key_.find(waiter_key(w->second.room, w->second.rendition));
  if (k != by_key_.end()) {
    auto& ids = k->second;
    std::erase(ids, id);
    if (ids.empty()) by_key_.erase(k);
  }
  waiters_.erase(w);
  return true;
}

std::size_t index::waiter_count() const {
  std::lock_guard lock(mutex_);
  return waiters_.size();
}

}  // namespace onair::net::hls
