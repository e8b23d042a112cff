#include "actors/file_util.hpp"

#include <fstream>

namespace onair::actors {

namespace fs = std::filesystem;

bool write_atomically(const fs::path& path, const std::string& content, fs::perms perms) {
  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << content;
    if (!out.flush()) return false;
  }
  std::error_code ec;
  fs::permissions(tmp, perms, ec);
  if (ec) return false;
  fs::rename(tmp, path, ec);
  return !ec;
}

}  // namespace onair::actors
