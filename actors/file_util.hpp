#pragma once
/// Small files the node keeps in its data dir (node id, admin token, link certificates, ready file).
#include <filesystem>
#include <string>

namespace onair::actors {

/// Writes `content` to `path` via a temp file and rename, so a reader never sees half a file; the file
/// gets `perms` before it appears under its name.
bool write_atomically(const std::filesystem::path& path, const std::string& content, std::filesystem::perms perms);

}  // namespace onair::actors
