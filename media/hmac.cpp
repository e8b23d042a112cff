#include "media/hmac.hpp"

#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

namespace onair::media {

sha256_digest hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data) {
  return hmac_sha256(key, data, {});
}

sha256_digest hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data1,
                          std::span<const std::uint8_t> data2) {
  sha256_digest out{};
  // EVP_MAC is the OpenSSL 3 interface (HMAC_CTX is deprecated there); fetched per call, which is
  // fine for the one handshake per connection that needs it.
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = mac ? EVP_MAC_CTX_new(mac) : nullptr;
  if (ctx) {
    char digest_name[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest_name, 0), OSSL_PARAM_construct_end()};
    std::size_t len = 0;
    if (EVP_MAC_init(ctx, key.data(), key.size(), params) == 1 &&
        EVP_MAC_update(ctx, data1.data(), data1.size()) == 1 &&
        EVP_MAC_update(ctx, data2.data(), data2.size()) == 1)
      EVP_MAC_final(ctx, out.data(), &len, out.size());
  }
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  return out;
}

}  // namespace onair::media
