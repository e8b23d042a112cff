#pragma once
/// Private to net/http: the browser app (web/dist) served at `/` (static_routes.cpp). Paths that are not
/// files are the app's own client-side routes and get index.html (docs/web.md).
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "net/http/connection.hpp"

namespace onair::net::http {

/// What a request path maps to under the web root, decided from the decoded path segments alone.
struct static_target {
  enum class kind {
    file,         ///< `relative` names a file under the root (404 when it does not exist)
    app_index,    ///< a client-side route: answer with index.html
    bad_request,  ///< a traversal attempt or a segment no file name can hold ("..", "a%2Fb", NUL)
    not_found,    ///< hidden files (".git", ".env"): never served
  };
  kind what = kind::not_found;
  std::string relative;  ///< '/'-joined, only for kind::file
};

/// Maps decoded path segments ("/watch/r1/" → {"watch","r1",""}) to a target. Empty segments are
/// dropped; a last segment with a '.' is a file name, anything else a client route.
static_target map_static_path(const std::vector<std::string>& segments);

/// Content-Type by extension (index.html and scripts carry charset=utf-8); octet-stream when unknown.
std::string_view content_type_for(std::string_view relative);

/// True for bundler output named NAME-HASH.EXT (esbuild's 8-character [hash]): such a name is never
/// reused for other bytes, so it may be cached forever.
bool is_hashed_asset(std::string_view relative);

/// "public, max-age=31536000, immutable" for hashed assets, "no-cache" for everything else: index.html
/// must be revalidated so a new build's asset names are seen at once.
std::string_view cache_control_for(std::string_view relative);

/// The files under one root directory, read once into memory and re-read when their size or mtime
/// changes (a rebuild while the node runs). Thread-safe: io threads share one instance.
class static_site {
 public:
  explicit static_site(std::string root);

  enum class status { ok, not_found, too_large };
  struct result {
    status st = status::not_found;
    std::shared_ptr<const std::string> bytes;
  };

  /// Reads `relative` (from map_static_path); not_found for directories, missing files and anything
  /// that resolves outside the root through a symlink.
  result load(const std::string& relative);

  const std::string& root() const { return root_; }

  /// Files larger than this are refused (500): the app's bundles are far smaller.
  static constexpr std::uintmax_t max_file_bytes = 32u << 20;

 private:
  struct entry {
    std::int64_t mtime_ns = 0;
    std::uintmax_t size = 0;
    std::shared_ptr<const std::string> bytes;
  };
  std::string root_;
  std::mutex mutex_;
  std::unordered_map<std::string, entry> cache_;
};

/// GET/HEAD of anything outside /api, /hls, /ws, /healthz and /metrics (segments as decoded by dispatch).
void handle_static(const std::shared_ptr<connection>& c, const request& req, const std::vector<std::string>& segments);

}  // namespace onair::net::http
