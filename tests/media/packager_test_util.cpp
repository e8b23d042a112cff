#include "packager_test_util.hpp"

#include <sstream>

namespace onair::media::test {

run_result feed(hls_packager& p, const test_stream& s, std::int64_t wall_base_ms) {
  run_result r;
  for (const auto& f : s.frames) {
    std::error_code ec;
    auto snap = p.push(f, wall_base_ms + f.dts_ms, ec);
    if (ec) r.errors.push_back(ec);
    if (snap) r.snapshots.push_back(snap);
  }
  return r;
}

std::vector<std::string> lines_with(const std::string& playlist, const std::string& prefix) {
  std::vector<std::string> out;
  std::istringstream in(playlist);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
  return out;
}

std::string attr(const std::string& line, const std::string& name) {
  std::size_t pos = 0;
  const std::string key = name + "=";
  while ((pos = line.find(key, pos)) != std::string::npos) {
    if (pos == 0 || line[pos - 1] == ',' || line[pos - 1] == ':') break;
    pos += key.size();
  }
  if (pos == std::string::npos) return {};
  pos += key.size();
  if (pos < line.size() && line[pos] == '"') {
    auto end = line.find('"', pos + 1);
    return line.substr(pos + 1, end - pos - 1);
  }
  auto end = line.find(',', pos);
  return line.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
}

std::vector<double> extinf_durations(const std::string& playlist) {
  std::vector<double> out;
  for (const auto& l : lines_with(playlist, "#EXTINF:")) out.push_back(std::stod(l.substr(8)));
  return out;
}

std::vector<std::string> uris(const std::string& playlist) {
  std::vector<std::string> out;
  std::istringstream in(playlist);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') out.push_back(line);
  return out;
}

std::map<std::uint64_t, std::uint64_t> discontinuity_numbers(const std::string& playlist) {
  std::map<std::uint64_t, std::uint64_t> out;
  const std::string ds_tag = "#EXT-X-DISCONTINUITY-SEQUENCE:";
  std::uint64_t number = 0;
  std::istringstream in(playlist);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(ds_tag, 0) == 0) {
      number = std::stoull(line.substr(ds_tag.size()));
    } else if (line == "#EXT-X-DISCONTINUITY") {
      ++number;
    } else if (line.rfind("#EXT-X-PART:", 0) == 0) {
      out[std::stoull(attr(line, "URI").substr(4))] = number;  // "part12.3.m4s"
    } else if (line.rfind("seg", 0) == 0) {
      out[std::stoull(line.substr(3))] = number;  // "seg12.m4s"
    }
  }
  return out;
}

}  // namespace onair::media::test
