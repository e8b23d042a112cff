#include "net/http/static_routes.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <utility>

#include "net/http/router.hpp"

namespace onair::net::http {

namespace bhttp = boost::beast::http;
namespace fs = std::filesystem;

namespace {

std::string_view extension_of(std::string_view name) {
  const auto slash = name.rfind('/');
  const auto base = slash == std::string_view::npos ? name : name.substr(slash + 1);
  const auto dot = base.rfind('.');
  return dot == std::string_view::npos ? std::string_view{} : base.substr(dot + 1);
}

/// Reads a whole file; nullptr when it cannot be read.
std::shared_ptr<const std::string> read_file(const fs::path& p, std::uintmax_t size) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return nullptr;
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (static_cast<std::uintmax_t>(in.gcount()) != size) return nullptr;
  return std::make_shared<const std::string>(std::move(bytes));
}

}  // namespace

static_target map_static_path(const std::vector<std::string>& segments) {
  std::vector<const std::string*> parts;
  for (const auto& s : segments) {
    if (s.empty()) continue;  // "/watch/r1/" and "//" name the same thing as without the slash
    // "%2e%2e" arrives here decoded as "..": every spelling of a parent or self reference is refused, as
    // are separators and NUL smuggled inside one segment ("..%2Fetc", "a%5C..", "x%00.js").
    if (s == "." || s == "..") return {static_target::kind::bad_request, {}};
    for (char ch : s)
      if (ch == '/' || ch == '\\' || ch == '\0') return {static_target::kind::bad_request, {}};
    parts.push_back(&s);
  }
  for (const auto* p : parts)
    if (p->front() == '.') return {static_target::kind::not_found, {}};
  if (parts.empty() || parts.back()->find('.') == std::string::npos) return {static_target::kind::app_index, {}};
  std::string rel;
  for (const auto* p : parts) {
    if (!rel.empty()) rel += '/';
    rel += *p;
  }
  return {static_target::kind::file, std::move(rel)};
}

std::string_view content_type_for(std::string_view relative) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 17> types{{
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},  // RFC 9239 section 6
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"webmanifest", "application/manifest+json"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"ico", "image/x-icon"},
      {"woff2", "font/woff2"},
      {"txt", "text/plain; charset=utf-8"},
      {"wasm", "application/wasm"},
  }};
  const auto ext = extension_of(relative);
  for (const auto& [e, type] : types)
    if (iequals(e, ext)) return type;
  return "application/octet-stream";
}

bool is_hashed_asset(std::string_view relative) {
  // esbuild's [hash] is 8 characters of base32 (A-Z, 2-7) right before the extension: NAME-HASH.EXT.
  const auto ext = extension_of(relative);
  if (ext.empty()) return false;
  const auto stem = relative.substr(0, relative.size() - ext.size() - 1);
  if (stem.size() < 10 || stem[stem.size() - 9] != '-') return false;
  for (char ch : stem.substr(stem.size() - 8))
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= '2' && ch <= '7'))) return false;
  return true;
}

std::string_view cache_control_for(std::string_view relative) {
  return is_hashed_asset(relative) ? "public, max-age=31536000, immutable" : "no-cache";
}

static_site::static_site(std::string root) : root_(std::move(root)) {}

static_site::result static_site::load(const std::string& relative) {
  std::error_code ec;
  const fs::path root_path(root_);
  const fs::path p = root_path / relative;
  const auto st = fs::status(p, ec);
  if (ec || !fs::is_regular_file(st)) return {};
  // map_static_path already refused ".." segments; this catches a symlink inside the root that points
  // out of it, which no lexical check can see.
  const auto real_root = fs::canonical(root_path, ec);
  if (ec) return {};
  const auto real = fs::canonical(p, ec);
  if (ec) return {};
  if (std::mismatch(real_root.begin(), real_root.end(), real.begin(), real.end()).first != real_root.end()) return {};

  const auto size = fs::file_size(real, ec);
  if (ec) return {};
  if (size > max_file_bytes) return {status::too_large, nullptr};
  const auto mtime = fs::last_write_time(real, ec);
  if (ec) return {};
  const std::int64_t mtime_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count();
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(relative); it != cache_.end() && it->second.mtime_ns == mtime_ns && it->second.size == size)
      return {status::ok, it->second.bytes};
  }
  // Read outside the lock: two first requests may both read, and the later one simply wins the entry.
  auto bytes = read_file(real, size);
  if (!bytes) return {};
  std::lock_guard lock(mutex_);
  cache_[relative] = entry{mtime_ns, size, bytes};
  return {status::ok, std::move(bytes)};
}

void handle_static(const std::shared_ptr<connection>& c, const request& req, const std::vector<std::string>& segments) {
  if (req.method() != bhttp::verb::get && req.method() != bhttp::verb::head)
    return c->respond(method_not_allowed("GET, HEAD, OPTIONS"));
  auto target = map_static_path(segments);
  switch (target.what) {
    case static_target::kind::bad_request:
      return c->respond(make_error_response(400, "bad_request", "path segments may not be '.', '..' or contain separators"));
    case static_target::kind::not_found:
      return c->respond(make_error_response(404, "not_found", "no such resource"));
    case static_target::kind::file:
    case static_target::kind::app_index:
      break;
  }
  auto* site = c->srv().web.get();
  const bool app = target.what == static_target::kind::app_index;
  const std::string relative = app ? "index.html" : target.relative;
  auto found = site ? site->load(relative) : static_site::result{};
  if (found.st == static_site::status::too_large)
    return c->respond(make_error_response(500, "internal", "file too large to serve"));
  if (found.st != static_site::status::ok) {
    // Without index.html the app was never built: say so, rather than a bare 404 an operator must decode.
    if (app || !site || !site->load("index.html").bytes)
      return c->respond(make_error_response(
          404, "not_found", "the web app is not built: run `npm ci && npm run build` in web/ (or scripts/run.sh)"));
    return c->respond(make_error_response(404, "not_found", "no such file"));
  }
  const auto& bytes = *found.bytes;
  auto res = make_response(200, content_type_for(relative), shared_buffer_body::value_type::share(found.bytes, bytes));
  res.set(bhttp::field::cache_control, to_beast(cache_control_for(relative)));
  res.set("X-Content-Type-Options", "nosniff");
  c->respond(std::move(res));
}

}  // namespace onair::net::http
