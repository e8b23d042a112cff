#include "actors/hls_edge.hpp"

#include <chrono>
#include <memory>

namespace onair::actors {

hls_update make_hls_update(const std::string& room, const media::rendition_snapshot* prev,
                           const media::rendition_snapshot& cur, const std::string& master) {
  hls_update u;
  u.room = room;
  u.master = master;
  u.rendition = cur.name;
  u.playlist = cur.playlist;
  u.first_msn = cur.first_msn;
  u.next_msn = cur.next_msn;
  u.next_part = cur.next_part;
  u.target_duration_s = cur.target_duration_s;
  u.part_target_s = cur.part_target_s;
  u.audio_only = cur.audio_only;
  u.ended = cur.ended;
  u.full = prev == nullptr;
  for (const auto& [name, bytes] : cur.files) {
    if (prev && prev->files.count(name)) continue;
    u.added_names.push_back(name);
    const auto sp = bytes.span();
    u.added_bytes.emplace_back(reinterpret_cast<const char*>(sp.data()), sp.size());
  }
  if (prev)
    for (const auto& [name, bytes] : prev->files)
      if (!cur.files.count(name)) u.removed.push_back(name);
  u.origin_sent_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  return u;
}

media::rendition_snapshot_ptr apply_hls_update(const media::rendition_snapshot* prev, const hls_update& u) {
  auto snap = std::make_shared<media::rendition_snapshot>();
  snap->name = u.rendition;
  snap->playlist = u.playlist;
  snap->first_msn = u.first_msn;
  snap->next_msn = u.next_msn;
  snap->next_part = u.next_part;
  snap->target_duration_s = u.target_duration_s;
  snap->part_target_s = u.part_target_s;
  snap->audio_only = u.audio_only;
  snap->ended = u.ended;
  if (prev && !u.full) snap->files = prev->files;  // views: shares the buffers, copies no media
  for (const auto& name : u.removed) snap->files.erase(name);
  for (std::size_t i = 0; i < u.added_names.size() && i < u.added_bytes.size(); ++i) {
    const auto& b = u.added_bytes[i];
    snap->files.insert_or_assign(
        u.added_names[i], media::whole(media::make_shared_bytes(std::vector<std::uint8_t>(b.begin(), b.end()))));
  }
  return snap;
}

}  // namespace onair::actors
