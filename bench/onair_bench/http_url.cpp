#include "bench/onair_bench/http_url.hpp"

namespace onair::bench {

std::optional<url> parse_url(std::string_view s) {
  url u;
  auto sep = s.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  u.scheme = std::string(s.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "rtmp" && u.scheme != "ws") return std::nullopt;
  auto rest = s.substr(sep + 3);
  auto slash = rest.find('/');
  auto hostport = rest.substr(0, slash);
  u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  auto colon = hostport.rfind(':');
  if (colon == std::string_view::npos) {
    u.host = std::string(hostport);
    u.port = u.scheme == "rtmp" ? "1935" : "80";
  } else {
    u.host = std::string(hostport.substr(0, colon));
    u.port = std::string(hostport.substr(colon + 1));
  }
  if (u.host.empty() || u.port.empty()) return std::nullopt;
  return u;
}

std::string resolve_target(const url& base, std::string_view ref) {
  if (ref.find("://") != std::string_view::npos) {
    auto u = parse_url(ref);
    return u ? u->target : std::string(ref);  // same-server assumption: onair and peers serve parts locally
  }
  if (!ref.empty() && ref.front() == '/') return std::string(ref);
  std::string dir = base.target.substr(0, base.target.find('?'));
  dir = dir.substr(0, dir.rfind('/') + 1);
  // "../x" steps up one directory per occurrence (RFC 3986 5.2.4, enough for renditions).
  while (ref.substr(0, 3) == "../") {
    ref.remove_prefix(3);
    if (dir.size() > 1) dir = dir.substr(0, dir.rfind('/', dir.size() - 2) + 1);
  }
  while (ref.substr(0, 2) == "./") ref.remove_prefix(2);
  return dir + std::string(ref);
}

std::string with_query(std::string target, std::string_view key_value) {
  target += target.find('?') == std::string::npos ? '?' : '&';
  target += key_value;
  return target;
}

}  // namespace onair::bench
