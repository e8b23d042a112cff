#include "actors/room_rules.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <charconv>

#include "media/digest.hpp"

namespace onair::actors {

net::api::room_view to_view(const storage::room_record& r, std::uint64_t viewers) {
  net::api::room_view v;
  v.id = r.id;
  v.title = r.title;
  v.description = r.description;
  v.kind = static_cast<net::api::room_kind>(r.kind);
  v.tags = r.tags;
  v.status = static_cast<net::api::room_status>(r.status);
  v.owner = r.owner;
  v.created_at_ms = r.created_at_ms;
  v.updated_at_ms = r.updated_at_ms;
  v.viewers = viewers;
  if (r.ladder_set) v.ladder = r.ladder;
  v.renditions = r.renditions;
  v.transcoding = r.transcode_status;
  return v;
}

namespace {
bool icontains(const std::string& hay, const std::string& needle_lower) {
  if (needle_lower.empty()) return true;
  auto it = std::search(hay.begin(), hay.end(), needle_lower.begin(), needle_lower.end(),
                        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  return it != hay.end();
}
}  // namespace

std::string check_ladder(const std::vector<std::string>& ladder, const std::vector<std::string>& offered) {
  for (std::size_t i = 0; i < ladder.size(); ++i) {
    if (std::find(offered.begin(), offered.end(), ladder[i]) == offered.end()) {
      std::string list;
      for (const auto& o : offered) list += (list.empty() ? "" : ", ") + o;
      return "unknown rendition '" + ladder[i] + "' (this node offers: " + (list.empty() ? "none" : list) + ")";
    }
    if (std::find(ladder.begin(), ladder.begin() + static_cast<std::ptrdiff_t>(i), ladder[i]) !=
        ladder.begin() + static_cast<std::ptrdiff_t>(i))
      return "rendition '" + ladder[i] + "' is listed twice";
  }
  return {};
}

bool matches(const storage::room_record& r, const net::api::list_rooms_request& req) {
  if (req.status && static_cast<std::uint8_t>(*req.status) != r.status) return false;
  if (req.q.empty()) return true;
  std::string q = req.q;
  std::transform(q.begin(), q.end(), q.begin(), [](unsigned char c) { return std::tolower(c); });
  if (icontains(r.title, q) || icontains(r.description, q)) return true;
  return std::any_of(r.tags.begin(), r.tags.end(), [&](const std::string& t) { return icontains(t, q); });
}

bool list_before(const storage::room_record& a, const storage::room_record& b) {
  if (a.created_at_ms != b.created_at_ms) return a.created_at_ms > b.created_at_ms;
  return a.id < b.id;
}

std::string cursor_after(const storage::room_record& r) { return std::to_string(r.created_at_ms) + "." + r.id; }

bool parse_cursor(const std::string& cursor, std::int64_t& created_at_ms, std::string& id) {
  auto dot = cursor.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 >= cursor.size()) return false;
  auto [p, ec] = std::from_chars(cursor.data(), cursor.data() + dot, created_at_ms);
  if (ec != std::errc{} || p != cursor.data() + dot) return false;
  id = cursor.substr(dot + 1);
  return true;
}

bool may_modify(const principal& who, const storage::room_record& r) {
  return who.is_admin() || (!who.name.empty() && who.name == r.owner);
}

std::string new_room_id() { return media::random_secret(9); }         // 12 URL-safe characters
std::string new_stream_key() { return "sk_" + media::random_secret(24); }  // 192 bits

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace onair::actors
