// HS256 JWT (RFC 7519 / RFC 7515) and base64url (RFC 4648 section 5).
#include <gtest/gtest.h>

#include <algorithm>
#include <span>
#include <string>

#include "media/hmac.hpp"
#include "net/chat/base64url.hpp"
#include "net/chat/chat_handler.hpp"

namespace onair::net::chat {
namespace {

constexpr std::int64_t now = 1700000000;
const std::string secret = "node-chat-secret";

jwt_claims claims(std::int64_t exp = now + 3600) { return jwt_claims{"42", "Ana", "dj", exp}; }

std::string error_of(const std::variant<jwt_claims, std::string>& r) {
  if (auto* e = std::get_if<std::string>(&r)) return *e;
  return "(accepted)";
}

TEST(chat_base64url, rfc4648_vectors_without_padding) {
  // RFC 4648 section 10 test vectors, '=' removed.
  EXPECT_EQ(base64url_encode(std::string_view("")), "");
  EXPECT_EQ(base64url_encode(std::string_view("f")), "Zg");
  EXPECT_EQ(base64url_encode(std::string_view("fo")), "Zm8");
  EXPECT_EQ(base64url_encode(std::string_view("foo")), "Zm9v");
  EXPECT_EQ(base64url_encode(std::string_view("foob")), "Zm9vYg");
  EXPECT_EQ(base64url_encode(std::string_view("fooba")), "Zm9vYmE");
  EXPECT_EQ(base64url_encode(std::string_view("foobar")), "Zm9vYmFy");
  // Section 5 alphabet: '-' and '_' instead of '+' and '/'.
  EXPECT_EQ(base64url_encode(std::string_view("\xfb\xff\xbf")), "-_-_");
  EXPECT_EQ(base64url_decode("-_-_"), std::string("\xfb\xff\xbf"));
  EXPECT_EQ(base64url_decode("Zm9vYmE"), std::string("fooba"));
  EXPECT_EQ(base64url_decode(""), std::string());
}

TEST(chat_base64url, refuses_padding_bad_chars_bad_length_and_nonzero_pad_bits) {
  EXPECT_FALSE(base64url_decode("Zg=="));
  EXPECT_FALSE(base64url_decode("Zm9v+/"));
  EXPECT_FALSE(base64url_decode("Zm9 v"));
  EXPECT_FALSE(base64url_decode("Z"));      // 4n+1
  EXPECT_FALSE(base64url_decode("Zh"));     // 'h' leaves non-zero pad bits ('g' is canonical)
  EXPECT_TRUE(base64url_decode("Zg"));
}

TEST(chat_jwt, sign_then_verify_round_trip) {
  const auto token = sign_jwt(claims(), secret);
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2);
  auto r = verify_jwt(token, secret, now);
  ASSERT_TRUE(std::holds_alternative<jwt_claims>(r)) << error_of(r);
  const auto& c = std::get<jwt_claims>(r);
  EXPECT_EQ(c.sub, "42");
  EXPECT_EQ(c.name, "Ana");
  EXPECT_EQ(c.role, "dj");
  EXPECT_EQ(c.exp, now + 3600);
  // Header is exactly {"alg":"HS256","typ":"JWT"}.
  EXPECT_EQ(base64url_decode(token.substr(0, token.find('.'))), std::string(R"({"alg":"HS256","typ":"JWT"})"));
}

TEST(chat_jwt, known_vector_from_another_implementation) {
  // Made with Python's hmac/hashlib/base64: header {"alg":"HS256","typ":"JWT"}, payload
  // {"sub":"1234567890","name":"John Doe","exp":4102444800}, key "secret".
  const std::string token =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiZXhwIjo0MTAyNDQ0ODAwfQ."
      "hAlsnGmujFTjG3FmJEY9yarausZI0iVUrzZ45Fz8_uw";
  auto r = verify_jwt(token, "secret", now);
  ASSERT_TRUE(std::holds_alternative<jwt_claims>(r)) << error_of(r);
  EXPECT_EQ(std::get<jwt_claims>(r).sub, "1234567890");
  EXPECT_EQ(std::get<jwt_claims>(r).name, "John Doe");
  EXPECT_TRUE(std::get<jwt_claims>(r).role.empty());
  EXPECT_EQ(std::get<jwt_claims>(r).exp, 4102444800);
}

TEST(chat_jwt, wrong_secret_tampered_payload_and_signature_are_refused) {
  const auto token = sign_jwt(claims(), secret);
  EXPECT_EQ(error_of(verify_jwt(token, "other-secret", now)), "bad signature");
  const auto d1 = token.find('.'), d2 = token.rfind('.');
  // Payload swapped for one granting admin, signature kept.
  auto forged = token.substr(0, d1 + 1) + base64url_encode(std::string_view(R"({"sub":"42","role":"admin","exp":1800000000})")) +
                token.substr(d2);
  EXPECT_EQ(error_of(verify_jwt(forged, secret, now)), "bad signature");
  // One signature character flipped.
  auto bad_sig = token;
  bad_sig.back() = bad_sig.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(error_of(verify_jwt(bad_sig, secret, now)), "bad signature");
  // Signature removed.
  EXPECT_EQ(error_of(verify_jwt(token.substr(0, d2 + 1), secret, now)), "bad signature");
  // An empty secret never verifies (a node without a configured secret).
  EXPECT_EQ(error_of(verify_jwt(sign_jwt(claims(), ""), "", now)), "no chat secret configured");
}

TEST(chat_jwt, alg_none_and_other_algs_are_refused) {
  const auto payload = base64url_encode(std::string_view(R"({"sub":"42","exp":1800000000})"));
  for (const char* header : {R"({"alg":"none","typ":"JWT"})", R"({"alg":"HS512"})", R"({"alg":"hs256"})",
                             R"({"alg":"RS256"})", R"({"typ":"JWT"})", R"({"alg":null})"}) {
    const auto t = base64url_encode(std::string_view(header)) + "." + payload + ".";
    EXPECT_EQ(error_of(verify_jwt(t, secret, now)), "unsupported alg") << header;
  }
  // crit names extensions we do not understand (RFC 7515 4.1.11).
  const auto crit = base64url_encode(std::string_view(R"({"alg":"HS256","crit":["exp"]})")) + "." + payload + ".x";
  EXPECT_EQ(error_of(verify_jwt(crit, secret, now)), "unsupported crit header");
}

TEST(chat_jwt, expiry_with_leeway_and_nbf) {
  const auto expired = sign_jwt(claims(now - 31), secret);
  EXPECT_EQ(error_of(verify_jwt(expired, secret, now)), "token expired");
  EXPECT_TRUE(std::holds_alternative<jwt_claims>(verify_jwt(sign_jwt(claims(now - 29), secret), secret, now)));
  EXPECT_EQ(error_of(verify_jwt(sign_jwt(claims(now - 29), secret), secret, now, 0)), "token expired");
  EXPECT_EQ(error_of(verify_jwt(sign_jwt(claims(now), secret), secret, now, 0)), "token expired");  // RFC 7519 4.1.4 "on or after"
}

/// A correctly signed token over arbitrary header and payload text (to reach the claim checks).
std::string signed_token(const std::string& header, const std::string& payload, const std::string& key = secret) {
  const auto input = base64url_encode(std::string_view(header)) + "." + base64url_encode(std::string_view(payload));
  const auto mac = media::hmac_sha256(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(key.data()), key.size()),
                                      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(input.data()), input.size()));
  return input + "." + base64url_encode(std::span<const std::uint8_t>(mac.data(), mac.size()));
}

const std::string hs = R"({"alg":"HS256","typ":"JWT"})";

TEST(chat_jwt, signed_helper_matches_sign_jwt) {
  EXPECT_TRUE(std::holds_alternative<jwt_claims>(verify_jwt(signed_token(hs, R"({"sub":"a","exp":1800000000})"), secret, now)));
}

TEST(chat_jwt, missing_or_bad_claims) {
  EXPECT_EQ(error_of(verify_jwt(signed_token(hs, R"({"sub":"42"})"), secret, now)), "missing exp");
  EXPECT_EQ(error_of(verify_jwt(signed_token(hs, R"({"sub":"42","exp":"soon"})"), secret, now)), "exp is not a NumericDate");
  EXPECT_EQ(error_of(verify_jwt(signed_token(hs, R"({"exp":1800000000})"), secret, now)), "missing sub");
  EXPECT_EQ(error_of(verify_jwt(signed_token(hs, R"({"sub":42,"exp":1800000000})"), secret, now)), "missing sub");
  EXPECT_EQ(error_of(verify_jwt(signed_token(hs, R"({"sub":"4","role":1,"exp":1800000000})"), secret, now)),
            "role is not a string");
  EXPECT_EQ(error_of(verify_jwt(signed_token(hs, R"({"sub":"4","exp":1800000000,"nbf":1800000000})"), secret, now)),
            "token not yet valid");
  EXPECT_EQ(error_of(verify_jwt(signed_token(hs, R"([1,2])"), secret, now)), "malformed payload");
  EXPECT_EQ(error_of(verify_jwt(signed_token(hs, "not json"), secret, now)), "malformed payload");
  // NumericDate may be fractional (RFC 7519 2).
  auto r = verify_jwt(signed_token(hs, R"({"sub":"4","exp":1800000000.75})"), secret, now);
  ASSERT_TRUE(std::holds_alternative<jwt_claims>(r)) << error_of(r);
  EXPECT_EQ(std::get<jwt_claims>(r).exp, 1800000000);
}

TEST(chat_jwt, malformed_tokens) {
  const auto good = sign_jwt(claims(), secret);
  const auto d1 = good.find('.');
  for (const std::string& t : {std::string(), std::string("abc"), std::string("a.b"), good + ".x", std::string("a.b.c.d")})
    EXPECT_EQ(error_of(verify_jwt(t, secret, now)), "malformed token") << t;
  EXPECT_EQ(error_of(verify_jwt("..", secret, now)), "malformed header");  // empty parts
  EXPECT_EQ(error_of(verify_jwt("!!!" + good.substr(d1), secret, now)), "malformed header");       // not base64url
  EXPECT_EQ(error_of(verify_jwt("eyJhbGciOiJIUzI1NiJ9=" + good.substr(d1), secret, now)), "malformed header");  // padding
  EXPECT_EQ(error_of(verify_jwt(base64url_encode(std::string_view("[]")) + good.substr(d1), secret, now)), "malformed header");
  // A correctly signed token whose payload part is not base64url.
  const auto input = good.substr(0, d1) + ".%%%";
  const auto mac = media::hmac_sha256(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size()),
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(input.data()), input.size()));
  EXPECT_EQ(error_of(verify_jwt(input + "." + base64url_encode(std::span<const std::uint8_t>(mac.data(), mac.size())), secret, now)),
            "malformed payload");
}

}  // namespace
}  // namespace onair::net::chat
