// HS256 JSON Web Tokens (RFC 7519) in JWS compact serialization (RFC 7515 section 7.1).
#include <cmath>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "media/digest.hpp"
#include "media/hmac.hpp"
#include "net/chat/base64url.hpp"
#include "net/chat/chat_handler.hpp"

namespace onair::net::chat {

namespace {

using json = nlohmann::json;

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

/// base64url(HMAC-SHA256(secret, signing_input)) — RFC 7518 3.2.
std::string signature_of(std::string_view signing_input, std::string_view secret) {
  const auto mac = media::hmac_sha256(bytes_of(secret), bytes_of(signing_input));
  return base64url_encode(std::span<const std::uint8_t>(mac.data(), mac.size()));
}

std::optional<json> decode_json_object(std::string_view part) {
  const auto raw = base64url_decode(part);
  if (!raw) return std::nullopt;
  auto j = json::parse(*raw, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

/// NumericDate (RFC 7519 2): seconds, possibly fractional.
std::optional<std::int64_t> numeric_date(const json& j) {
  if (j.is_number_integer()) return j.get<std::int64_t>();
  if (j.is_number_unsigned()) {
    const auto v = j.get<std::uint64_t>();
    return v > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(v);
  }
  if (j.is_number_float()) {
    const double d = j.get<double>();
    if (!std::isfinite(d) || d > 9.2e18 || d < -9.2e18) return std::nullopt;
    return static_cast<std::int64_t>(std::floor(d));
  }
  return std::nullopt;
}

std::variant<jwt_claims, std::string> verify(std::string_view token, std::string_view secret, std::int64_t now_s,
                                             std::int64_t leeway_s) {
  // A server without a chat secret must not accept tokens signed with the empty key.
  if (secret.empty()) return std::string("no chat secret configured");
  const auto dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return std::string("malformed token");
  const auto dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
    return std::string("malformed token");
  const auto header_part = token.substr(0, dot1);
  const auto payload_part = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const auto sig_part = token.substr(dot2 + 1);

  const auto header = decode_json_object(header_part);
  if (!header) return std::string("malformed header");
  // RFC 8725 3.1: accept exactly the one algorithm we use; "none" and RS/ES confusions are refused.
  const auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string() || alg->get_ref<const std::string&>() != "HS256")
    return std::string("unsupported alg");
  // RFC 7515 4.1.11: we understand no critical extensions.
  if (header->contains("crit")) return std::string("unsupported crit header");

  // Comparing the canonical base64url text of the MAC in constant time also refuses non-canonical
  // encodings of a correct MAC (RFC 4648 3.5).
  const auto expected = signature_of(token.substr(0, dot2), secret);
  if (!media::equal_constant_time(expected, sig_part)) return std::string("bad signature");

  const auto payload = decode_json_object(payload_part);
  if (!payload) return std::string("malformed payload");
  jwt_claims c;
  const auto exp = payload->find("exp");
  if (exp == payload->end()) return std::string("missing exp");
  const auto exp_s = numeric_date(*exp);
  if (!exp_s) return std::string("exp is not a NumericDate");
  c.exp = *exp_s;
  // RFC 7519 4.1.4: reject on or after exp; leeway absorbs clock skew between nodes.
  if (now_s - leeway_s >= c.exp) return std::string("token expired");
  if (const auto nbf = payload->find("nbf"); nbf != payload->end()) {
    const auto nbf_s = numeric_date(*nbf);
    if (!nbf_s) return std::string("nbf is not a NumericDate");
    if (now_s + leeway_s < *nbf_s) return std::string("token not yet valid");  // RFC 7519 4.1.5
  }
  const auto str = [&](const char* key, std::string& out) {
    const auto it = payload->find(key);
    if (it == payload->end() || it->is_null()) return true;
    if (!it->is_string()) return false;
    out = it->get_ref<const std::string&>();
    return true;
  };
  if (!str("sub", c.sub) || c.sub.empty()) return std::string("missing sub");
  if (!str("name", c.name)) return std::string("name is not a string");
  if (!str("role", c.role)) return std::string("role is not a string");
  return c;
}

}  // namespace

std::variant<jwt_claims, std::string> verify_jwt(std::string_view token, std::string_view secret, std::int64_t now_s,
                                                 std::int64_t leeway_s) {
  try {
    return verify(token, secret, now_s, leeway_s);
  } catch (...) {  // bad_alloc or a nlohmann type surprise: a refused token, never an exception
    return std::string("malformed token");
  }
}

std::string sign_jwt(const jwt_claims& claims, std::string_view secret) {
  json payload{{"sub", claims.sub}, {"exp", claims.exp}};
  if (!claims.name.empty()) payload["name"] = claims.name;
  if (!claims.role.empty()) payload["role"] = claims.role;
  const auto input = base64url_encode(std::string_view(R"({"alg":"HS256","typ":"JWT"})")) + "." +
                     base64url_encode(payload.dump(-1, ' ', false, json::error_handler_t::replace));
  return input + "." + signature_of(input, secret);
}

}  // namespace onair::net::chat
