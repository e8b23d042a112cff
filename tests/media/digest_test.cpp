// media/digest: the SHA-256 and secret helpers that API tokens and stream keys rely on.
#include "media/digest.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace onair::media {
namespace {

// FIPS 180-2, Appendix B: the SHA-256 examples.
TEST(Digest, Sha256FipsOneBlockMessage) {  // B.1
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Digest, Sha256FipsMultiBlockMessage) {  // B.2
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Digest, Sha256FipsLongMessage) {  // B.3: one million 'a'
  EXPECT_EQ(sha256_hex(std::string(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Digest, Sha256EmptyMessage) {  // not in FIPS 180-2; the well-known digest of ""
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Digest, Sha256HashesEmbeddedNulBytes) {
  // string_view, not a C string: a NUL inside a key must not cut it short.
  EXPECT_NE(sha256_hex(std::string_view("a\0b", 3)), sha256_hex("a"));
  EXPECT_EQ(sha256_hex(std::string_view("a\0b", 3)).size(), 64u);
}

TEST(Digest, RandomSecretLengthIsBase64UrlWithoutPadding) {
  // ceil(8 * bytes / 6) characters, RFC 4648 section 5 without '='.
  EXPECT_EQ(random_secret(0).size(), 0u);
  EXPECT_EQ(random_secret(1).size(), 2u);
  EXPECT_EQ(random_secret(2).size(), 3u);
  EXPECT_EQ(random_secret(3).size(), 4u);
  EXPECT_EQ(random_secret(16).size(), 22u);
  EXPECT_EQ(random_secret(24).size(), 32u);
  EXPECT_EQ(random_secret(32).size(), 43u);
}

TEST(Digest, RandomSecretUsesUrlSafeAlphabet) {
  // Stream keys go into RTMP URLs (rtmp://host/live/KEY) and API tokens into headers: no '+', '/', '='.
  std::set<char> seen;
  for (int i = 0; i < 200; ++i) {
    for (char c : random_secret(32)) {
      const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
      ASSERT_TRUE(ok) << "unexpected character '" << c << "'";
      seen.insert(c);
    }
  }
  // 200 * 43 draws from 64 symbols: all of them appear unless the output is badly skewed.
  EXPECT_EQ(seen.size(), 64u);
}

TEST(Digest, RandomSecretsAreUnique) {
  std::set<std::string> secrets;
  for (int i = 0; i < 10'000; ++i) secrets.insert(random_secret(16));
  EXPECT_EQ(secrets.size(), 10'000u);
}

TEST(Digest, EqualConstantTime) {
  const std::string a = sha256_hex("abc");
  EXPECT_TRUE(equal_constant_time(a, sha256_hex("abc")));
  EXPECT_FALSE(equal_constant_time(a, sha256_hex("abd")));
  std::string last = a;
  last.back() = last.back() == '0' ? '1' : '0';
  EXPECT_FALSE(equal_constant_time(a, last));    // differs only in the last byte
  EXPECT_FALSE(equal_constant_time(a, a.substr(0, 63)));  // a prefix is not equal
  EXPECT_FALSE(equal_constant_time("", "x"));
  EXPECT_TRUE(equal_constant_time("", ""));
  EXPECT_TRUE(equal_constant_time(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  EXPECT_FALSE(equal_constant_time(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

}  // namespace
}  // namespace onair::media
